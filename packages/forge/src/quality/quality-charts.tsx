// Charts drawn on the server as inline SVG: readable without JavaScript, scaled to the page by
// their viewBox (so a phone 390 px wide shows them whole), each with a <title> and <desc> for
// screen readers, labelled axes, a legend, and a <title> on every point giving its number.
// The tables beside them carry the same numbers.

const W = 400;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 44 };
const COLORS = ["#2563eb", "#ea580c", "#16a34a", "#9333ea"];

export interface Line {
  name: string;
  values: (number | null)[];
}

const fmt = (n: number) =>
  Math.abs(n) >= 1000 ? `${Math.round(n / 100) / 10}k` : `${Math.round(n * 100) / 100}`;

/** The top of the y axis: four equal steps of a round size (whole steps for counts) reaching `max`. */
export function axisMax(max: number, whole = false) {
  if (!(max > 0)) return whole ? 4 : 1;
  const raw = whole ? Math.max(1, Math.ceil(max / 4)) : max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw && (!whole || Number.isInteger(s)));
  return (step ?? 10 * p) * 4;
}

interface Frame {
  id: string;
  title: string;
  desc: string;
  labels: string[];
  yLabel: string;
  max: number;
  percent?: boolean;
  /** Shown across the plot when there is nothing to draw. */
  empty?: string;
}

function Axes({ f }: { f: Frame }) {
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const every = Math.max(1, Math.ceil(f.labels.length / 5));
  const last = f.labels.length - 1;
  const x = (i: number) => PAD.left + (f.labels.length <= 1 ? iw / 2 : (i * iw) / (f.labels.length - 1));
  return (
    <g class="chart-axes" font-size="11" fill="currentColor">
      {ticks.map((t) => {
        const y = PAD.top + ih - t * ih;
        const v = t * f.max;
        return (
          <g>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y}
              y2={y}
              stroke="currentColor"
              stroke-opacity="0.15"
            />
            <text x={PAD.left - 4} y={y + 4} text-anchor="end">
              {f.percent ? `${Math.round(v * 100)}%` : fmt(v)}
            </text>
          </g>
        );
      })}
      {f.labels.map((l, i) =>
        // Counted back from the latest week, which is always labelled (flush with the right edge).
        (last - i) % every === 0 ? (
          <text
            x={x(i)}
            y={H - PAD.bottom + 14}
            text-anchor={i === last && last > 0 ? "end" : i === 0 ? "start" : "middle"}
          >
            {l}
          </text>
        ) : null,
      )}
      {f.empty ? (
        <text
          x={PAD.left + iw / 2}
          y={PAD.top + ih / 2}
          text-anchor="middle"
          font-size="13"
          fill-opacity="0.7"
        >
          {f.empty}
        </text>
      ) : null}
      <text x={PAD.left + iw / 2} y={H - 18} text-anchor="middle">
        week starting
      </text>
      <text x={12} y={PAD.top + ih / 2} text-anchor="middle" transform={`rotate(-90 12 ${PAD.top + ih / 2})`}>
        {f.yLabel}
      </text>
    </g>
  );
}

function Legend({ names }: { names: string[] }) {
  return (
    <g font-size="11" fill="currentColor">
      {names.map((n, i) => (
        <g>
          <rect x={PAD.left + i * 130} y={H - 12} width="10" height="10" fill={COLORS[i % COLORS.length]} />
          <text x={PAD.left + i * 130 + 14} y={H - 3}>
            {n}
          </text>
        </g>
      ))}
    </g>
  );
}

function Svg({ f, children }: { f: Frame; children: unknown }) {
  return (
    <figure class="chart-figure" style="margin: 0 0 1rem">
      <figcaption>{f.title}</figcaption>
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        role="img"
        aria-labelledby={`${f.id}-title ${f.id}-desc`}
        xmlns="http://www.w3.org/2000/svg"
        style="max-width: 40rem; height: auto; display: block"
      >
        <title id={`${f.id}-title`}>{f.title}</title>
        <desc id={`${f.id}-desc`}>{f.desc}</desc>
        <Axes f={f} />
        {children}
      </svg>
    </figure>
  );
}

/** A line chart of one or more series over the weeks (a gap where a value is null). */
export function LineChart(props: {
  id: string;
  title: string;
  desc: string;
  labels: string[];
  lines: Line[];
  yLabel: string;
  percent?: boolean;
  /** Said across the chart when no week has a value. */
  empty: string;
}) {
  const all = props.lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  const max = props.percent ? 1 : axisMax(Math.max(0, ...all));
  const f: Frame = { ...props, max, empty: all.length ? undefined : props.empty };
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const n = props.labels.length;
  const x = (i: number) => PAD.left + (n <= 1 ? iw / 2 : (i * iw) / (n - 1));
  const y = (v: number) => PAD.top + ih - (Math.min(v, max) / max) * ih;
  return (
    <Svg f={f}>
      {props.lines.map((l, li) => {
        const color = COLORS[li % COLORS.length];
        // Consecutive non-null points make one polyline; a null breaks the line.
        const runs: [number, number][][] = [[]];
        l.values.forEach((v, i) => {
          if (v === null) runs.push([]);
          else runs[runs.length - 1]!.push([x(i), y(v)]);
        });
        return (
          <g>
            {runs
              .filter((r) => r.length > 1)
              .map((r) => (
                <polyline
                  points={r.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")}
                  fill="none"
                  stroke={color}
                  stroke-width="2"
                />
              ))}
            {l.values.map((v, i) =>
              v === null ? null : (
                <circle cx={x(i).toFixed(1)} cy={y(v).toFixed(1)} r="3" fill={color}>
                  <title>
                    {l.name}, week of {props.labels[i]}:{" "}
                    {props.percent ? `${Math.round(v * 1000) / 10}%` : fmt(v)}
                  </title>
                </circle>
              ),
            )}
          </g>
        );
      })}
      <Legend names={props.lines.map((l) => l.name)} />
    </Svg>
  );
}

/** Stacked bars: each week's total split into the series (people's and agents' sessions). */
export function StackedBars(props: {
  id: string;
  title: string;
  desc: string;
  labels: string[];
  bars: Line[];
  yLabel: string;
}) {
  const n = props.labels.length;
  const totals = props.labels.map((_, i) => props.bars.reduce((t, b) => t + (b.values[i] ?? 0), 0));
  const max = axisMax(Math.max(0, ...totals), true);
  const f: Frame = { ...props, max, empty: totals.some((t) => t > 0) ? undefined : "No sessions" };
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const slot = iw / Math.max(1, n);
  const bw = Math.max(2, slot * 0.6);
  // Bars are centred on the same x as the line charts' points.
  const cx = (i: number) => PAD.left + (n <= 1 ? iw / 2 : (i * iw) / (n - 1));
  return (
    <Svg f={f}>
      {props.labels.map((label, i) => {
        let base = PAD.top + ih;
        return (
          <g>
            {props.bars.map((b, bi) => {
              const v = b.values[i] ?? 0;
              const h = (v / max) * ih;
              base -= h;
              return v > 0 ? (
                <rect
                  x={Math.min(Math.max(cx(i) - bw / 2, PAD.left), W - PAD.right - bw).toFixed(1)}
                  y={base.toFixed(1)}
                  width={bw.toFixed(1)}
                  height={h.toFixed(1)}
                  fill={COLORS[bi % COLORS.length]}
                >
                  <title>
                    {b.name}, week of {label}: {v}
                  </title>
                </rect>
              ) : null;
            })}
          </g>
        );
      })}
      <Legend names={props.bars.map((b) => b.name)} />
    </Svg>
  );
}
