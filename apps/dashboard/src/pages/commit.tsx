import { structuredPatch } from "diff";
import { useState } from "preact/hooks";
import { Badge, CopyButton, ErrorBox, Loading, Time } from "../components/ui.js";
import { asText, diffTrees, readBlob, readCommit, type Change } from "../git.js";
import { href } from "../router.js";
import { fmtBytes, fmtCount, shortHash, useAsync, useTitle } from "../util.js";
import { repoPath, type RepoCtx } from "./repo.js";

/** Each side of a diff is read up to this size; larger files are summarised unless asked for. */
const DIFF_MAX = 512 * 1024;
/** Diffs shown open at first; the rest open on request. */
const OPEN_FIRST = 25;

/**
 * A commit: its message, parents, and what it changed against its first parent. The REST API has
 * no diff route, so the changed files come from comparing the two trees and each text diff is
 * computed here (jsdiff's Myers implementation) from the two blobs.
 */
export function CommitView({ c, hash }: { c: RepoCtx; hash: string }) {
  useTitle(`${shortHash(hash)} · ${c.name}`);
  const commit = useAsync(() => readCommit(c, hash), [c.ns, c.name, hash]);
  const changes = useAsync(async () => {
    if (!commit.data) return null;
    const parent = commit.data.parents[0] ? await readCommit(c, commit.data.parents[0]) : null;
    return diffTrees(c, parent?.tree_hash ?? null, commit.data.tree_hash);
  }, [commit.data?.hash]);
  if (commit.error) return <ErrorBox error={commit.error} retry={commit.reload} />;
  if (!commit.data) return <Loading />;
  const m = commit.data;
  const [subject, ...body] = m.message.split("\n");
  return (
    <div class="commit">
      <div class="commit-box">
        <h2>{subject}</h2>
        {body.join("\n").trim() && <pre class="commit-body">{body.join("\n").trim()}</pre>}
        <div class="commit-meta">
          <span>
            <strong>{m.author.name}</strong> <span class="muted">&lt;{m.author.email}&gt;</span> authored <Time t={m.authored_at} />
            {(m.committer.name !== m.author.name || m.committed_at !== m.authored_at) && (
              <>
                {" "}
                · committed by {m.committer.name} <Time t={m.committed_at} />
              </>
            )}
          </span>
          <span class="hashes">
            commit <code title={m.hash}>{shortHash(m.hash)}</code> <CopyButton text={m.hash} label="Copy hash" class="ghost" />
            {m.parents.length === 0 ? (
              <span class="muted"> · root commit</span>
            ) : (
              <>
                {" "}
                · {m.parents.length > 1 ? "parents" : "parent"}{" "}
                {m.parents.map((p, i) => (
                  <span key={p}>
                    {i > 0 && " + "}
                    <a class="hash" href={href(repoPath(c, "commit", p))}>
                      {shortHash(p)}
                    </a>
                  </span>
                ))}
              </>
            )}
            {" · "}
            <a href={href(repoPath(c, "tree", m.hash))}>Browse files</a>
          </span>
        </div>
        {m.parents.length > 1 && <p class="muted small">Merge commit: changes are shown against the first parent.</p>}
      </div>
      {changes.error ? (
        <ErrorBox error={changes.error} retry={changes.reload} />
      ) : !changes.data ? (
        <Loading label="Comparing trees…" />
      ) : (
        <ChangeList c={c} changes={changes.data.changes} truncated={changes.data.truncated} />
      )}
    </div>
  );
}

const STATUS_KIND: Record<Change["status"], string> = { added: "ok", deleted: "danger", modified: "info", "type changed": "warn" };

function ChangeList({ c, changes, truncated }: { c: RepoCtx; changes: Change[]; truncated: boolean }) {
  if (changes.length === 0) return <p class="muted pad">This commit changes no files.</p>;
  return (
    <div>
      <h3 class="files-title">
        {fmtCount(changes.length)}
        {truncated ? "+" : ""} {changes.length === 1 ? "file" : "files"} changed
      </h3>
      <ul class="filelist" data-nav-list>
        {changes.map((ch, i) => (
          <li key={ch.path}>
            <Badge kind={STATUS_KIND[ch.status]}>{ch.status}</Badge>{" "}
            <a data-nav-link href={`#diff-${i}`}>
              {ch.path}
            </a>
          </li>
        ))}
      </ul>
      {truncated && <p class="notice">Only the first {fmtCount(changes.length)} changed files are listed.</p>}
      {changes.map((ch, i) => (
        <FileDiff key={ch.path} c={c} change={ch} id={`diff-${i}`} open={i < OPEN_FIRST} />
      ))}
    </div>
  );
}

