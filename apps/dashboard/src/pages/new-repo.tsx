import { useState } from "preact/hooks";
import { call, enc, type CreatedRepo } from "../api.js";
import { CopyField, Dialog, ErrorBox, SecretOnce, useSubmit } from "../components/ui.js";
import { href, pathOf } from "../router.js";

/** Create a repository (POST …/namespaces/:ns/repos); its first write token is shown once. */
export function NewRepoDialog({ open, onClose, namespace, onCreated }: { open: boolean; onClose: () => void; namespace?: string; onCreated?: () => void }) {
  const [ns, setNs] = useState(namespace ?? "default");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [branch, setBranch] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [created, setCreated] = useState<(CreatedRepo & { ns: string }) | null>(null);
  const submit = useSubmit(async () => {
    const body: Record<string, unknown> = { name: name.trim() };
    if (description.trim()) body.description = description.trim();
    if (branch.trim()) body.default_branch = branch.trim();
    if (readOnly) body.read_only = true;
    const { result } = await call<CreatedRepo>("POST", `/namespaces/${enc(ns.trim())}/repos`, body);
    setCreated({ ...result, ns: ns.trim() });
    onCreated?.();
  });
  const close = () => {
    setCreated(null);
    setName("");
    setDescription("");
    setBranch("");
    setReadOnly(false);
    submit.setError(null);
    onClose();
  };
  return (
    <Dialog open={open} title={created ? `Created ${created.name}` : "New repository"} onClose={close}>
      {created ? (
        <div class="stack">
          <SecretOnce value={created.token} what="write token" expires={expiryOf(created.token)} onDismiss={close}>
            <p class="hint">Push an existing repository with it:</p>
            <CopyField
              label="push command"
              value={`git -c http.extraHeader="Authorization: Bearer ${created.token}" push ${created.remote} HEAD:refs/heads/${created.default_branch}`}
            />
          </SecretOnce>
          <label class="field">
            <span>Remote</span>
            <CopyField label="remote URL" value={created.remote} />
          </label>
          <p>
            <a class="btn primary" href={href(pathOf(["ns", created.ns, "r", created.name]))} onClick={close}>
              Open {created.name}
            </a>
          </p>
        </div>
      ) : (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submit.run();
          }}
        >
          {namespace === undefined && (
            <label class="field">
              <span>Namespace</span>
              <input
                required
                value={ns}
                onInput={(e) => setNs(e.currentTarget.value)}
                pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
                autoComplete="off"
                spellcheck={false}
              />
            </label>
          )}
          <label class="field">
            <span>Name</span>
            <input
              name="name"
              required
              autoFocus
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              autoComplete="off"
              spellcheck={false}
              placeholder="my-repo"
            />
          </label>
          <label class="field">
            <span>
              Description <em>(optional)</em>
            </span>
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>
              Default branch <em>(optional)</em>
            </span>
            <input value={branch} onInput={(e) => setBranch(e.currentTarget.value)} placeholder="main" spellcheck={false} />
          </label>
          <label class="check">
            <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} /> Read-only (pushes are refused)
          </label>
          {submit.error !== null && <ErrorBox error={submit.error} />}
          <div class="actions">
            <button type="button" class="btn" onClick={close}>
              Cancel
            </button>
            <button class="btn primary" disabled={submit.busy || !name.trim()}>
              {submit.busy ? "Creating…" : "Create repository"}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** Repo tokens carry their expiry as `?expires=<unix seconds>`. */
export function expiryOf(token: string): string | null {
  const m = /[?&]expires=(\d+)/.exec(token);
  return m ? new Date(Number(m[1]) * 1000).toISOString() : null;
}
