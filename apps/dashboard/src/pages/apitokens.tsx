import { useState } from "preact/hooks";
import { call, get, type ApiToken } from "../api.js";
import { Empty, ErrorBox, Loading, RevokeDialog, SecretOnce, Time, TokenState, useSubmit } from "../components/ui.js";
import { session } from "../session.js";
import { useAsync, useTitle } from "../util.js";

const TTLS: Array<[number, string]> = [
  [0, "never"],
  [3600, "1 hour"],
  [86400, "1 day"],
  [604800, "7 days"],
  [2592000, "30 days"],
  [31536000, "1 year"],
];

/** Local REST API tokens (operator only): create with scopes, namespace, TTL and IP allow-list; revoke. */
export function ApiTokensPage() {
  useTitle("API tokens");
  const list = useAsync((signal) => get<ApiToken[]>("/api-tokens", signal), []);
  const [name, setName] = useState("");
  const [read, setRead] = useState(true);
  const [write, setWrite] = useState(false);
  const [ns, setNs] = useState("");
  const [ttl, setTtl] = useState(86400);
  const [ips, setIps] = useState("");
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const create = useSubmit(async () => {
    const scopes = [...(read ? ["artifacts:read"] : []), ...(write ? ["artifacts:write"] : [])];
    const body: Record<string, unknown> = { name: name.trim() || "dashboard token", scopes, allow_ips: ips.split(/[\s,]+/).filter(Boolean) };
    if (ns.trim()) body.namespace = ns.trim();
    if (ttl) body.ttl = ttl;
    const { result } = await call<ApiToken>("POST", "/api-tokens", body);
    setCreated(result);
    setName("");
    list.reload();
  });
  const revoke = useSubmit(async (t: ApiToken) => {
    await call("DELETE", `/api-tokens/${encodeURIComponent(t.id)}`);
    setRevoking(null);
    list.reload();
  });
  const operator = session().kind === "operator";
  return (
    <section>
      <div class="page-head">
        <h1>API tokens</h1>
      </div>
      <p class="muted">
        Tokens for the REST API (wrangler, the SDK, curl, this dashboard). Their secrets are stored hashed: each is shown once, when it is created.
      </p>
      {!operator && (
        <ErrorBox error={new Error("Managing API tokens needs the operator session: open the dashboard with `npx artifacts-emulator dashboard`.")} />
      )}
      {created?.value && (
        <SecretOnce wide value={created.value} what={`API token “${created.name}”`} expires={created.expires_at} onDismiss={() => setCreated(null)} />
      )}
      <div class="split">
        <section class="card">
          <h2>Create a token</h2>
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void create.run();
            }}
          >
            <label class="field">
              <span>Name</span>
              <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="ci, my laptop, wrangler…" />
            </label>
            <fieldset class="radios">
              <legend>Scopes</legend>
              <label class="check">
                <input type="checkbox" checked={read} onChange={(e) => setRead(e.currentTarget.checked)} /> artifacts:read
              </label>
              <label class="check">
                <input type="checkbox" checked={write} onChange={(e) => setWrite(e.currentTarget.checked)} /> artifacts:write
              </label>
            </fieldset>
            <label class="field">
              <span>
                Namespace <em>(empty: all namespaces)</em>
              </span>
              <input value={ns} onInput={(e) => setNs(e.currentTarget.value)} spellcheck={false} placeholder="default" />
            </label>
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
            <label class="field">
              <span>
                Client IP allow-list <em>(optional: addresses or CIDRs, comma or space separated)</em>
              </span>
              <input value={ips} onInput={(e) => setIps(e.currentTarget.value)} spellcheck={false} placeholder="127.0.0.1, 10.0.0.0/8" />
            </label>
            {create.error !== null && <ErrorBox error={create.error} />}
            <div class="actions">
              <button class="btn primary" disabled={create.busy || (!read && !write)}>
                {create.busy ? "Creating…" : "Create API token"}
              </button>
            </div>
          </form>
        </section>
        <section>
          {list.error ? (
            <ErrorBox error={list.error} retry={list.reload} />
          ) : list.loading && !list.data ? (
            <Loading />
          ) : list.data!.length === 0 ? (
            <Empty title="No API tokens yet">
              <p class="muted">
                Create one here or with <code>npx artifacts-emulator token create</code>.
              </p>
            </Empty>
          ) : (
            <table class="table" data-nav-list>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th>Scopes</th>
                  <th>Namespace</th>
                  <th>Allowed IPs</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.data!.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <strong>{t.name}</strong>
                      <div class="muted small">
                        <code>{t.id}</code> · created <Time t={t.created_at} />
                      </div>
                    </td>
                    <td>
                      <TokenState state={t.status} />
                    </td>
                    <td>{t.scopes.map((s) => s.replace("artifacts:", "")).join(", ")}</td>
                    <td>{t.namespace ?? <span class="muted">all</span>}</td>
                    <td>{t.allow_ips.length ? t.allow_ips.join(", ") : <span class="muted">any</span>}</td>
                    <td>{t.expires_at ? <Time t={t.expires_at} /> : <span class="muted">never</span>}</td>
                    <td>
                      <Time t={t.last_used_at} />
                    </td>
                    <td class="right">
                      {t.status === "active" && (
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
        </section>
      </div>
      <RevokeDialog title="Revoke API token" token={revoking} onClose={() => setRevoking(null)} revoke={revoke}>
        Revoke <strong>{revoking?.name}</strong> (<code>{revoking?.id}</code>)? Clients using it are refused from now on.
      </RevokeDialog>
    </section>
  );
}
