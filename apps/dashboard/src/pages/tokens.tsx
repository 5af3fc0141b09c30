import { useState } from "preact/hooks";
import { call, enc, type MintedRepoToken, type RepoToken } from "../api.js";
import { CopyField, Empty, ErrorBox, Loading, RevokeDialog, SecretOnce, Time, TokenState, useSubmit } from "../components/ui.js";
import { href, navigate, type Location } from "../router.js";
import { useAsync } from "../util.js";
import { cloneCommand, repoPath, type RepoCtx } from "./repo.js";

const TTLS: Array<[number, string]> = [
  [900, "15 minutes"],
  [3600, "1 hour"],
  [86400, "1 day"],
  [604800, "7 days"],
  [2592000, "30 days"],
];
const STATES = ["active", "expired", "revoked", "all"] as const;
const PER_PAGE = 30;

/** Repository tokens: mint (the secret is shown once), list by state, revoke. */
export function TokensView({ c, loc }: { c: RepoCtx; loc: Location }) {
  const state = (loc.query.get("state") ?? "active") as (typeof STATES)[number];
  const page = Math.max(1, Number(loc.query.get("page") ?? "1") || 1);
  const [scope, setScope] = useState<"read" | "write">("read");
  const [ttl, setTtl] = useState(3600);
  const [minted, setMinted] = useState<MintedRepoToken | null>(null);
  const [revoking, setRevoking] = useState<RepoToken | null>(null);
  const list = useAsync(
    (signal) =>
      call<RepoToken[]>("GET", `/namespaces/${enc(c.ns)}/repos/${enc(c.name)}/tokens?state=${state}&per_page=${PER_PAGE}&page=${page}`, undefined, signal),
    [c.ns, c.name, state, page],
  );
  const mint = useSubmit(async () => {
    const { result } = await call<MintedRepoToken>("POST", `/namespaces/${enc(c.ns)}/tokens`, { repo: c.name, scope, ttl });
    setMinted(result);
    list.reload();
  });
  const revoke = useSubmit(async (t: RepoToken) => {
    await call("DELETE", `/namespaces/${enc(c.ns)}/tokens/${enc(t.id)}`);
    setRevoking(null);
    list.reload();
  });
  const total = list.data?.result_info?.total_count ?? 0;
  const pages = list.data?.result_info?.total_pages ?? 1;
  const go = (o: { state?: string; page?: number }) => navigate(`${repoPath(c, "tokens")}?state=${o.state ?? state}&page=${o.page ?? 1}`);
  return (
    <>
      {minted && (
        <SecretOnce wide value={minted.plaintext} what={`${minted.scope} token`} expires={minted.expires_at} onDismiss={() => setMinted(null)}>
          <p class="hint">Clone with it:</p>
          <CopyField label="clone command" value={cloneCommand(c.repo.remote, minted.plaintext)} />
        </SecretOnce>
      )}
      <div class="split">
        <section class="card">
          <h2>Mint a token</h2>
          <p class="muted small">Repository tokens work with Git only (Bearer header, or the Basic-auth password).</p>
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void mint.run();
            }}
          >
            <fieldset class="radios">
              <legend>Scope</legend>
              <label class="check">
                <input type="radio" name="scope" value="read" checked={scope === "read"} onChange={() => setScope("read")} /> Read (clone, fetch)
              </label>
              <label class="check">
                <input type="radio" name="scope" value="write" checked={scope === "write"} onChange={() => setScope("write")} /> Write (also push)
              </label>
            </fieldset>
            <label class="field">
              <span>Expires after</span>
              <select value={String(ttl)} onChange={(e) => setTtl(Number(e.currentTarget.value))}>
                {TTLS.map(([s, l]) => (
                  <option key={s} value={String(s)}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            {mint.error !== null && <ErrorBox error={mint.error} />}
            <div class="actions">
              <button class="btn primary" disabled={mint.busy}>
                {mint.busy ? "Minting…" : `Mint ${scope} token`}
              </button>
            </div>
          </form>
        </section>
        <section>
          <div class="toolbar">
            <h2 class="grow">Tokens</h2>
            <label class="inline">
              Show
              <select value={state} onChange={(e) => go({ state: e.currentTarget.value })}>
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {list.error ? (
            <ErrorBox error={list.error} retry={list.reload} />
          ) : list.loading && !list.data ? (
            <Loading />
          ) : (list.data?.result.length ?? 0) === 0 ? (
            <Empty title={state === "all" ? "No tokens" : `No ${state} tokens`}>
              <p class="muted">Tokens are listed by id; their secrets are never shown again after minting.</p>
            </Empty>
          ) : (
            <table class="table" data-nav-list>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Scope</th>
                  <th>State</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.data!.result.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <code>{t.id}</code>
                    </td>
                    <td>{t.scope}</td>
                    <td>
                      <TokenState state={t.state} />
                    </td>
                    <td>
                      <Time t={t.created_at} />
                    </td>
                    <td>
                      <Time t={t.expires_at} />
                    </td>
                    <td class="right">
                      {t.state === "active" && (
                        <button type="button" data-nav-link class="btn small danger" onClick={() => setRevoking(t)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {pages > 1 && (
            <div class="pager">
              {page > 1 && (
                <a class="btn" data-nav-prev href={href(`${repoPath(c, "tokens")}?state=${state}&page=${page - 1}`)}>
                  ← Previous
                </a>
              )}
              <span class="muted">
                Page {page} of {pages} ({total} tokens)
              </span>
              {page < pages && (
                <a class="btn" data-nav-next href={href(`${repoPath(c, "tokens")}?state=${state}&page=${page + 1}`)}>
                  Next →
                </a>
              )}
            </div>
          )}
        </section>
        <RevokeDialog title="Revoke token" token={revoking} onClose={() => setRevoking(null)} revoke={revoke}>
          Revoke the {revoking?.scope} token <code>{revoking?.id}</code>? Git clients using it are refused from now on. This cannot be undone.
        </RevokeDialog>
      </div>
    </>
  );
}
