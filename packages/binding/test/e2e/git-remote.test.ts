// Git remotes served by the Worker in workerd, driven by the real git CLI with repo tokens.
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { ADMIN_TOKEN, startService, type ServiceHandle } from "../support/service.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let src: string;

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-git-");
  src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  const c = sb.client(src);
  await c.commit("first", { "README.md": "# hello\n", "src/a.ts": "export const a = 1;\n" }, 1);
  await c.commit("second", { "src/b.ts": "export const b = 2;\n" }, 2);
  await c.ok(["tag", "-a", "v1", "-m", "release"]);
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const bearer = (t: string) => ["-c", `http.extraHeader=Authorization: Bearer ${t}`];
const basicUrl = (remote: string, t: string) => remote.replace("http://", `http://x:${encodeURIComponent(t.split("?")[0]!)}@`);

describe("git remote", () => {
  test("push with a Bearer write token, clone with Basic auth, fsck clean, same tree", async () => {
    const r = await svc.artifacts.create("gitrepo");
    expect(r.remote).toMatch(/\/git\/default\/gitrepo\.git$/);
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    await sb.ok([...bearer(r.token), "push", "-q", remote, "main", "--tags"], { cwd: src });
    const dst = sb.path("clone");
    await sb.ok(["clone", "-q", basicUrl(remote, r.token), dst]);
    expect((await sb.ok(["fsck", "--full"], { cwd: dst })).trim()).toBe("");
    expect(await sb.client(dst).line(["rev-parse", "HEAD^{tree}"])).toBe(await sb.client(src).line(["rev-parse", "HEAD^{tree}"]));
    expect(await sb.client(dst).line(["tag", "-l"])).toBe("v1");

    const repo = await svc.artifacts.get("gitrepo");
    const info = await repo.info();
    expect(info.lastPushAt).not.toBeNull();
    const log = await repo.log();
    expect(log.map((c: { message: string }) => c.message)).toEqual(["second", "first"]);
    const file = await repo.readFile({ ref: "main", path: "src/a.ts" });
    expect(await file!.text()).toBe("export const a = 1;\n");
    expect(file!.type).toBe("text/plain;charset=utf-8");
  });

  test("an object stored across several 1 MiB payload rows comes back byte-exact (clone, readFile)", async () => {
    const r = await svc.artifacts.create("rows");
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    const dir = sb.path("rows-src");
    await sb.ok(["init", "-q", dir]);
    const big = randomBytes(2 * 1024 * 1024 + 12_345); // incompressible: three rows of zlib bytes
    await sb.client(dir).commit("big", { "big.bin": big }, 1);
    await sb.ok([...bearer(r.token), "push", "-q", remote, "main"], { cwd: dir });
    const dst = sb.path("rows-clone");
    await sb.ok([...bearer(r.token), "clone", "-q", remote, dst]);
    expect((await sb.ok(["fsck", "--full"], { cwd: dst })).trim()).toBe("");
    expect(await sb.client(dst).line(["rev-parse", "HEAD:big.bin"])).toBe(await sb.client(dir).line(["rev-parse", "HEAD:big.bin"]));
    const file = await (await svc.artifacts.get("rows")).readFile({ ref: "main", path: "big.bin" });
    expect(Buffer.from(await file!.arrayBuffer()).equals(big)).toBe(true);
  });

  test("no token is 401 with a Basic challenge; a read token cannot push (403); a wrong-repo token is 401; a revoked one is 403 naming why", async () => {
    const a = await svc.artifacts.create("authrepo");
    const b = await svc.artifacts.create("otherrepo");
    const remote = a.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    const none = await sb.run(["ls-remote", remote]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/Authentication failed|could not read Username/);
    const res = await fetch(`${remote}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="Artifacts"');
    await res.body?.cancel();

    const repo = await svc.artifacts.get("authrepo");
    const read = await repo.createToken("read", 3600);
    expect((await sb.run([...bearer(read.plaintext), "ls-remote", remote])).code).toBe(0);
    const push = await sb.run([...bearer(read.plaintext), "push", remote, "main"], { cwd: src });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);

    const wrong = await sb.run([...bearer(b.token), "ls-remote", remote]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed|could not read Username/);
    const direct = await fetch(`${remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${b.token}` } });
    expect(direct.status).toBe(401);
    await direct.body?.cancel();
    // The Basic form with the wrong repo's secret fails as an authentication error.
    const wrongBasic = await sb.run(["ls-remote", basicUrl(remote, b.token)]);
    expect(wrongBasic.stderr).toMatch(/Authentication failed/);

    expect(await repo.revokeToken(read.plaintext)).toBe(true);
    expect(await repo.revokeToken(read.id)).toBe(false);
    // git prints a 403's plain-text body as `remote: …`, with Bearer (where a 401 only makes git ask for a username) and Basic alike.
    for (const args of [
      ["ls-remote", basicUrl(remote, read.plaintext)],
      [...bearer(read.plaintext), "ls-remote", remote],
    ]) {
      const revoked = await sb.run(args);
      expect(revoked.code).not.toBe(0);
      expect(revoked.stderr).toMatch(/remote: Artifacts token revoked at \d{4}-\d\d-\d\dT/);
      expect(revoked.stderr).not.toMatch(/could not read Username/);
    }
    const audit = await fetch(`${svc.url}/client/v4/accounts/local/artifacts/namespaces/default/audit?action=git.fetch`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const entries = ((await audit.json()) as { result: Array<{ outcome: string; detail: string; principal: string }> }).result;
    expect(entries[0]).toMatchObject({ outcome: "denied", principal: `repo-token:${read.id}` });
    expect(entries[0]!.detail).toMatch(/^Artifacts token revoked at /);
    const tokens = await repo.listTokens();
    expect(tokens.tokens.find((t: { id: string }) => t.id === read.id)?.state).toBe("revoked");
  });

  test("a read-only repo refuses pushes with a clear message but serves clones", async () => {
    const r = await svc.artifacts.create("ro", { readOnly: true });
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    const push = await sb.run([...bearer(r.token), "push", remote, "main"], { cwd: src });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/read-only|403/);
    expect((await sb.run([...bearer(r.token), "ls-remote", remote])).code).toBe(0);
  });

  test("unknown repos answer 404 before authentication", async () => {
    const res = await fetch(`${svc.url}/git/default/nope.git/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });

  test.each([["git-upload-pack"], ["git-receive-pack"]])(
    "Content-Encoding: gzip on a body that is not gzip: %s answers 400 with one line, no stack trace",
    async (service) => {
      const r = await svc.artifacts.create(`gz-${service}`);
      const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
      await sb.ok([...bearer(r.token), "push", "-q", remote, "main"], { cwd: src });
      const head = await sb.client(src).line(["rev-parse", "HEAD"]);
      const body = service === "git-upload-pack" ? `0032want ${head}\n00000009done\n` : `0071${head} ${"0".repeat(40)} refs/heads/x\0report-status\n0000`;
      const res = await fetch(`${remote}/${service}`, {
        method: "POST",
        body,
        headers: { Authorization: `Bearer ${r.token}`, "Content-Type": `application/x-${service}-request`, "Content-Encoding": "gzip" },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toBe("Request body is not valid gzip data (Content-Encoding: gzip)\n");
    },
  );

  test("a delta that declares a 4 GiB result (or 2^60 bytes) is refused as an unpack error, and the repo still serves", async () => {
    const r = await svc.artifacts.create("huge-delta");
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    await sb.ok([...bearer(r.token), "push", "-q", remote, "main"], { cwd: src });
    const before = await sb.ok([...bearer(r.token), "ls-remote", remote]);
    const { createHash } = await import("node:crypto");
    const { deflateSync } = await import("node:zlib");
    for (const result of [
      [0x85, 0x80, 0x80, 0x80, 0x10],
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10],
    ]) {
      // PACK v2, 2 objects: a 5-byte blob, then an OFS_DELTA on it declaring the huge result (the 210-byte push).
      const instructions = Buffer.from([5, ...result, 0x90, 5]);
      const body = Buffer.concat([
        Buffer.from("PACK\0\0\0\x02\0\0\0\x02", "latin1"),
        Buffer.from([0x35]),
        deflateSync("base\n"),
        Buffer.from([0x60 | instructions.length]),
        Buffer.from([0x0c]),
        deflateSync(instructions),
      ]);
      // the OFS_DELTA offset back to the blob at 12 is the delta's own offset minus 12
      body[12 + 1 + deflateSync("base\n").length + 1] = 1 + deflateSync("base\n").length;
      const pack = Buffer.concat([body, createHash("sha1").update(body).digest()]);
      const cmd = `${"0".repeat(40)} ${"1".repeat(40)} refs/heads/huge\0report-status\n`;
      const req = Buffer.concat([Buffer.from((cmd.length + 4).toString(16).padStart(4, "0") + cmd), Buffer.from("0000"), pack]);
      const res = await fetch(`${remote}/git-receive-pack`, {
        method: "POST",
        body: req,
        headers: { Authorization: `Bearer ${r.token}`, "Content-Type": "application/x-git-receive-pack-request" },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/unpack (delta result of \d+ bytes is over the object size limit of 33554432|delta: size header too long)/);
      expect(text).toContain("ng refs/heads/huge unpacker error");
    }
    expect(await sb.ok([...bearer(r.token), "ls-remote", remote])).toBe(before);
  });

  test("only GET info/refs and POST to the two services exist: other methods are 404 'Not found' (docs/contract.md 'Git over HTTP')", async () => {
    const r = await svc.artifacts.create("methods");
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    const auth = { Authorization: `Bearer ${r.token}` };
    const tries: Array<[string, string]> = [
      ["POST", "info/refs?service=git-upload-pack"],
      ["PUT", "info/refs?service=git-receive-pack"],
      ["HEAD", "info/refs?service=git-upload-pack"],
      ["DELETE", "info/refs?service=git-upload-pack"],
      ["GET", "git-upload-pack"],
      ["GET", "git-receive-pack"],
      ["PUT", "git-receive-pack"],
      ["PATCH", "git-upload-pack"],
      ["OPTIONS", "git-upload-pack"],
    ];
    for (const [method, path] of tries) {
      const res = await fetch(`${remote}/${path}`, { method, headers: auth, ...(method === "PUT" || method === "PATCH" ? { body: "x" } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      if (method !== "HEAD") expect(await res.text(), `${method} ${path}`).toBe("Not found\n");
      else await res.body?.cancel();
    }
    // The four real requests still work.
    const ok = await fetch(`${remote}/info/refs?service=git-upload-pack`, { headers: auth });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  test("the 256 MiB body limit is checked after the repo lookup and authentication (docs/contract.md 'Git request checks', 'Limits')", async () => {
    const r = await svc.artifacts.create("bodylimit");
    const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
    const MiB = 1024 * 1024;
    const write = { Authorization: `Bearer ${r.token}` };
    const read = { Authorization: `Bearer ${(await (await svc.artifacts.get("bodylimit")).createToken("read", 3600)).plaintext}` };
    // Anonymous 150 MiB POSTs: 404 for a repo that does not exist, 401 for one that does.
    expect(await declaredPost(`${svc.url}/git/default/nope.git/git-receive-pack`, 150 * MiB)).toBe(404);
    expect(await declaredPost(`${remote}/git-receive-pack`, 150 * MiB)).toBe(401);
    // A read token pushing is refused for its scope, whatever the size.
    expect(await declaredPost(`${remote}/git-receive-pack`, 300 * MiB, read)).toBe(403);
    // Over 256 MiB: refused unread.
    expect(await declaredPost(`${remote}/git-upload-pack`, 256 * MiB + 1, write)).toBe(413);
    // 101 MiB (over the old 100 MiB limit) is under it: the engine reads all of it (zeros are flush
    // packets: a push with no commands, git's probe, whose body is drained) and answers 200.
    expect(await declaredPost(`${remote}/git-receive-pack`, 101 * MiB, write, true)).toBe(200);
  });
});

/**
 * A POST that declares `length` bytes; the status of the answer. With `send`, that many zero bytes
 * follow; without, none do, so only an answer given before the body is read can arrive.
 */
function declaredPost(url: string, length: number, headers: Record<string, string> = {}, send = false): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "POST",
        headers: {
          "Content-Type": `application/x-${u.pathname.endsWith("receive-pack") ? "git-receive-pack" : "git-upload-pack"}-request`,
          "Content-Length": String(length),
          ...headers,
        },
      },
      (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    let answered = false;
    // A server that answers before reading the whole body may reset the upload (EPIPE/ECONNRESET) just
    // before its answer arrives: wait a moment for it, but never hang on a connection that gave none.
    req.on("error", (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ECONNRESET" || code === "EPIPE")
        setTimeout(() => answered || reject(new Error(`${url}: connection closed with no answer (${code})`)), 5000);
      else reject(e);
    });
    if (!send) return void req.flushHeaders();
    // ASCII "0": the body is "0000" flush packets, which the engine reads to the end. (Zero bytes
    // are not a pkt-line: the engine answered after 4 bytes and dropped the connection under the
    // upload, and a reset before the answer left this promise unsettled.)
    const chunk = new Uint8Array(MiB_CHUNK).fill(0x30);
    let left = length;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}
const MiB_CHUNK = 1024 * 1024;
