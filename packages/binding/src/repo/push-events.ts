/**
 * The payload of a `pushed` event: the commits one ref update brought in
 * (docs/contract-choices.md "`pushed`").
 */
import { ZERO_OID, type ObjectDb, type Oid } from "@artifacts-emulator/git";
import { commitMetadata } from "./reads.js";

const PUSHED_COMMITS = 20;
const PUSHED_WALK = 1000;
const PUSHED_MESSAGE = 1024;

/**
 * The commits a ref update brought in: first-parent from the new tip until a commit the repo
 * already had at a ref tip (the old value included), counted up to 1,000. The event lists the 20
 * newest, oldest first like a push webhook, with messages cut at 1,024 characters. Tags and
 * deletions bring no commits (docs/contract-choices.md, docs/contract.md "Event payloads").
 */
export async function pushedCommits(odb: ObjectDb, after: Oid, known: ReadonlySet<Oid>) {
  const commits: Array<Record<string, unknown>> = [];
  let total = 0;
  let oid: Oid | undefined = after === ZERO_OID ? undefined : after;
  while (oid && !known.has(oid) && total < PUSHED_WALK && (await odb.type(oid)) === "commit") {
    const c = await odb.fullCommit(oid);
    total++;
    if (commits.length < PUSHED_COMMITS) {
      const m = commitMetadata(oid, c);
      const truncated = m.message.length > PUSHED_MESSAGE;
      commits.push({
        id: oid,
        message: truncated ? m.message.slice(0, PUSHED_MESSAGE) : m.message,
        messageTruncated: truncated,
        timestamp: new Date(m.committedAt * 1000).toISOString(),
        author: m.author,
        committer: m.committer,
        parents: m.parents,
      });
    }
    oid = odb.shallow.has(oid) ? undefined : c.parents[0];
  }
  return { commits: commits.reverse(), totalCommitsCount: total, commitsTruncated: total > commits.length };
}