type DiffResult =
  | { kind: "text"; hunks: ReturnType<typeof structuredPatch>["hunks"]; added: number; removed: number }
  | { kind: "binary"; oldSize: number; newSize: number }
  | { kind: "large"; oldSize: number; newSize: number }
  | { kind: "same" };

function FileDiff({ c, change, id, open: initiallyOpen }: { c: RepoCtx; change: Change; id: string; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [force, setForce] = useState(false);
  const diff = useAsync(
    async (signal): Promise<DiffResult | null> => {
      if (!open) return null;
      const max = force ? 32 * 1024 * 1024 : DIFF_MAX;
      const read = async (h: string | undefined) => (h ? readBlob(c, h, max, signal) : { bytes: new Uint8Array(), size: 0, partial: false });
      const oldHash = change.old?.type === "gitlink" ? undefined : change.old?.hash;
      const newHash = change.new?.type === "gitlink" ? undefined : change.new?.hash;
      const [a, b] = await Promise.all([read(oldHash), read(newHash)]);
      if (a.partial || b.partial) return { kind: "large", oldSize: a.size, newSize: b.size };
      const ta = asText(a.bytes);
      const tb = asText(b.bytes);
      if (ta === null || tb === null) return { kind: "binary", oldSize: a.size, newSize: b.size };
      if (ta === tb) return { kind: "same" };
      const p = structuredPatch(change.path, change.path, ta, tb, "", "", { context: 3 });
      let added = 0;
      let removed = 0;
      for (const h of p.hunks)
        for (const l of h.lines) {
          if (l[0] === "+") added++;
          else if (l[0] === "-") removed++;
        }
      return { kind: "text", hunks: p.hunks, added, removed };
    },
    [c.ns, c.name, change.path, change.old?.hash, change.new?.hash, open, force],
  );
  const d = diff.data;
  return (
    <section class="diff" id={id}>
      <header class="diff-head">
        <button type="button" class="btn icon" aria-expanded={open} aria-label={open ? "Collapse" : "Expand"} onClick={() => setOpen(!open)}>
          {open ? "▾" : "▸"}
        </button>
        <span class="path">{change.path}</span>
        <Badge kind={STATUS_KIND[change.status]}>{change.status}</Badge>
        {d?.kind === "text" && (
          <span class="stat">
            <span class="add">+{d.added}</span> <span class="del">−{d.removed}</span>
          </span>
        )}
        {change.old && change.new && change.old.mode !== change.new.mode && (
          <span class="muted small">
            mode {change.old.mode} → {change.new.mode}
          </span>
        )}
      </header>
      {open &&
        (diff.error ? (
          <ErrorBox error={diff.error} retry={diff.reload} />
        ) : !d ? (
          <Loading label="Computing the diff…" />
        ) : d.kind === "binary" ? (
          <p class="pad muted">
            Binary file {change.status}
            {change.status === "modified" ? `: ${fmtBytes(d.oldSize)} → ${fmtBytes(d.newSize)}` : `: ${fmtBytes(d.oldSize || d.newSize)}`}.
          </p>
        ) : d.kind === "large" ? (
          <p class="pad muted">
            Large file ({fmtBytes(Math.max(d.oldSize, d.newSize))}): the diff is not loaded.{" "}
            <button type="button" class="btn small" onClick={() => setForce(true)}>
              Load the diff
            </button>
          </p>
        ) : d.kind === "same" ? (
          <p class="pad muted">Same content (only the mode changed).</p>
        ) : (
          <table class="difftable">
            {d.hunks.map((h, hi) => {
              let o = h.oldStart;
              let n = h.newStart;
              return (
                <tbody key={hi}>
                  <tr class="hunk">
                    <td class="ln" />
                    <td class="ln" />
                    <td>{`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`}</td>
                  </tr>
                  {h.lines.map((l, li) => {
                    const t = l[0];
                    if (t === "\\")
                      return (
                        <tr key={li} class="nonl">
                          <td class="ln" />
                          <td class="ln" />
                          <td>{l.slice(1).trim()}</td>
                        </tr>
                      );
                    const row = (
                      <tr key={li} class={t === "+" ? "add" : t === "-" ? "del" : ""}>
                        <td class="ln" data-line={t === "+" ? "" : o} />
                        <td class="ln" data-line={t === "-" ? "" : n} />
                        <td class="lc">
                          <span class="sign" aria-hidden="true">
                            {t === " " ? " " : t}
                          </span>
                          {l.slice(1)}
                        </td>
                      </tr>
                    );
                    if (t !== "+") o++;
                    if (t !== "-") n++;
                    return row;
                  })}
                </tbody>
              );
            })}
          </table>
        ))}
    </section>
  );
}
