// The navigation shared by the administration pages.
export const AdminNav = () => (
  <nav aria-label="Administration">
    <a href="/admin">Overview</a> · <a href="/admin/users">Accounts</a> ·{" "}
    <a href="/admin/projects">Projects</a> · <a href="/admin/registration">Registration</a> ·{" "}
    <a href="/admin/jobs">Jobs</a> · <a href="/admin/jobs?state=dead">Dead jobs</a> ·{" "}
    <a href="/admin/audit">Audit log</a>
  </nav>
);

/** Bytes in a readable unit (KiB, MiB, GiB). */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}
