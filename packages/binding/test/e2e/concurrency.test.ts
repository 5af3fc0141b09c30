// Concurrency (issue 14): 8 pushers racing on one branch for 10 rounds (exactly one winner per
// round, no commit lost), same-name creates (one winner), and token mint/revoke races (every
// token revoked exactly once, and revoked tokens stop working).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox, fsck } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectOk, startRest, type RestService } from "../rest/support.js";

let svc: RestService;
let sb: GitSandbox;

beforeAll(async () => {
  svc = await startRest();
  sb = await GitSandbox.create("concurrency-");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

describe("races", () => {
  test("8 pushers on one branch for 10 rounds: one winner per round, nothing lost", async () => {
    const repo = await createRepo(svc, "race", "branch");
    const auth = bearerArgs(repo.token);
    const seed = sb.path("seed");
    await sb.ok(["init", "-q", "-b", "main", seed]);
    let tip = await sb.client(seed).commit("seed", { "seed.txt": "0\n" }, 1);
    await sb.ok([...auth, "push", "-q", repo.remote, "main"], { cwd: seed });
    const pushers = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const dir = sb.path(`pusher-${i}`);
        await sb.ok([...auth, "clone", "-q", repo.remote, dir]);
        return sb.client(dir);
      }),
    );
    const winners: string[] = [];
    for (let round = 0; round < 10; round++) {
      const commits = await Promise.all(
        pushers.map(async (g, i) => {
          await g.ok([...auth, "fetch", "-q", "origin"]);
          await g.ok(["reset", "-q", "--hard", "origin/main"]);
          expect(await g.line(["rev-parse", "HEAD"])).toBe(tip);
          return g.commit(`round ${round} pusher ${i}`, { [`p${i}.txt`]: `${round}\n` }, 10 + round);
        }),
      );
      const results = await Promise.all(pushers.map((g) => g.run([...auth, "push", "-q", "origin", "main"])));
      const won = results.flatMap((r, i) => (r.code === 0 ? [i] : []));
      expect(won.length, results.map((r) => r.stderr).join("\n")).toBe(1);
      const remoteTip = (await sb.ok([...auth, "ls-remote", repo.remote, "refs/heads/main"])).split("\t")[0];
      expect(remoteTip).toBe(commits[won[0]!]);
      winners.push(remoteTip!);
      tip = remoteTip!;
    }
    // The first-parent chain from the final tip is exactly the ten winners, then the seed.
    const check = sb.path("check");
    await sb.ok([...auth, "clone", "-q", repo.remote, check]);
    const chain = (await sb.client(check).line(["rev-list", "--first-parent", "main"])).split("\n");
    expect(chain.slice(0, 10)).toEqual([...winners].reverse());
    expect(chain.length).toBe(11);
    expect((await fsck(sb.client(check))).code).toBe(0);
  });

  test("8 creates of the same name: exactly one wins, the rest are 409 ALREADY_EXISTS", async () => {
    for (const name of ["same", "Same-Case"]) {
      const variants = Array.from({ length: 8 }, (_, i) => (i % 2 ? name.toLowerCase() : name.toUpperCase()));
      const results = await Promise.all(variants.map((n) => call(`${svc.base}/namespaces/race/repos`, { method: "POST", body: { name: n } })));
      expect(results.filter((r) => r.status === 201).length).toBe(1);
      for (const r of results.filter((x) => x.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.headers.get("X-Should-Retry")).toBe("false");
      }
      expect((await call(`${svc.base}/namespaces/race/repos/${name}`)).status).toBe(200);
    }
  });

  test("token mint and revoke races: each token is revoked exactly once and then refused", async () => {
    const repo = await createRepo(svc, "race", "tokens");
    const minted = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        call(`${svc.base}/namespaces/race/tokens`, { method: "POST", body: { repo: "tokens", scope: i % 2 ? "read" : "write" } }),
      ),
    );
    const tokens = minted.map((r) => expectOk<{ id: string; plaintext: string }>(r, 201));
    expect(new Set(tokens.map((t) => t.id)).size).toBe(16);
    // Every token revoked by three racing requests: one 200 each, the others 404.
    const revokes = await Promise.all(tokens.flatMap((t) => [0, 1, 2].map(() => call(`${svc.base}/namespaces/race/tokens/${t.id}`, { method: "DELETE" }))));
    for (let i = 0; i < tokens.length; i++) {
      const mine = revokes.slice(i * 3, i * 3 + 3).map((r) => r.status);
      expect(mine.sort()).toEqual([200, 404, 404]);
    }
    // Minting and revoking at once on the same repo leaves consistent state.
    const more = await Promise.all(
      Array.from({ length: 8 }, () => call(`${svc.base}/namespaces/race/tokens`, { method: "POST", body: { repo: "tokens", scope: "write" } })),
    );
    const fresh = more.map((r) => expectOk<{ id: string; plaintext: string }>(r, 201));
    await Promise.all([
      ...fresh.slice(0, 4).map((t) => call(`${svc.base}/namespaces/race/tokens/${t.id}`, { method: "DELETE" })),
      ...Array.from({ length: 4 }, () => call(`${svc.base}/namespaces/race/tokens`, { method: "POST", body: { repo: "tokens", scope: "read" } })),
    ]);
    const list = (state: string) => call(`${svc.base}/namespaces/race/repos/tokens/tokens?state=${state}&per_page=100`);
    expect((await list("revoked")).body.result_info!.total_count).toBe(20);
    expect((await list("active")).body.result_info!.total_count).toBe(1 + 4 + 4);
    for (const t of [...tokens, ...fresh.slice(0, 4)]) {
      const r = await sb.run([...bearerArgs(t.plaintext), "ls-remote", repo.remote]);
      expect(r.code, t.id).not.toBe(0);
    }
    expect((await sb.run([...bearerArgs(fresh[5]!.plaintext), "ls-remote", repo.remote])).code).toBe(0);
  });
});
