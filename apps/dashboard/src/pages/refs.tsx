import { Badge, Empty, Time } from "../components/ui.js";
import { log } from "../git.js";
import { href } from "../router.js";
import { branchName, firstLine, shortHash, useAsync } from "../util.js";
import { repoPath, type RepoCtx } from "./repo.js";

/** Branches and tags from the refs route, each with the commit it points at. */
export function RefsView({ c }: { c: RepoCtx }) {
  const branches = c.refs.refs.filter((r) => r.name.startsWith("refs/heads/"));
  const tags = c.refs.refs.filter((r) => r.name.startsWith("refs/tags/"));
  const other = c.refs.refs.filter((r) => !r.name.startsWith("refs/heads/") && !r.name.startsWith("refs/tags/"));
  if (c.refs.refs.length === 0) return <Empty title="No branches or tags yet">{<p>They appear here after the first push.</p>}</Empty>;
  return (
    <div class="refs" data-nav-list>
      <RefTable c={c} title="Branches" refs={branches} />
      <RefTable c={c} title="Tags" refs={tags} />
      {other.length > 0 && <RefTable c={c} title="Other refs" refs={other} />}
    </div>
  );
}

function RefTable({ c, title, refs }: { c: RepoCtx; title: string; refs: Array<{ name: string; oid: string }> }) {
  return (
    <section>
      <h3>
        {title} <span class="count">{refs.length}</span>
      </h3>
      {refs.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <table class="table">
          <tbody>
            {refs.map((r) => (
              <tr key={r.name}>
                <td>
                  <a data-nav-link class="strong" href={href(repoPath(c, "tree", branchName(r.name)))}>
                    {branchName(r.name)}
                  </a>{" "}
                  {r.name === c.refs.head && <Badge kind="info">HEAD</Badge>}
                </td>
                <RefCommit c={c} refName={r.name} oid={r.oid} />
                <td class="right">
                  <a href={href(repoPath(c, "commits", branchName(r.name)))}>History</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RefCommit({ c, refName, oid }: { c: RepoCtx; refName: string; oid: string }) {
  // log?ref= peels annotated tags to their commit.
  const m = useAsync(() => log(c, refName, 1).then((l) => l[0] ?? null), [c.ns, c.name, refName, oid]);
  const commit = m.data;
  return (
    <>
      <td>
        <a class="hash" href={href(repoPath(c, "commit", commit?.hash ?? oid))} title={oid}>
          {shortHash(commit?.hash ?? oid)}
        </a>
      </td>
      <td class="ellipsis">{commit ? firstLine(commit.message) : ""}</td>
      <td>{commit && <Time t={commit.committed_at} />}</td>
    </>
  );
}
