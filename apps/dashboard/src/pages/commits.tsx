import { ErrorBox, Loading, Time } from "../components/ui.js";
import { log } from "../git.js";
import { href } from "../router.js";
import { firstLine, shortHash, useAsync } from "../util.js";
import { EmptyRepo } from "./code.js";
import { RefPicker, refOid, repoPath, type RepoCtx } from "./repo.js";

const PAGE = 30;

/**
 * First-parent history of a ref, PAGE commits at a time. A page starts at a commit (?from=hash),
 * so paging costs the same deep in history and stays stable while new commits arrive.
 */
export function CommitsView({ c, gitRef, from }: { c: RepoCtx; gitRef: string; from: string }) {
  const oid = refOid(c, gitRef);
  const page = useAsync((signal) => log(c, from || gitRef, PAGE + 1, signal), [c.ns, c.name, gitRef, from, from ? "" : oid]);
  if (c.refs.refs.length === 0) return <EmptyRepo c={c} />;
  const rows = page.data?.slice(0, PAGE) ?? [];
  const next = page.data?.[PAGE];
  return (
    <div>
      <div class="code-head">
        <RefPicker c={c} gitRef={gitRef} view="commits" />
        <span class="muted">First-parent history{from ? ` from ${shortHash(from)}` : ""}</span>
      </div>
      {page.error ? (
        <ErrorBox error={page.error} retry={page.reload} />
      ) : page.loading && !page.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p class="muted pad">No commits on {gitRef}.</p>
      ) : (
        <ol class="commits" data-nav-list>
          {rows.map((m) => (
            <li key={m.hash}>
              <div class="commit-main">
                <a data-nav-link class="msg" href={href(repoPath(c, "commit", m.hash))}>
                  {firstLine(m.message)}
                </a>
                <div class="muted small">
                  {m.author.name} committed <Time t={m.committed_at} />
                  {m.parents.length > 1 && " · merge"}
                </div>
              </div>
              <a class="hash" href={href(repoPath(c, "commit", m.hash))} title={m.hash}>
                {shortHash(m.hash)}
              </a>
              <a class="btn small ghost" href={href(repoPath(c, "tree", m.hash))} title="Browse the files at this commit">
                Files
              </a>
            </li>
          ))}
        </ol>
      )}
      {(from || next) && (
        <div class="pager">
          {from && (
            <a class="btn" data-nav-prev href={href(repoPath(c, "commits", gitRef))}>
              ← Newest
            </a>
          )}
          {next && (
            <a class="btn" data-nav-next href={href(`${repoPath(c, "commits", gitRef)}?from=${next.hash}`)}>
              Older →
            </a>
          )}
        </div>
      )}
    </div>
  );
}
