import { useState } from "preact/hooks";
import { call, enc, get, type CreatedRepo, type Stats } from "../api.js";
import { CopyField, Dialog, ErrorBox, SecretOnce, Time, useSubmit } from "../components/ui.js";
import { href, navigate, pathOf } from "../router.js";
import { fmtBytes, fmtCount, useAsync } from "../util.js";
import { Source } from "./repos.js";
import { expiryOf } from "./new-repo.js";
import { repoPath, type RepoCtx } from "./repo.js";

/** Details and stats; fork; delete (type the name to confirm). */
export function SettingsView({ c }: { c: RepoCtx }) {
  const r = c.repo;
  const stats = useAsync((signal) => get<Stats>(`/namespaces/${enc(c.ns)}/repos/${enc(c.name)}/stats`, signal), [c.ns, c.name, c.refs]);
  const [forkName, setForkName] = useState(`${r.name}-fork`);
  const [forkDesc, setForkDesc] = useState("");
  const [forkRo, setForkRo] = useState(false);
  const [defaultOnly, setDefaultOnly] = useState(true);
  const [forked, setForked] = useState<CreatedRepo | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const fork = useSubmit(async () => {
    const body: Record<string, unknown> = { name: forkName.trim(), default_branch_only: defaultOnly };
    if (forkDesc.trim()) body.description = forkDesc.trim();
    if (forkRo) body.read_only = true;
    const { result } = await call<CreatedRepo>("POST", `/namespaces/${enc(c.ns)}/repos/${enc(c.name)}/fork`, body);
    setForked(result);
  });
  const del = useSubmit(async () => {
    await call("DELETE", `/namespaces/${enc(c.ns)}/repos/${enc(c.name)}`);
    setDeleting(false);
    navigate(pathOf(["ns", c.ns], { deleted: c.name }));
  });
  return (
    <div class="settings">
      <section class="card details-card">
        <h2>Details</h2>
        <dl class="details">
          <dt>Id</dt>
          <dd>
            <code>{r.id}</code>
          </dd>
          <dt>Default branch</dt>
          <dd>
            <code>{r.default_branch}</code>
          </dd>
          <dt>HEAD</dt>
          <dd>
            <code>{c.refs.head}</code>
          </dd>
          <dt>Read-only</dt>
          <dd>{r.read_only ? "yes: pushes are refused" : "no"}</dd>
          <dt>Source</dt>
          <dd>
            <Source source={r.source} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time t={r.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time t={r.updated_at} />
          </dd>
          <dt>Last push</dt>
          <dd>
            <Time t={r.last_push_at} />
          </dd>
          <dt>Size</dt>
          <dd>
            {stats.data
              ? `${fmtBytes(stats.data.bytes)} in ${fmtCount(stats.data.objects)} objects, ${fmtCount(stats.data.refs)} refs`
              : stats.error
                ? "–"
                : "…"}
          </dd>
          <dt>Remote</dt>
          <dd>
            <CopyField label="remote URL" value={r.remote} />
          </dd>
        </dl>
      </section>
      <section class="card">
        <h2>Fork</h2>
        <p class="muted small">A new repository in {c.ns} with this one's objects and refs.</p>
        {forked ? (
          <div class="stack">
            <SecretOnce value={forked.token} what="write token for the fork" expires={expiryOf(forked.token)} onDismiss={() => setForked(null)} />
            <p>
              <a class="btn primary" href={href(repoPath({ ns: c.ns, name: forked.name }))}>
                Open {forked.name}
              </a>
            </p>
          </div>
        ) : (
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void fork.run();
            }}
          >
            <label class="field">
              <span>Name of the fork</span>
              <input required value={forkName} onInput={(e) => setForkName(e.currentTarget.value)} spellcheck={false} />
            </label>
            <label class="field">
              <span>
                Description <em>(optional)</em>
              </span>
              <input value={forkDesc} onInput={(e) => setForkDesc(e.currentTarget.value)} />
            </label>
            <label class="check">
              <input type="checkbox" checked={defaultOnly} onChange={(e) => setDefaultOnly(e.currentTarget.checked)} /> Default branch only
            </label>
            <label class="check">
              <input type="checkbox" checked={forkRo} onChange={(e) => setForkRo(e.currentTarget.checked)} /> Read-only
            </label>
            {fork.error !== null && <ErrorBox error={fork.error} />}
            <div class="actions">
              <button class="btn primary" disabled={fork.busy || !forkName.trim()}>
                {fork.busy ? "Forking…" : "Fork repository"}
              </button>
            </div>
          </form>
        )}
      </section>
      <section class="card danger-zone">
        <h2>Delete</h2>
        <p>Deletes the repository, its objects, refs and tokens. Its name can be used again afterwards. This cannot be undone.</p>
        <button type="button" class="btn danger" onClick={() => setDeleting(true)}>
          Delete {r.name}…
        </button>
      </section>
      <Dialog
        open={deleting}
        title={`Delete ${r.name}`}
        onClose={() => {
          setDeleting(false);
          setConfirm("");
        }}
      >
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (confirm === r.name) void del.run();
          }}
        >
          <p>
            This permanently deletes{" "}
            <strong>
              {c.ns}/{r.name}
            </strong>
            . Type its name to confirm.
          </p>
          <input
            aria-label="Repository name"
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
            autoFocus
            spellcheck={false}
            autoComplete="off"
          />
          {del.error !== null && <ErrorBox error={del.error} />}
          <div class="actions">
            <button
              type="button"
              class="btn"
              onClick={() => {
                setDeleting(false);
                setConfirm("");
              }}
            >
              Cancel
            </button>
            <button class="btn danger" disabled={confirm !== r.name || del.busy}>
              {del.busy ? "Deleting…" : "Delete repository"}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
