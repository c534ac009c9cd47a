// "Continue with …" links for the configured providers, shown on the log-in and sign-up pages.
// Links, not forms: the page's form-action policy would stop a form redirected off-site.
import type { Config } from "../config/config.ts";
import { configuredProviders } from "./providers.ts";

export function ProviderButtons(props: { config: Config; next?: string; invite?: string }) {
  const providers = configuredProviders(props.config);
  if (providers.length === 0) return null;
  const query = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(extra)) if (v && v !== "/") q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : "";
  };
  return (
    <div class="providers" id="providers">
      <p class="hint">Or continue with</p>
      <p>
        {providers.map((p) => (
          <>
            <a
              class="button secondary"
              href={`/auth/${p.id}${query({ next: props.next, invite: props.invite })}`}
            >
              {p.name}
            </a>{" "}
          </>
        ))}
      </p>
    </div>
  );
}
