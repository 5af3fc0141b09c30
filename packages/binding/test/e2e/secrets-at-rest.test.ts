// No secret is ever stored (issue 3): after a session that mints repo tokens (REST create, REST
// token routes), API tokens and uses them for Git push and clone, every file Miniflare persisted
// (Durable Object SQLite databases with their WAL, and anything else under the state directory) is
// read byte by byte and searched for each secret, in every form a client saw it. The search is
// shown to work by finding values that are stored on purpose (token ids, the repo name).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { apiToken, bearerArgs, call, createRepo, expectOk, startRest, type RestService } from "../rest/support.js";

let persist: string;
let svc: RestService | undefined;
let sb: GitSandbox;

beforeAll(async () => {
  persist = await mkdtemp(join(tmpdir(), "secrets-at-rest-"));
  sb = await GitSandbox.create("secrets-at-rest-");
});
afterAll(async () => {
  await svc?.close().catch(() => {});
  await sb?.dispose();
  await rm(persist, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe("secrets at rest", () => {
  test("no repo token or API token secret is in any persisted file; their ids are", async () => {
    svc = await startRest({ persistTo: persist });
    const secrets: string[] = [];
    const ids: string[] = [];

    const api = await apiToken(svc, { scopes: ["artifacts:write"] });
    secrets.push(api.value);
    ids.push(api.id);
    const created = await createRepo(svc, "vault", "secret-keeper-repo");
    const read = expectOk<{ id: string; plaintext: string }>(
      await call(`${svc.base}/namespaces/vault/tokens`, { method: "POST", body: { repo: "secret-keeper-repo", scope: "read" }, token: api.value }),
      201,
    );
    ids.push(read.id);
    for (const t of [created.token, read.plaintext]) secrets.push(t, t.split("?")[0]!, t.split("?")[0]!.replace(/^art_v\d_/, ""));

    // Use them: a push with the write token, a clone with the read token as the Basic password.
    const src = sb.path("src");
    await sb.ok(["init", "-q", src]);
    await sb.client(src).commit("c", { "a.txt": "hello\n" }, 1);
    await sb.ok([...bearerArgs(created.token), "push", "-q", created.remote, "main"], { cwd: src });
    const basic = created.remote.replace("http://", `http://x:${encodeURIComponent(read.plaintext.split("?")[0]!)}@`);
    await sb.ok(["clone", "-q", basic, sb.path("clone")]);

    // Secrets where they do not belong: pasted into repo paths (audited operations included), a
    // namespace, a query, a JSON body, a Git path, and as a Git credential for another repo.
    const asApi = { token: api.value };
    const secret = created.token.split("?")[0]!;
    for (const [method, url, body] of [
      ["GET", `${svc.base}/namespaces/vault/repos/${secret}`],
      ["DELETE", `${svc.base}/namespaces/vault/repos/${secret}`],
      ["DELETE", `${svc.base}/namespaces/vault/repos/${secret.toUpperCase()}`],
      ["POST", `${svc.base}/namespaces/vault/repos/${secret}/fork`, { name: "copy" }],
      ["POST", `${svc.base}/namespaces/vault/tokens`, { repo: secret, scope: "read" }],
      ["POST", `${svc.base}/namespaces/vault/tokens`, { repo: "secret-keeper-repo", ttl: created.token }],
      ["GET", `${svc.base}/namespaces/${api.value}/repos`],
      ["GET", `${svc.base}/namespaces/vault/repos?search=${encodeURIComponent(created.token)}`],
      ["GET", `${svc.base}/namespaces/vault/audit?principal=${encodeURIComponent(api.value)}`],
    ] as Array<[string, string, unknown?]>)
      await call(url, { method, ...asApi, ...(body !== undefined ? { body } : {}) });
    await fetch(`${svc.url}/git/vault/${secret}.git/info/refs?service=git-upload-pack`);
    const other = await createRepo(svc, "vault", "other-repo");
    await sb.run([...bearerArgs(created.token), "ls-remote", other.remote]);
    await sb.run([...bearerArgs(api.value), "ls-remote", created.remote]);

    // Our request logs hold none of it either (Miniflare's own access lines print raw paths; ours never do).
    const ours = svc.logs.filter((l) => l.includes('"msg"'));
    expect(ours.length).toBeGreaterThan(10);
    for (const s of [...secrets, api.value])
      for (const l of ours) expect(l.toLowerCase().includes(s.toLowerCase()), `a log line holds a secret: ${l}`).toBe(false);

    // Close first so everything is on disk (the WAL is searched too, checkpointed or not).
    await svc.close();
    svc = undefined;

    const files = await filesUnder(persist);
    expect(files.some((f) => f.endsWith(".sqlite"))).toBe(true);
    const contents = await Promise.all(files.map(async (f) => ({ f, bytes: await readFile(f) })));
    const found = (needle: string) => contents.filter(({ bytes }) => bytes.includes(Buffer.from(needle, "utf8"))).map(({ f }) => f);

    // The search sees what is stored on purpose, so finding nothing below means something.
    for (const id of ids) expect(found(id), `token id ${id} should be stored`).not.toEqual([]);
    expect(found("secret-keeper-repo")).not.toEqual([]);
    for (const s of secrets) expect(found(s), `a secret is stored in plaintext`).toEqual([]);
    for (const s of [secret.toUpperCase()]) expect(found(s), `a pasted secret is stored in plaintext`).toEqual([]);
  });
});
