import { useEffect, useMemo, useState } from "preact/hooks";
import type { Commit, TreeEntry } from "../api.js";
import { CopyButton, CopyField, Empty, ErrorBox, Loading, Time } from "../components/ui.js";
import { asText, download, entryAt, imageType, readBlob, readTree, resolveRef, sortEntries } from "../git.js";
import { href } from "../router.js";
import { firstLine, fmtBytes, fmtCount, shortHash, useAsync } from "../util.js";
import { cloneCommand, RefPicker, refOid, repoPath, type RepoCtx } from "./repo.js";

/** Text up to this size is shown whole; a larger file shows its first PREVIEW bytes. */
const INLINE_MAX = 1024 * 1024;
const PREVIEW = 256 * 1024;
/** Images up to this size are shown. */
const IMAGE_MAX = 20 * 1024 * 1024;
/** Lines rendered before "Show all". */
const LINES_FIRST = 3000;

function useCommit(c: RepoCtx, gitRef: string) {
  const oid = refOid(c, gitRef);
  return useAsync((signal) => resolveRef(c, gitRef, signal), [c.ns, c.name, gitRef, oid]);
}

export function EmptyRepo({ c }: { c: RepoCtx }) {
  return (
    <Empty title="This repository is empty">
      <p>Push to it with a write token. This page updates when the first commit arrives.</p>
      <ol class="steps">
        <li>
          <a href={href(repoPath(c, "tokens"))}>Mint a write token</a> (Tokens tab), then
        </li>
        <li>
          from an existing repository:
          <CopyField
            label="push command"
            value={`git -c http.extraHeader="Authorization: Bearer $ARTIFACTS_TOKEN" push ${c.repo.remote} HEAD:refs/heads/${c.repo.default_branch}`}
          />
        </li>
        <li>
          or clone it empty and start there:
          <CopyField label="clone command" value={cloneCommand(c.repo.remote)} />
        </li>
      </ol>
    </Empty>
  );
}

function PathCrumbs({ c, gitRef, path, leafIsFile }: { c: RepoCtx; gitRef: string; path: string; leafIsFile?: boolean }) {
  const segs = path.split("/").filter(Boolean);
  return (
    <nav class="pathcrumbs" aria-label="Path">
      <a href={href(repoPath(c, "tree", gitRef))}>{c.name}</a>
      {segs.map((s, i) => (
        <span key={i}>
          <span class="sep">/</span>
          {i === segs.length - 1 ? <strong>{s}</strong> : <a href={href(repoPath(c, "tree", gitRef, ...segs.slice(0, i + 1)))}>{s}</a>}
        </span>
      ))}
      {leafIsFile && segs.length > 0 && <CopyButton text={path} label="Copy path" class="ghost" />}
    </nav>
  );
}

function LastCommit({ c, commit }: { c: RepoCtx; commit: Commit }) {
  return (
    <div class="lastcommit">
      <span class="who">{commit.author.name}</span>
      <a class="msg" href={href(repoPath(c, "commit", commit.hash))}>
        {firstLine(commit.message)}
      </a>
      <a class="hash" href={href(repoPath(c, "commit", commit.hash))}>
        {shortHash(commit.hash)}
      </a>
      <Time t={commit.committed_at} />
    </div>
  );
}

/** 16px outline icons (no icon font, no emoji font needed). */
const ICON_PATH: Record<TreeEntry["type"], string> = {
  tree: "M1.5 3.5h4l1.5 1.5h7.5v8h-13z",
  blob: "M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3",
  exec: "M3.5 1.5h6l3 3v10h-9z M6 8l2 1.5L6 11",
  symlink: "M3.5 1.5h6l3 3v10h-9z M6 11l4-4 M7 7h3v3",
  gitlink: "M2 4.5l6-3 6 3v7l-6 3-6-3z M2 4.5l6 3 6-3 M8 7.5v7",
};
function Icon({ type }: { type: TreeEntry["type"] }) {
  return (
    <svg
      class={`icon ${type === "tree" ? "dir" : ""}`}
      viewBox="0 0 16 16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="1.2"
      stroke-linejoin="round"
    >
      <path d={ICON_PATH[type]} />
    </svg>
  );
}

