// One table of the quality dashboard: a card with its title, a header row and a row per item
// whose first cell is the row's heading, scrollable on narrow screens, or an empty message.
import type { Child } from "hono/jsx";

export interface Column<T> {
  head: string;
  cell: (row: T, index: number) => Child;
}

export function QualityTable<T>(props: {
  id: string;
  title: Child;
  /** The row heading's column (its header, and the heading of each row). */
  first: Column<T>;
  columns: Column<T>[];
  rows: T[];
  /** Shown instead of the table when there are no rows. */
  empty?: string;
}) {
  const { id, title, first, columns, rows, empty } = props;
  return (
    <section class="card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {rows.length || empty === undefined ? (
        <div class="table-scroll">
          <table class="table quality-table">
            <thead>
              <tr>
                <th scope="col">{first.head}</th>
                {columns.map((c) => (
                  <th scope="col">{c.head}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr>
                  <th scope="row">{first.cell(row, i)}</th>
                  {columns.map((c) => (
                    <td>{c.cell(row, i)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">{empty}</p>
      )}
    </section>
  );
}
