import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Dialog, ErrorBox } from "./components/ui.js";
import { SHORTCUTS, useKeys } from "./keys.js";
import { href, pathOf, useLocation, type Location } from "./router.js";
import { clearSession, hasSession, lostSessionReason, onSessionChange, session, signInWithToken } from "./session.js";
import { NamespacesPage } from "./pages/namespaces.js";
import { ReposPage } from "./pages/repos.js";
import { RepoPage } from "./pages/repo.js";
import { ActivityPage } from "./pages/activity.js";
import { ApiTokensPage } from "./pages/apitokens.js";

let lastNs = "default";

export function App() {
  const [, force] = useState(0);
  useEffect(() => onSessionChange(() => force((n) => n + 1)), []);
  const loc = useLocation();
  const [help, setHelp] = useState(false);
  useKeys({ help: () => setHelp(true), namespace: () => lastNs });
  if (!hasSession()) return <SignIn />;
  if (loc.segs[0] === "ns" && loc.segs[1]) lastNs = loc.segs[1];
  const section = loc.segs[0] === "api-tokens" ? "tokens" : loc.segs[2] === "activity" ? "activity" : "repos";
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href("/")}>
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          Artifacts <span class="muted">emulator</span>
        </a>
        <nav class="mainnav" aria-label="Main">
          <a href={href("/")} class={section === "repos" ? "active" : ""}>
            Repositories
          </a>
          <a href={href(pathOf(["ns", lastNs, "activity"]))} class={section === "activity" ? "active" : ""}>
            Activity
          </a>
          <a href={href("/api-tokens")} class={section === "tokens" ? "active" : ""}>
            API tokens
          </a>
        </nav>
        <span class="grow" />
        <span class="who muted small" title={session().kind === "operator" ? "Signed in with the operator session" : "Signed in with an API token"}>
          {session().kind === "operator" ? "operator" : "API token"} · account {session().account}
        </span>
        <button type="button" class="btn small ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
          Shortcuts
        </button>
        <button type="button" class="btn small ghost" onClick={() => clearSession("You signed out.")}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page loc={loc} />
      </main>
      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <table class="keys">
          <tbody>
            {SHORTCUTS.map(([k, d]) => (
              <tr key={k}>
                <td>{k.split(" ").map((p, i) => (p === "/" && k !== "/" ? " / " : <kbd key={i}>{p}</kbd>))}</td>
                <td>{d}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Dialog>
    </>
  );
}

function Page({ loc }: { loc: Location }): ComponentChildren {
  const s = loc.segs;
  if (s.length === 0) return <NamespacesPage loc={loc} />;
  if (s[0] === "api-tokens" && s.length === 1) return <ApiTokensPage />;
  if (s[0] === "ns" && s[1]) {
    if (s.length === 2) return <ReposPage ns={s[1]} loc={loc} />;
    if (s[2] === "activity" && s.length === 3) return <ActivityPage ns={s[1]} loc={loc} />;
    if (s[2] === "r" && s[3]) return <RepoPage ns={s[1]} name={s[3]} sub={s.slice(4)} loc={loc} />;
  }
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{loc.path}</code>. <a href={href("/")}>Go to the namespaces</a>.
      </p>
    </section>
  );
}

function SignIn() {
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const reason = lostSessionReason();
  return (
    <main class="signin" id="main">
      <div class="card">
        <h1>
          <span class="logo" aria-hidden="true">
            ◆
          </span>{" "}
          Artifacts emulator
        </h1>
        {reason && <p class="notice">{reason}</p>}
        <p>Open the dashboard from a terminal on this machine; it prints a link with a one-time session:</p>
        <pre class="cmd">npx artifacts-emulator dashboard</pre>
        <p class="muted small">The link works once and for a few minutes. The session then lasts until you close this tab.</p>
        <details>
          <summary>Use an API token instead</summary>
          <form
            class="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              setBusy(true);
              setError(null);
              try {
                await signInWithToken(token);
              } catch (err) {
                setError(err);
              } finally {
                setBusy(false);
              }
            }}
          >
            <label class="field">
              <span>API token</span>
              <input type="password" autoComplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
            </label>
            {error !== null && <ErrorBox error={error} />}
            <div class="actions">
              <button class="btn primary" disabled={busy || !token.trim()}>
                Sign in
              </button>
            </div>
          </form>
        </details>
      </div>
    </main>
  );
}