/** The tree at a ref: directories first; j/k move, Enter opens, u goes up. */
export function CodeView({ c, gitRef, path }: { c: RepoCtx; gitRef: string; path: string }) {
  const commit = useCommit(c, gitRef);
  const listing = useAsync(async () => {
    if (!commit.data) return null;
    const e = await entryAt(c, commit.data.tree_hash, path);
    if (e.type !== "tree") return { file: true as const };
    return { file: false as const, entries: sortEntries(await readTree(c, e.hash)) };
  }, [commit.data?.hash, path]);

  if (c.refs.refs.length === 0) return <EmptyRepo c={c} />;
  if (commit.error) return <ErrorBox error={commit.error} retry={commit.reload} />;
  if (commit.loading && !commit.data) return <Loading />;
  if (!commit.data) return <ErrorBox error={new Error(`No branch, tag or commit named “${gitRef}”.`)} />;
  const segs = path.split("/").filter(Boolean);
  return (
    <div class="code">
      <div class="code-head">
        <RefPicker c={c} gitRef={gitRef} view="tree" path={path} />
        <PathCrumbs c={c} gitRef={gitRef} path={path} />
        <a class="btn small" href={href(repoPath(c, "commits", gitRef))}>
          History
        </a>
      </div>
      <LastCommit c={c} commit={commit.data} />
      {listing.error ? (
        <ErrorBox error={listing.error} />
      ) : !listing.data ? (
        <Loading />
      ) : listing.data.file ? (
        <p>
          This is a file: <a href={href(repoPath(c, "blob", gitRef, ...segs))}>open it</a>.
        </p>
      ) : (
        <table class="table tree" data-nav-list>
          <tbody>
            {segs.length > 0 && (
              <tr>
                <td colSpan={2}>
                  <a data-nav-link data-nav-up href={href(repoPath(c, "tree", gitRef, ...segs.slice(0, -1)))}>
                    ..
                  </a>
                </td>
              </tr>
            )}
            {listing.data.entries.length === 0 && (
              <tr>
                <td class="muted">This directory is empty.</td>
              </tr>
            )}
            {listing.data.entries.map((e) => (
              <tr key={e.name}>
                <td class="entry">
                  <Icon type={e.type} />
                  {e.type === "gitlink" ? (
                    <span title="Submodule">
                      {e.name} <span class="muted">@ {shortHash(e.hash)}</span>
                    </span>
                  ) : (
                    <a data-nav-link href={href(repoPath(c, e.type === "tree" ? "tree" : "blob", gitRef, ...segs, e.name))}>
                      {e.name}
                      {e.type === "tree" ? "/" : ""}
                    </a>
                  )}
                </td>
                <td class="mode muted">{e.type === "exec" ? "executable" : e.type === "symlink" ? "symlink" : e.type === "gitlink" ? "submodule" : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

type Shown =
  | { kind: "text"; text: string; size: number; partial: boolean }
  | { kind: "image"; url: string; size: number }
  | { kind: "binary"; size: number }
  | { kind: "too-large"; size: number }
  | { kind: "symlink"; target: string }
  | { kind: "submodule"; hash: string };

/** A file at a ref: text with line numbers, images shown, anything else offered as a download. */
export function FileView({ c, gitRef, path }: { c: RepoCtx; gitRef: string; path: string }) {
  const commit = useCommit(c, gitRef);
  const [everything, setEverything] = useState(false);
  const file = useAsync(
    async (signal): Promise<{ entry: TreeEntry; shown: Shown }> => {
      if (!commit.data) throw new Error("no commit");
      const entry = await entryAt(c, commit.data.tree_hash, path);
      if (entry.type === "tree") throw new Error(`${path} is a directory.`);
      if (entry.type === "gitlink") return { entry, shown: { kind: "submodule", hash: entry.hash } };
      const img = imageType(path);
      const max = img ? IMAGE_MAX : everything ? INLINE_MAX * 32 : INLINE_MAX;
      const b = await readBlob(c, entry.hash, max, signal);
      if (entry.type === "symlink") return { entry, shown: { kind: "symlink", target: new TextDecoder().decode(b.bytes) } };
      if (img) {
        if (b.partial) return { entry, shown: { kind: "too-large", size: b.size } };
        return { entry, shown: { kind: "image", url: URL.createObjectURL(new Blob([b.bytes as BlobPart], { type: img })), size: b.size } };
      }
      let bytes = b.bytes;
      const partial = b.partial;
      if (partial && !everything) {
        bytes = bytes.subarray(0, PREVIEW);
      }
      const text = asText(bytes, partial);
      if (text === null) return { entry, shown: { kind: "binary", size: b.size } };
      return { entry, shown: { kind: "text", text, size: b.size, partial } };
    },
    [commit.data?.hash, path, everything],
  );
  useEffect(() => {
    const s = file.data?.shown;
    return () => {
      if (s?.kind === "image") URL.revokeObjectURL(s.url);
    };
  }, [file.data]);

  if (commit.error) return <ErrorBox error={commit.error} retry={commit.reload} />;
  if (commit.loading && !commit.data) return <Loading />;
  if (!commit.data) return <ErrorBox error={new Error(`No branch, tag or commit named “${gitRef}”.`)} />;
  const segs = path.split("/").filter(Boolean);
  const fileName = segs[segs.length - 1] ?? "file";
  const s = file.data?.shown;
  const size = s && "size" in s ? s.size : undefined;
  return (
    <div class="code">
      <div class="code-head">
        <RefPicker c={c} gitRef={gitRef} view="blob" path={path} />
        <PathCrumbs c={c} gitRef={gitRef} path={path} leafIsFile />
        <a hidden data-nav-up href={href(repoPath(c, "tree", gitRef, ...segs.slice(0, -1)))}>
          up
        </a>
      </div>
      {file.error ? (
        <ErrorBox error={file.error} />
      ) : !file.data || !s ? (
        <Loading label="Loading the file…" />
      ) : (
        <div class="file">
          <div class="file-head">
            <span class="muted">
              {size !== undefined && fmtBytes(size)}
              {s.kind === "text" && ` · ${fmtCount(lineCount(s.text))} lines${s.partial ? " shown" : ""}`}
              {file.data.entry.type === "exec" && " · executable"}
              {" · "}
              <span class="hash" title={file.data.entry.hash}>
                blob {shortHash(file.data.entry.hash)}
              </span>
            </span>
            {s.kind !== "submodule" && (
              <button type="button" class="btn small" onClick={() => void download(c, file.data!.entry.hash, fileName)}>
                Download
              </button>
            )}
          </div>
          {s.kind === "text" && (
            <>
              {s.partial && (
                <div class="notice">
                  This file is {fmtBytes(s.size)}: showing its first {fmtBytes(PREVIEW)}.{" "}
                  {s.size <= INLINE_MAX * 32 && (
                    <button type="button" class="btn small" onClick={() => setEverything(true)}>
                      Load all of it
                    </button>
                  )}
                </div>
              )}
              <TextView text={s.text} />
            </>
          )}
          {s.kind === "image" && (
            <div class="image">
              <img src={s.url} alt={path} />
            </div>
          )}
          {s.kind === "binary" && <Empty title="Binary file">{<p>{fmtBytes(s.size)} of binary data. Use Download to save it.</p>}</Empty>}
          {s.kind === "too-large" && <Empty title="Large image">{<p>{fmtBytes(s.size)}: too large to show here. Use Download to save it.</p>}</Empty>}
          {s.kind === "symlink" && (
            <p class="pad">
              Symbolic link to <code>{s.target}</code>
            </p>
          )}
          {s.kind === "submodule" && (
            <p class="pad">
              Submodule at commit <code>{s.hash}</code>
            </p>
          )}
        </div>
      )}
    </div>
  );
}

const lineCount = (t: string) => (t === "" ? 0 : t.split("\n").length - (t.endsWith("\n") ? 1 : 0));

/** Text with line numbers (numbers come from CSS, so copying the code copies no numbers). #L12 highlights a line. */
function TextView({ text }: { text: string }) {
  const lines = useMemo(() => {
    const l = text.split("\n");
    if (l.length > 1 && l[l.length - 1] === "") l.pop();
    return l;
  }, [text]);
  const [all, setAll] = useState(false);
  const [hl, setHl] = useState(() => Number(/^#L(\d+)$/.exec(location.hash)?.[1] ?? 0));
  useEffect(() => {
    if (hl) document.getElementById(`L${hl}`)?.scrollIntoView({ block: "center" });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- scroll to the #L line once, on mount, not on each click
  }, []);
  const shown = all ? lines : lines.slice(0, LINES_FIRST);
  return (
    <div class="textview">
      <table class="lines">
        <tbody>
          {shown.map((l, i) => (
            <tr key={i} id={`L${i + 1}`} class={hl === i + 1 ? "hl" : ""}>
              <td
                class="ln"
                data-line={i + 1}
                onClick={() => {
                  setHl(i + 1);
                  history.replaceState(null, "", `#L${i + 1}`);
                }}
              />
              <td class="lc">{l || "\n"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!all && lines.length > LINES_FIRST && (
        <div class="notice">
          Showing {fmtCount(LINES_FIRST)} of {fmtCount(lines.length)} lines.{" "}
          <button type="button" class="btn small" onClick={() => setAll(true)}>
            Show all lines
          </button>
        </div>
      )}
    </div>
  );
}
