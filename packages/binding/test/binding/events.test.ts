// docs/contract.md "Events": every event the namespace records, read back over the REST events route; envelope
// (docs/contract.md "Event envelope") and payloads (docs/contract.md "Event payloads") for created, token.created, token.revoked, pushed, cloned, fetched,
// forked and deleted. Failed operations record nothing.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { bearer, events, fails, ISO, pushOk, reachable, type EventEnvelope } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let dir: string;
const ZERO = "0".repeat(40);

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-events-");
  dir = sb.path("src");
  await sb.ok(["init", "-q", dir]);
  const g = sb.client(dir);
  for (let i = 1; i <= 3; i++) await g.commit(`commit ${i}`, { [`f${i}.txt`]: `${i}\n` }, i);
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

/** Events recorded since `since` (a count of events seen before), for one repo when given. */
async function newEvents(since: number, repo?: string) {
  const all = await events(svc);
  return all.slice(since).filter((e) => !repo || e.source.repoName === repo);
}

function expectEnvelope(e: EventEnvelope, type: string, sourceType: "artifacts" | "artifacts.repo", repoName: string) {
  expect(Object.keys(e).sort()).toEqual(["metadata", "payload", "source", "type"]);
  expect(e.type).toBe(type);
  expect(e.source).toEqual({ type: sourceType, namespace: "default", repoName });
  expect(Object.keys(e.metadata).sort()).toEqual(["accountId", "eventSchemaVersion", "eventSubscriptionId", "eventTimestamp"]);
  expect(e.metadata.accountId).toBe("local");
  expect(e.metadata.eventSubscriptionId).toMatch(/^[0-9a-f]{32}$/);
  expect(e.metadata.eventSchemaVersion).toBe(1);
  expect(e.metadata.eventTimestamp).toMatch(ISO);
  expect(Math.abs(Date.parse(e.metadata.eventTimestamp) - Date.now())).toBeLessThan(60_000);
}

const repoFields = (info: {
  id: string;
  defaultBranch: string;
  description: string | null;
  readOnly: boolean;
  createdAt: string;
  updatedAt: string;
  lastPushAt: string | null;
}) => ({
  repoId: info.id,
  defaultBranch: info.defaultBranch,
  description: info.description,
  readOnly: info.readOnly,
  createdAt: info.createdAt,
  updatedAt: info.updatedAt,
  lastPushAt: info.lastPushAt,
});

