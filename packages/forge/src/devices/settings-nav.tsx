// The tabs across the account settings pages (profile, tokens, email, password, two-factor,
// sessions and devices, security log).
const TABS = [
  ["/settings/profile", "Profile"],
  ["/settings/tokens", "Access tokens"],
  ["/settings/email", "Email"],
  ["/settings/password", "Password"],
  ["/settings/two-factor", "Two-factor"],
  ["/settings/passkeys", "Passkeys"],
  ["/settings/linked-accounts", "Linked accounts"],
  ["/settings/storage", "Storage"],
  ["/settings/devices", "Sessions"],
  ["/settings/security-log", "Security log"],
] as const;

export function SettingsNav({ current }: { current: (typeof TABS)[number][0] }) {
  return (
    <nav class="repo-tabs" aria-label="Settings">
      {TABS.map(([href, label]) => (
        <a href={href} aria-current={href === current ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
