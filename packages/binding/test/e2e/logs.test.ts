// Operations (issue 6): one structured JSON log line per HTTP request (method, route template,
// status, duration, principal id), and no secret anywhere in the logs of a whole session: REST
// with API tokens and the operator token, Git push and clone with repo tokens (Bearer and Basic),
// token creation and revocation, refusals, and a token pasted into a path.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { ADMIN_TOKEN, apiToken, bearerArgs, call, createRepo, expectOk, repoUrl, startRest, type RestService } from "../rest/support.js";

let svc: RestService;
let sb: GitSandbox;

beforeAll(async () => {
  svc = await startRest();
  sb = await GitSandbox.create("logs-");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

interface Line {
  level: string;
  msg: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  principal: string;
  namespace?: string;
  repo?: string;
}

/** The Worker's JSON lines among everything logged (Miniflare prefixes structured lines with their level). */
const jsonLines = (logs: string[]) =>
  logs.flatMap((l) => {
    const i = l.indexOf("{");
    if (i < 0) return [];
    try {
      return [JSON.parse(l.slice(i)) as Line];
    } catch {
      return [];
    }
  });

/**
 * Structured lines reach us from workerd's output asynchronously: wait until `enough` holds for
 * the lines logged since `from` and nothing new has arrived for a moment (or 15 s pass, after
 * which the assertions below report what is missing).
 */
async function settledLogs(from: number, enough: (lines: Line[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let count = -1;
  while (Date.now() < deadline) {
    const logs = svc.logs.slice(from);
    if (logs.length === count && enough(jsonLines(logs).filter((l) => l.msg === "request"))) return logs;
    count = logs.length;
    await new Promise((r) => setTimeout(r, 250));
  }
  return svc.logs.slice(from);
}

describe("request logs", () => {
  test("a full session logs one JSON line per request, with ids and route templates, and never a secret", async () => {
    const from = svc.logs.length;
    const secrets: string[] = [ADMIN_TOKEN];
    let restCalls = 0;
    const rest = async (...args: Parameters<typeof call>) => {
      restCalls++;
      return call(...args);
    };

    // REST with an API token: create a repo (its first write token comes back), read, mint more tokens.
    const api = await apiToken(svc, { scopes: ["artifacts:read", "artifacts:write"] });
    restCalls++;
    secrets.push(api.value);
    const asApi = { token: api.value };
    const created = expectOk<{ token: string; remote: string }>(await rest(repoUrl(svc, "logs"), { method: "POST", body: { name: "session" }, ...asApi }), 201);
    secrets.push(created.token, created.token.split("?")[0]!);
    const read = expectOk<{ id: string; plaintext: string }>(
      await rest(`${svc.base}/namespaces/logs/tokens`, { method: "POST", body: { repo: "session", scope: "read" }, ...asApi }),
      201,
    );
    secrets.push(read.plaintext, read.plaintext.split("?")[0]!);

    // Git: push with Bearer, clone with Basic (the secret in the URL), a refused push, a wrong token.
    const src = sb.path("src");
    await sb.ok(["init", "-q", src]);
    await sb.client(src).commit("c", { "a.txt": "a\n" }, 1);
    await sb.ok([...bearerArgs(created.token), "push", "-q", created.remote, "main"], { cwd: src });
    const basic = created.remote.replace("http://", `http://x:${encodeURIComponent(created.token.split("?")[0]!)}@`);
    secrets.push(Buffer.from(`x:${created.token.split("?")[0]}`).toString("base64"));
    await sb.ok(["clone", "-q", basic, sb.path("clone")]);
    expect((await sb.run([...bearerArgs(read.plaintext), "push", created.remote, "main"], { cwd: src })).code).not.toBe(0);
    const wrong = `art_v1_${"0".repeat(40)}`;
    expect((await sb.run([...bearerArgs(wrong), "ls-remote", created.remote])).code).not.toBe(0);

    // More REST: reads, token list and revoke, a repo token on REST (401), a token pasted into a path (404).
    expectOk(await rest(`${repoUrl(svc, "logs", "session")}/log`, asApi));
    expectOk(await rest(`${repoUrl(svc, "logs", "session")}/tokens?state=all`, asApi));
    expectOk(await rest(`${svc.base}/namespaces/logs/tokens/${read.id}`, { method: "DELETE", ...asApi }));
    expect((await rest(repoUrl(svc, "logs"), { token: created.token })).status).toBe(401);
    // A token-shaped string pasted into a path (not a live secret: Miniflare's own request log prints raw paths).
    const pasted = `art_v1_${"ab".repeat(20)}`;
    expect((await rest(`${svc.base}/namespaces/logs/repos/session/${pasted}`, asApi)).status).toBe(404);
    expectOk(await rest(repoUrl(svc, "logs"))); // the operator token (the default credential of `call`)

    const logs = await settledLogs(from, (ls) => ls.filter((l) => !l.route.startsWith("/git/")).length >= restCalls);
    const lines = jsonLines(logs).filter((l) => l.msg === "request");

    // No secret in any line: whole tokens, their secrets, the Basic credential, the operator token.
    for (const s of secrets) for (const l of logs) expect(l.includes(s), `a log line contains a secret: ${l}`).toBe(false);
    // Our own lines carry nothing token-shaped at all, not even what a client pasted into a path.
    for (const l of logs.filter((x) => x.includes('"msg"'))) expect(l).not.toMatch(/art_v1_|art_v2_|cfat_/);

    // One line per request: the REST calls made here, and one per Git request Miniflare saw.
    const gitSeen = logs.filter((l) =>
      /^(GET|POST) \/git\//.test(l.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "").replace(/^\[[^\]]*\]\s*/, "")),
    ).length;
    const restLines = lines.filter((l) => !l.route.startsWith("/git/"));
    const gitLines = lines.filter((l) => l.route.startsWith("/git/"));
    expect(restLines.length).toBe(restCalls);
    expect(gitLines.length).toBeGreaterThanOrEqual(6);
    if (gitSeen > 0) expect(gitLines.length).toBe(gitSeen);

    for (const l of lines) {
      expect(l).toMatchObject({
        level: expect.stringMatching(/^(info|error)$/),
        method: expect.stringMatching(/^[A-Z]+$/),
        status: expect.any(Number),
        duration_ms: expect.any(Number),
        principal: expect.any(String),
      });
      // Route templates, not paths: no names, ids or anything a client put in the path.
      expect(l.route).not.toMatch(/session|logs|art_/);
    }
    const principals = new Set(lines.map((l) => l.principal));
    expect(principals).toContain(`api-token:${api.id}`);
    expect(principals).toContain("admin");
    expect([...principals].some((p) => /^repo-token:[0-9a-z]{16}$/.test(p))).toBe(true);
    expect(principals).toContain("anonymous");
    const push = lines.find((l) => l.route === "/git/:ns/:repo.git/git-receive-pack" && l.status === 200);
    expect(push).toMatchObject({ method: "POST", namespace: "logs", repo: "session", principal: expect.stringMatching(/^repo-token:/) });
    expect(lines.find((l) => l.route === "/client/v4/accounts/:account_id/artifacts/namespaces/:ns/repos" && l.method === "POST")).toMatchObject({
      status: 201,
      principal: `api-token:${api.id}`,
      namespace: "logs",
    });
    expect(lines.some((l) => l.status === 401 && l.route.startsWith("/git/"))).toBe(true);
    expect(lines.some((l) => l.status === 404 && l.route === "unmatched")).toBe(true);
  });

  test("live tokens pasted into a repo path, a namespace, a query or a Git path never reach our log lines", async () => {
    const api = await apiToken(svc, { scopes: ["artifacts:read", "artifacts:write"] });
    const created = await createRepo(svc, "pasted", "holder");
    const repoSecret = created.token.split("?")[0]!;
    const from = svc.logs.length;
    const asApi = { token: api.value };
    // A repo token is a valid repo name: the route matches and the name reaches the `repo` field.
    expect((await call(repoUrl(svc, "pasted", repoSecret), asApi)).status).toBe(404);
    expect((await call(`${repoUrl(svc, "pasted", repoSecret)}/log`, asApi)).status).toBe(404);
    expect((await call(repoUrl(svc, "pasted", repoSecret.toUpperCase()), asApi)).status).toBe(404);
    expect((await call(`${svc.base}/namespaces/${api.value}/repos`)).status).toBe(200);
    expect((await call(`${repoUrl(svc, "pasted")}?search=${encodeURIComponent(created.token)}`, asApi)).status).toBe(200);
    expect((await fetch(`${svc.url}/git/pasted/${repoSecret}.git/info/refs?service=git-upload-pack`)).status).toBe(404);
    expect((await fetch(`${svc.url}/git/${api.value}/holder.git/info/refs?service=git-upload-pack`)).status).toBe(404);
    const ours = (await settledLogs(from, (ls) => ls.length >= 7)).filter((l) => l.includes('"msg"'));
    expect(jsonLines(ours).filter((l) => l.msg === "request").length).toBeGreaterThanOrEqual(7);
    for (const l of ours) {
      for (const secret of [repoSecret, api.value, created.token])
        expect(l.toLowerCase().includes(secret.toLowerCase()), `a log line contains a secret: ${l}`).toBe(false);
      expect(l).not.toMatch(/art_v1_|art_v2_|cfat_/i);
    }
    expect(jsonLines(ours).some((l) => l.repo === "[redacted]")).toBe(true);
  });

  test("the health route answers without credentials, on both paths, and is logged by its template", async () => {
    const from = svc.logs.length;
    for (const path of ["/health", "/cdn-cgi/artifacts/health"]) {
      const res = await fetch(`${svc.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, service: "artifacts-emulator" });
    }
    const lines = jsonLines(await settledLogs(from, (ls) => ls.length >= 2)).filter((l) => l.msg === "request");
    expect(lines.map((l) => [l.route, l.status, l.principal])).toEqual([
      ["/health", 200, "anonymous"],
      ["/cdn-cgi/artifacts/health", 200, "anonymous"],
    ]);
  });

  test("REQUEST_LOG=off silences the request lines", async () => {
    const quiet = await startRest({ vars: { REQUEST_LOG: "off" } });
    try {
      expectOk(await call(`${quiet.url}/client/v4/accounts/x/artifacts/namespaces/q/repos`));
      await new Promise((r) => setTimeout(r, 200));
      expect(jsonLines(quiet.logs).filter((l) => l.msg === "request")).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
