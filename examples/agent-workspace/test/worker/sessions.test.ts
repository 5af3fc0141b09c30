import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pushFiles } from "artifacts-emulator/testing";

interface Session {
  id: string;
  repo: string;
  remote: string;
  token: string;
  tokenId: string;
  access: "read" | "write";
  expiresAt: string;
  forkedFrom?: string;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await SELF.fetch(`https://workspace.example${path}`, {
    method,
    ...(body !== undefined ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const newSession = async (body: unknown = { agent: "tester" }) => {
  const r = await call<Session>("POST", "/sessions", body);
  expect(r.status).toBe(201);
  return r.body;
};

describe("agent sessions", () => {
  it("creates one repo per session, with its remote and a short-lived write token", async () => {
    const before = Date.now();
    const s = await newSession();
    expect(s.repo).toBe(`session-${s.id}`);
    expect(s.remote).toMatch(new RegExp(`/git/agent-workspaces/session-${s.id}\\.git$`));
    expect(s.access).toBe("write");
    expect(s.token).toMatch(/^art_v\d_/);
    const ttl = (Date.parse(s.expiresAt) - before) / 1000;
    expect(ttl).toBeGreaterThan(850);
    expect(ttl).toBeLessThan(960); // SESSION_TOKEN_TTL = 900, not create()'s default day

    // Through the binding directly: the token create() returned was revoked, ours is the active one.
    const repo = await env.ARTIFACTS.get(s.repo);
    const { tokens } = await repo.listTokens();
    expect(tokens.filter((t) => t.state === "active").map((t) => t.id)).toEqual([s.tokenId]);
    expect(tokens.filter((t) => t.state === "revoked")).toHaveLength(1);
  });

  it("hands out read tokens on request and rejects unknown access levels", async () => {
    const s = await newSession({ access: "read", ttl: 120 });
    expect(s.access).toBe("read");
    const bad = await call<{ error: { code: string } }>("POST", "/sessions", { access: "admin" });
    expect(bad.status).toBe(400);
    const t = await call<{ access: string; token: string }>("POST", `/sessions/${s.id}/tokens`, { access: "write", ttl: 60 });
    expect(t.status).toBe(201);
    expect(t.body.access).toBe("write");
    const tooShort = await call<{ error: { code: string } }>("POST", `/sessions/${s.id}/tokens`, { ttl: 10 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.code).toBe("INVALID_TTL");
  });

  it("reads the files and history an agent pushed, through the binding", async () => {
    const s = await newSession();
    const first = await pushFiles({
      remote: s.remote,
      token: s.token,
      fetcher: env.ARTIFACTS_EMULATOR_HTTP,
      message: "Plan",
      files: { "PLAN.md": "# Plan\n1. read\n" },
    });
    const second = await pushFiles({
      remote: s.remote,
      token: s.token,
      fetcher: env.ARTIFACTS_EMULATOR_HTTP,
      message: "Implement",
      files: { "PLAN.md": "# Plan\n1. read\n2. write\n", "src/main.py": "print('hi')\n" },
    });
    expect(second.parent).toBe(first.commit);

    const file = await SELF.fetch(`https://workspace.example/sessions/${s.id}/files/src/main.py`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await file.text()).toBe("print('hi')\n");
    const old = await SELF.fetch(`https://workspace.example/sessions/${s.id}/files/PLAN.md?ref=${first.commit}`);
    expect(await old.text()).toBe("# Plan\n1. read\n");
    const missing = await SELF.fetch(`https://workspace.example/sessions/${s.id}/files/nope.txt`);
    expect(missing.status).toBe(404);

    const log = await call<{ commits: Array<{ hash: string; message: string; author: string }> }>("GET", `/sessions/${s.id}/log`);
    expect(log.body.commits.map((c) => c.message)).toEqual(["Implement", "Plan"]);
    expect(log.body.commits[0]!.hash).toBe(second.commit);
    expect(log.body.commits[0]!.author).toBe("Test Agent");

    const info = await call<{ history: unknown[]; lastPushAt: string | null }>("GET", `/sessions/${s.id}`);
    expect(info.body.history).toHaveLength(2);
    expect(info.body.lastPushAt).not.toBeNull();
  });

  it("forks a session: the fork starts from the source's history and diverges", async () => {
    const s = await newSession();
    const base = await pushFiles({ remote: s.remote, token: s.token, fetcher: env.ARTIFACTS_EMULATOR_HTTP, message: "Base", files: { "a.txt": "a\n" } });
    const f = await call<Session>("POST", `/sessions/${s.id}/fork`, { agent: "second-opinion" });
    expect(f.status).toBe(201);
    expect(f.body.forkedFrom).toBe(s.id);
    expect(f.body.id).not.toBe(s.id);

    const forkInfo = await call<{ source: string; history: Array<{ hash: string }> }>("GET", `/sessions/${f.body.id}`);
    expect(forkInfo.body.source).toBe(`artifacts:agent-workspaces/${s.repo}`);
    expect(forkInfo.body.history.map((c) => c.hash)).toEqual([base.commit]);

    await pushFiles({ remote: f.body.remote, token: f.body.token, fetcher: env.ARTIFACTS_EMULATOR_HTTP, message: "Alternative", files: { "a.txt": "b\n" } });
    expect(await (await SELF.fetch(`https://workspace.example/sessions/${f.body.id}/files/a.txt`)).text()).toBe("b\n");
    expect(await (await SELF.fetch(`https://workspace.example/sessions/${s.id}/files/a.txt`)).text()).toBe("a\n");
  });

  it("lists and deletes sessions", async () => {
    const s = await newSession();
    const list = await call<{ sessions: Array<{ id: string }> }>("GET", "/sessions");
    expect(list.body.sessions.map((x) => x.id)).toContain(s.id);
    const del = await call<{ deleted: boolean }>("DELETE", `/sessions/${s.id}`);
    expect(del.body.deleted).toBe(true);
    expect((await call("GET", `/sessions/${s.id}`)).status).toBe(404);
    expect((await call("DELETE", `/sessions/${s.id}`)).status).toBe(404);
    // ArtifactsError codes survive the RPC hop into the test isolate too.
    await expect(async () => await env.ARTIFACTS.get(s.repo)).rejects.toMatchObject({ name: "ArtifactsError", code: "NOT_FOUND" });
  });
});