describe("events (docs/contract.md 'Events')", () => {
  test("create: repo.created then token.created; failed creates record nothing", async () => {
    const seen = (await events(svc)).length;
    const r = await svc.artifacts.create("EvRepo", { description: "events", setDefaultBranch: "main" });
    await fails(() => svc.artifacts.create("evrepo"), "ALREADY_EXISTS");
    await fails(() => svc.artifacts.create("bad name"), "INVALID_REPO_NAME");
    const evs = await newEvents(seen);
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.created", "cf.artifacts.repo.token.created"]);
    const repo = await svc.artifacts.get("EvRepo");
    const info = await repo.info();
    expectEnvelope(evs[0]!, "cf.artifacts.repo.created", "artifacts", "EvRepo");
    expect(evs[0]!.payload).toEqual(repoFields(info));
    expectEnvelope(evs[1]!, "cf.artifacts.repo.token.created", "artifacts.repo", "EvRepo");
    const [tok] = (await repo.listTokens()).tokens;
    expect(evs[1]!.payload).toEqual({ tokenId: tok!.id, scope: "write", expiresAt: tok!.expiresAt });
    expect(r.token).toContain(`?expires=${Math.floor(Date.parse(tok!.expiresAt) / 1000)}`);
  });

  test("createToken and revokeToken: token.created and token.revoked; a refused revoke records nothing", async () => {
    const repo = await svc.artifacts.get("EvRepo");
    const seen = (await events(svc)).length;
    const t = await repo.createToken("read", 600);
    expect(await repo.revokeToken(t.plaintext)).toBe(true);
    expect(await repo.revokeToken(t.id)).toBe(false);
    await fails(() => repo.createToken("read", 1), "INVALID_TTL");
    const evs = await newEvents(seen);
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.token.created", "cf.artifacts.repo.token.revoked"]);
    expectEnvelope(evs[0]!, "cf.artifacts.repo.token.created", "artifacts.repo", "EvRepo");
    expect(evs[0]!.payload).toEqual({ tokenId: t.id, scope: "read", expiresAt: t.expiresAt });
    expectEnvelope(evs[1]!, "cf.artifacts.repo.token.revoked", "artifacts.repo", "EvRepo");
    expect(evs[1]!.payload).toEqual({ tokenId: t.id });
  });

  test("pushed: one event per updated ref with before/after and the new commits", async () => {
    const created = await svc.artifacts.create("ev-push");
    const g = sb.client(dir);
    const log = async (range: string) => (await g.ok(["rev-list", "--first-parent", range])).split("\n").filter(Boolean);
    let seen = (await events(svc)).length;
    await pushOk(sb, svc, dir, created, ["main"]);
    const head1 = await g.line(["rev-parse", "main"]);
    let evs = await newEvents(seen, "ev-push");
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.pushed"]);
    expectEnvelope(evs[0]!, "cf.artifacts.repo.pushed", "artifacts.repo", "ev-push");
    const p = evs[0]!.payload as {
      ref: string;
      before: string;
      after: string;
      commits: Array<Record<string, unknown>>;
      totalCommitsCount: number;
      commitsTruncated: boolean;
    };
    expect(Object.keys(p).sort()).toEqual(["after", "before", "commits", "commitsTruncated", "ref", "totalCommitsCount"]);
    expect(p).toMatchObject({ ref: "refs/heads/main", before: ZERO, after: head1, totalCommitsCount: 3, commitsTruncated: false });
    // oldest first, like a push webhook
    expect(p.commits.map((c) => c.id)).toEqual((await log("main")).reverse());
    const c3 = p.commits[2]!;
    expect(Object.keys(c3).sort()).toEqual(["author", "committer", "id", "message", "messageTruncated", "parents", "timestamp"]);
    expect(c3).toEqual({
      id: head1,
      message: "commit 3",
      messageTruncated: false,
      timestamp: new Date((1577836800 + 3 * 86400) * 1000).toISOString(),
      author: { name: "Conformance Test", email: "test@example.com" },
      committer: { name: "Conformance Test", email: "test@example.com" },
      parents: [p.commits[1]!.id],
    });
    const info = await (await svc.artifacts.get("ev-push")).info();
    expect(info.lastPushAt).not.toBeNull();
    expect(info.updatedAt).toBe(info.lastPushAt);

    // a fast-forward of 25 commits (truncated to 20) and a new branch and tag in one push
    seen = (await events(svc)).length;
    for (let i = 0; i < 25; i++) await g.commit(`more ${i}${i === 24 ? "\n\n" + "x".repeat(3000) : ""}`, { "more.txt": `${i}\n` }, 10 + i);
    await g.ok(["branch", "topic", head1]);
    await g.ok(["tag", "-a", "t1", "-m", "tag", head1]);
    await pushOk(sb, svc, dir, created, ["main", "topic", "t1"]);
    const head2 = await g.line(["rev-parse", "main"]);
    evs = await newEvents(seen, "ev-push");
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.pushed", "cf.artifacts.repo.pushed", "cf.artifacts.repo.pushed"]);
    const byRef = Object.fromEntries(evs.map((e) => [e.payload.ref as string, e.payload as typeof p]));
    expect(Object.keys(byRef).sort()).toEqual(["refs/heads/main", "refs/heads/topic", "refs/tags/t1"]);
    const ff = byRef["refs/heads/main"]!;
    expect(ff).toMatchObject({ before: head1, after: head2, totalCommitsCount: 25, commitsTruncated: true });
    expect(ff.commits).toHaveLength(20);
    // the 20 newest, oldest first
    expect(ff.commits.map((c) => c.id)).toEqual((await log(`${head1}..${head2}`)).slice(0, 20).reverse());
    const last = ff.commits[19]!;
    expect(last.messageTruncated).toBe(true);
    expect((last.message as string).length).toBeLessThan(3000);
    expect(last.message as string).toMatch(/^more 24\n\nxxx/);
    // a new branch at an existing tip brings no new commits
    expect(byRef["refs/heads/topic"]).toMatchObject({ before: ZERO, after: head1, commits: [], totalCommitsCount: 0, commitsTruncated: false });
    expect(byRef["refs/tags/t1"]).toMatchObject({ before: ZERO, after: await g.line(["rev-parse", "t1"]), commits: [], totalCommitsCount: 0 });

    // deleting a ref: after is all zeros, no commits
    seen = (await events(svc)).length;
    await pushOk(sb, svc, dir, created, [":topic"]);
    evs = await newEvents(seen, "ev-push");
    expect(evs).toHaveLength(1);
    expect(evs[0]!.payload).toEqual({ ref: "refs/heads/topic", before: head1, after: ZERO, commits: [], totalCommitsCount: 0, commitsTruncated: false });

    // a push that changes nothing records nothing
    seen = (await events(svc)).length;
    await pushOk(sb, svc, dir, created, ["main"]);
    expect(await newEvents(seen, "ev-push")).toEqual([]);
  });

  for (const version of ["2", "0"]) {
    test(`cloned for a clone, fetched for a fetch with history; nothing without a pack (protocol v${version})`, async () => {
      const name = `ev-clone-v${version}`;
      const created = await svc.artifacts.create(name);
      await pushOk(sb, svc, dir, created, ["main~1:refs/heads/main"]);
      const remote = reachable(svc, created.remote);
      const proto = ["-c", `protocol.version=${version}`];
      const seen = (await events(svc)).length;
      const dst = sb.path("clone");
      await sb.ok([...proto, ...bearer(created.token), "clone", "-q", remote, dst]);
      await sb.ok([...proto, ...bearer(created.token), "ls-remote", remote]);
      await sb.ok([...proto, ...bearer(created.token), "fetch", "-q", remote], { cwd: dst }); // up to date
      await pushOk(sb, svc, dir, created, ["main"]);
      const afterPush = (await events(svc)).length;
      await sb.ok([...proto, ...bearer(created.token), "fetch", "-q", remote, "main"], { cwd: dst });
      const evs = await newEvents(seen, name);
      expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.cloned", "cf.artifacts.repo.pushed", "cf.artifacts.repo.fetched"]);
      for (const e of [evs[0]!, evs[2]!]) {
        expectEnvelope(e, e.type, "artifacts.repo", name);
        expect(e.payload).toEqual({});
      }
      expect((await newEvents(afterPush, name)).map((e) => e.type)).toEqual(["cf.artifacts.repo.fetched"]);
    });
  }

  test("forked: attributed to the source, payload describes the new repo; then token.created for the fork", async () => {
    const seen = (await events(svc)).length;
    const f = await (await svc.artifacts.get("EVREPO")).fork("ev-fork", { description: "the fork", readOnly: true });
    const evs = await newEvents(seen);
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.forked", "cf.artifacts.repo.token.created"]);
    expectEnvelope(evs[0]!, "cf.artifacts.repo.forked", "artifacts", "EvRepo");
    const info = await (await svc.artifacts.get("ev-fork")).info();
    expect(evs[0]!.payload).toEqual({ namespace: "default", repoName: "ev-fork", ...repoFields(info) });
    expect(evs[0]!.payload.repoId).toBe(f.id);
    expectEnvelope(evs[1]!, "cf.artifacts.repo.token.created", "artifacts.repo", "ev-fork");
    expect(evs[1]!.payload).toMatchObject({ scope: "write" });
  });

  test("deleted: the repo fields as they were; deleting a missing repo records nothing", async () => {
    const info = await (await svc.artifacts.get("ev-push")).info();
    const seen = (await events(svc)).length;
    expect(await svc.artifacts.delete("EV-PUSH")).toBe(true);
    expect(await svc.artifacts.delete("ev-push")).toBe(false);
    const evs = await newEvents(seen);
    expect(evs.map((e) => e.type)).toEqual(["cf.artifacts.repo.deleted"]);
    expectEnvelope(evs[0]!, "cf.artifacts.repo.deleted", "artifacts", "ev-push");
    expect(evs[0]!.payload).toEqual(repoFields(info));
  });

  test("the REST filter by repo matches without regard to case", async () => {
    const evs = await events(svc, { repo: "evrepo" });
    expect(evs.length).toBeGreaterThan(0);
    expect(evs.every((e) => e.source.repoName === "EvRepo")).toBe(true);
  });
});
