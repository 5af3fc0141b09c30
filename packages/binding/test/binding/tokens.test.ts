// docs/contract.md "Repo handle" createToken / listTokens / revokeToken and "Repo tokens" (format, TTL, states, revocation),
// with the real git CLI as the judge of whether a token works.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { bearer, fails, ISO, reachable, TOKEN } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-tokens-");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const works = async (remote: string, token: string) => (await sb.run([...bearer(token), "ls-remote", remote])).code === 0;

describe("createToken (docs/contract.md 'Repo handle', 'Repo tokens')", () => {
  test("defaults: write scope, 86,400 s; exact shape; the suffix states the expiry", async () => {
    const created = await svc.artifacts.create("tok-defaults");
    const repo = await svc.artifacts.get("tok-defaults");
    const before = Date.now();
    const t = await repo.createToken();
    const after = Date.now();
    expect(Object.keys(t).sort()).toEqual(["expiresAt", "id", "plaintext", "scope"]);
    expect(t.id).toMatch(/^[0-9a-z]{16}$/);
    expect(t.scope).toBe("write");
    expect(t.expiresAt).toMatch(ISO);
    const exp = Date.parse(t.expiresAt);
    expect(exp).toBeGreaterThanOrEqual(before + 86_400_000);
    expect(exp).toBeLessThanOrEqual(after + 86_400_000);
    const m = TOKEN.exec(t.plaintext);
    expect(m, t.plaintext).not.toBeNull();
    expect(Number(m![1])).toBe(Math.floor(exp / 1000));
    expect(await works(reachable(svc, created.remote), t.plaintext)).toBe(true);
    expect(t.plaintext).not.toBe(created.token);
  });

  test("scope and TTL: read scope, the bounds, and the errors", async () => {
    await svc.artifacts.create("tok-ttl");
    const repo = await svc.artifacts.get("tok-ttl");
    const read = await repo.createToken("read", 60);
    expect(read.scope).toBe("read");
    expect(Date.parse(read.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const max = await repo.createToken("write", 31_536_000);
    expect(Math.round((Date.parse(max.expiresAt) - Date.now()) / 86_400_000)).toBe(365);

    const createToken = repo.createToken as (...args: unknown[]) => Promise<unknown>;
    for (const scope of ["admin", "READ", "", 1, null])
      await fails(() => createToken(scope, 3600), "INVALID_INPUT", "Artifacts token scope must be read or write");
    for (const ttl of [59, 0, -1, 31_536_001, 60.5, "3600", null, true, Number.POSITIVE_INFINITY, Number.NaN]) {
      const e = await fails(() => createToken("write", ttl), "INVALID_TTL", `Invalid TTL ${String(ttl)}: must be between 60 and 31536000 seconds.`);
      expect(e.numericCode).toBe(10103);
    }
    // failed calls minted nothing
    expect((await repo.listTokens()).total).toBe(3);
  });
});

describe("listTokens (docs/contract.md 'Repo handle')", () => {
  test("active newest first, then revoked newest first; metadata only; capped at 30 with the full total", async () => {
    await svc.artifacts.create("tok-list");
    const repo = await svc.artifacts.get("tok-list");
    const initial = (await repo.listTokens()).tokens[0]!;
    const made = [];
    for (let i = 0; i < 34; i++) made.push(await repo.createToken(i % 2 ? "read" : "write", 600 + i));
    // revoke a few, in an order unrelated to creation
    const revoked = [made[3]!, made[20]!, made[0]!, made[33]!];
    for (const t of revoked) expect(await repo.revokeToken(t.id)).toBe(true);

    const list = await repo.listTokens();
    expect(list.total).toBe(35);
    expect(list.tokens).toHaveLength(30);
    for (const t of list.tokens) expect(Object.keys(t).sort()).toEqual(["createdAt", "expiresAt", "id", "scope", "state"]);
    const revokedIds = new Set(revoked.map((t) => t.id));
    const activeNewestFirst = [...made]
      .reverse()
      .filter((t) => !revokedIds.has(t.id))
      .map((t) => t.id)
      .concat(initial.id);
    // 31 active tokens: the 30 newest fill the page, revoked ones do not make it
    expect(list.tokens.map((t) => t.id)).toEqual(activeNewestFirst.slice(0, 30));
    expect(list.tokens.every((t) => t.state === "active")).toBe(true);
    const first = list.tokens[0]!;
    expect(first).toEqual({ id: made[32]!.id, scope: "write", state: "active", createdAt: first.createdAt, expiresAt: made[32]!.expiresAt });

    // revoke down to 10 active: then the revoked ones follow, newest first
    const active = activeNewestFirst.slice(10);
    for (const id of active) expect(await repo.revokeToken(id)).toBe(true);
    const after = await repo.listTokens();
    expect(after.total).toBe(35);
    const states = after.tokens.map((t) => t.state);
    expect(states.slice(0, 10).every((s) => s === "active")).toBe(true);
    expect(states.slice(10).every((s) => s === "revoked")).toBe(true);
    const revokedOrder = after.tokens.slice(10).map((t) => t.createdAt);
    for (let i = 1; i < revokedOrder.length; i++) expect(revokedOrder[i - 1]! >= revokedOrder[i]!).toBe(true);
    // newest-first among the revoked: the most recently created revoked token leads
    const allRevoked = new Set([...revokedIds, ...active]);
    const expectedRevoked = [...made]
      .reverse()
      .map((t) => t.id)
      .concat(initial.id)
      .filter((id) => allRevoked.has(id));
    expect(after.tokens.slice(10).map((t) => t.id)).toEqual(expectedRevoked.slice(0, 20));
  });
});

describe("revokeToken (docs/contract.md 'Repo handle', 'Repo tokens')", () => {
  test("by id, by plaintext with and without ?expires=; false when unknown or not active", async () => {
    const created = await svc.artifacts.create("tok-revoke");
    const remote = reachable(svc, created.remote);
    const repo = await svc.artifacts.get("tok-revoke");
    const a = await repo.createToken("read", 600);
    const b = await repo.createToken("read", 600);
    const c = await repo.createToken("write", 600);
    for (const t of [a, b, c, { plaintext: created.token }]) expect(await works(remote, t.plaintext)).toBe(true);

    expect(await repo.revokeToken(a.id)).toBe(true);
    expect(await repo.revokeToken(b.plaintext)).toBe(true);
    expect(await repo.revokeToken(c.plaintext.split("?")[0]!)).toBe(true);
    // the initial token has no id in the create result: it is revocable by plaintext
    expect(await repo.revokeToken(created.token)).toBe(true);
    for (const t of [a, b, c, { plaintext: created.token }]) expect(await works(remote, t.plaintext)).toBe(false);

    // already revoked, through any form
    expect(await repo.revokeToken(a.id)).toBe(false);
    expect(await repo.revokeToken(a.plaintext)).toBe(false);
    expect(await repo.revokeToken(b.id)).toBe(false);
    expect(await repo.revokeToken(created.token)).toBe(false);
    // unknown but well formed
    expect(await repo.revokeToken("0123456789abcdef")).toBe(false);
    expect(await repo.revokeToken(`art_v1_${"0".repeat(40)}`)).toBe(false);
    expect(await repo.revokeToken(`art_v1_${"0".repeat(40)}?expires=1`)).toBe(false);
    expect(await repo.revokeToken(`art_v2_x_${"0".repeat(40)}`)).toBe(false);
    expect((await repo.listTokens()).tokens.map((t) => t.state)).toEqual(["revoked", "revoked", "revoked", "revoked"]);
  });

  test("a token of another repo is not revoked through this one", async () => {
    await svc.artifacts.create("tok-mine");
    const other = await svc.artifacts.create("tok-theirs");
    const mine = await svc.artifacts.get("tok-mine");
    const theirs = await svc.artifacts.get("tok-theirs");
    const t = await theirs.createToken("read", 600);
    expect(await mine.revokeToken(t.id)).toBe(false);
    expect(await mine.revokeToken(t.plaintext)).toBe(false);
    expect(await mine.revokeToken(other.token)).toBe(false);
    expect(await works(reachable(svc, other.remote), t.plaintext)).toBe(true);
    expect((await theirs.listTokens()).tokens.every((x) => x.state === "active")).toBe(true);
  });

  test("INVALID_INPUT for empty or malformed values", async () => {
    await svc.artifacts.create("tok-bad");
    const repo = await svc.artifacts.get("tok-bad");
    const revoke = repo.revokeToken as (v: unknown) => Promise<unknown>;
    const malformed = [
      "",
      "x",
      "0123456789abcde",
      "0123456789abcdefg",
      "0123456789ABCDEF",
      `art_v1_${"0".repeat(39)}`,
      `art_v1_${"G".repeat(40)}`,
      `art_v1_${"0".repeat(40)}?expires=`,
      `art_v1_${"0".repeat(40)}?foo=1`,
      `art_v3_${"0".repeat(40)}`,
      `art_v2_z_${"0".repeat(40)}`,
      ` art_v1_${"0".repeat(40)}`,
      123,
      null,
      undefined,
      {},
    ];
    for (const v of malformed) await fails(() => revoke(v), "INVALID_INPUT", "Invalid tokenOrId: must be a token id or artifact token.");
    expect((await repo.listTokens()).tokens.map((t) => t.state)).toEqual(["active"]);
  });
});
