// Read routes (docs/contract.md "REST routes" routes 13–18) over content pushed by the real git CLI.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GitSandbox, dateEnv } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectFail, expectOk, repoUrl, startRest, type RestService } from "./support.js";

let svc: RestService;
let sb: GitSandbox;
const NS = "rd";
const ids: Record<string, string> = {};
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const BIN = Buffer.from([1, 2, 0, 3, 4]);
const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1: not UTF-8

beforeAll(async () => {
  svc = await startRest();
  sb = await GitSandbox.create("rest-reads-");
  const src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  const c = sb.client(src);
  ids.first = await c.commit("first\n\nbody line", { "README.md": "# hello\n" }, 1);
  await mkdir(join(src, "src/deep"), { recursive: true });
  await writeFile(join(src, "src/deep/a.ts"), "export const a = 1;\n");
  await writeFile(join(src, "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(src, "run.sh"), 0o755);
  await symlink("README.md", join(src, "link"));
  await writeFile(join(src, "page.html"), "<script>alert(1)</script>\n");
  await writeFile(join(src, "logo.PNG"), PNG);
  await writeFile(join(src, "data.bin"), BIN);
  await writeFile(join(src, "latin1.txt"), LATIN1);
  await c.ok(["add", "-A"]);
  await c.ok(["commit", "-q", "-m", "second"], { env: dateEnv(2) });
  ids.second = await c.line(["rev-parse", "HEAD"]);
  await c.ok(["tag", "-a", "v1", "-m", "release"]);
  await c.ok(["checkout", "-q", "-b", "feature/x"]);
  ids.feature = await c.commit("on feature", { "README.md": "# feature\n" }, 3);
  await c.ok(["checkout", "-q", "main"]);
  ids.third = await c.commit("third", { "README.md": "# hello again\n" }, 4);
  ids.tree = await c.line(["rev-parse", "HEAD^{tree}"]);
  ids.readmeBlob = await c.line(["rev-parse", "HEAD:README.md"]);
  ids.srcTree = await c.line(["rev-parse", "HEAD:src"]);

  const repo = await createRepo(svc, NS, "content");
  await sb.ok([...bearerArgs(repo.token), "push", "-q", repo.remote, "main", "feature/x", "--tags"], { cwd: src });
  await createRepo(svc, NS, "empty");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const base = () => repoUrl(svc, NS, "content");
const raw = (path: string, init: RequestInit = {}) =>
  fetch(`${base()}/${path}`, { ...init, headers: { Authorization: `Bearer test-admin-token-0123456789`, ...init.headers } });

describe("read routes", () => {
  test("blob: the raw bytes, never sniffed, cacheable forever; 404 for a missing or non-blob object; 400 for a bad hash", async () => {
    const r = await raw(`blob/${ids.readmeBlob}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("# hello again\n");
    expect(r.headers.get("content-type")).toBe("application/octet-stream");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("cache-control")).toMatch(/immutable/);
    expectFail(await call(`${base()}/blob/${"0".repeat(40)}`), 404, 10200);
    expectFail(await call(`${base()}/blob/${ids.tree}`), 404, 10200);
    for (const h of ["abc", "G".repeat(40), ids.readmeBlob!.toUpperCase()]) expectFail(await call(`${base()}/blob/${h}`), 400, 10100);
  });

  test("tree: the immediate entries with canonical modes and derived types", async () => {
    const entries = expectOk<Array<{ name: string; mode: string; hash: string; type: string }>>(await call(`${base()}/tree/${ids.tree}`));
    const by = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(entries.map((e) => e.name)).toEqual(["README.md", "data.bin", "latin1.txt", "link", "logo.PNG", "page.html", "run.sh", "src"]);
    expect(by.src).toEqual({ name: "src", mode: "40000", hash: ids.srcTree, type: "tree" });
    expect(by["run.sh"]).toMatchObject({ mode: "100755", type: "exec" });
    expect(by.link).toMatchObject({ mode: "120000", type: "symlink" });
    expect(by["README.md"]).toEqual({ name: "README.md", mode: "100644", hash: ids.readmeBlob, type: "blob" });
    expectFail(await call(`${base()}/tree/${"1".repeat(40)}`), 404, 10200);
    expectFail(await call(`${base()}/tree/${ids.readmeBlob}`), 404, 10200);
  });

  test("commit: metadata in snake_case, message without its final newline, times in Unix seconds", async () => {
    const m = expectOk<Record<string, unknown>>(await call(`${base()}/commit/${ids.second}`));
    expect(Object.keys(m).sort()).toEqual(["author", "authored_at", "committed_at", "committer", "hash", "message", "parents", "tree_hash"]);
    expect(m).toMatchObject({
      hash: ids.second,
      message: "second",
      parents: [ids.first],
      author: { name: "Conformance Test", email: "test@example.com" },
      authored_at: 1577836800 + 2 * 86400,
      committed_at: 1577836800 + 2 * 86400,
    });
    expect(expectOk<{ message: string; parents: string[] }>(await call(`${base()}/commit/${ids.first}`))).toMatchObject({
      message: "first\n\nbody line",
      parents: [],
    });
    expectFail(await call(`${base()}/commit/${ids.tree}`), 404, 10200);
    expectFail(await call(`${base()}/commit/${"2".repeat(40)}`), 404, 10200);
  });

  test("file?ref=&path=: bytes with the browser-safe type; 404 for absent paths, directories and escapes; 400 without a path", async () => {
    const r = await raw(`file?ref=main&path=src/deep/a.ts`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("export const a = 1;\n");
    expect(r.headers.get("content-type")).toBe("text/plain;charset=utf-8");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await (await raw(`file?path=README.md`)).text()).toBe("# hello again\n");
    expect(await (await raw(`file?ref=v1&path=/README.md`)).text()).toBe("# hello\n");
    expect(await (await raw(`file?ref=${ids.first}&path=./README.md`)).text()).toBe("# hello\n");
    expect(await (await raw(`file?ref=feature/x&path=README.md`)).text()).toBe("# feature\n");
    expect(await (await raw(`file?ref=main&path=link`)).text()).toBe("README.md");
    for (const q of ["ref=main&path=nope", "ref=main&path=src", "ref=main&path=../README.md", "ref=nope&path=README.md", "ref=refs/notes/x&path=README.md"])
      expectFail(await call(`${base()}/file?${q}`), 404, 10200);
    expectFail(await call(`${base()}/file?ref=main`), 400, 10100);
  });

  test("raw/<ref>/<path>: sniffed types, nosniff and a sandboxing CSP; refs with slashes, tags and commit ids", async () => {
    const cases: Array<[string, string, string | Buffer]> = [
      ["main/README.md", "text/plain;charset=utf-8", "# hello again\n"],
      ["main/page.html", "text/plain;charset=utf-8", "<script>alert(1)</script>\n"],
      ["main/logo.PNG", "image/png", PNG],
      ["main/data.bin", "application/octet-stream", BIN],
      ["main/latin1.txt", "application/octet-stream", LATIN1],
      ["main/src/deep/a.ts", "text/plain;charset=utf-8", "export const a = 1;\n"],
      ["feature/x/README.md", "text/plain;charset=utf-8", "# feature\n"],
      ["feature%2Fx/README.md", "text/plain;charset=utf-8", "# feature\n"],
      ["v1/README.md", "text/plain;charset=utf-8", "# hello\n"],
      [`${ids.feature}/README.md`, "text/plain;charset=utf-8", "# feature\n"],
      ["HEAD/README.md", "text/plain;charset=utf-8", "# hello again\n"],
    ];
    for (const [path, type, body] of cases) {
      const r = await raw(`raw/${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type"), path).toBe(type);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("content-security-policy")).toMatch(/sandbox/);
      expect(Buffer.from(await r.arrayBuffer()).equals(Buffer.from(body)), path).toBe(true);
    }
    const head = await raw("raw/main/README.md", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/plain;charset=utf-8");
    expect(await head.text()).toBe("");
    for (const p of ["main/nope.txt", "nope/README.md", "main/src", "main/../README.md"]) expectFail(await call(`${base()}/raw/${p}`), 404, 10200);
    expectFail(await call(`${base()}/raw/main`), 404, 10200);
  });

  test("log: first-parent history in snake_case; ref, limit and offset; [] for unknown refs and empty repos", async () => {
    const all = expectOk<Array<{ hash: string; message: string; tree_hash: string }>>(await call(`${base()}/log`));
    expect(all.map((c) => c.hash)).toEqual([ids.third, ids.second, ids.first]);
    expect(all[0]!.tree_hash).toBe(ids.tree);
    expect(expectOk<Array<{ hash: string }>>(await call(`${base()}/log?ref=feature/x`)).map((c) => c.hash)).toEqual([ids.feature, ids.second, ids.first]);
    expect(expectOk<Array<{ hash: string }>>(await call(`${base()}/log?limit=1&offset=1`)).map((c) => c.hash)).toEqual([ids.second]);
    expect(expectOk(await call(`${base()}/log?limit=5000`))).toHaveLength(3);
    expect(expectOk(await call(`${base()}/log?ref=nope`))).toEqual([]);
    expect(expectOk(await call(`${repoUrl(svc, NS, "empty")}/log`))).toEqual([]);
    for (const q of ["limit=0", "limit=x", "offset=-1", "offset=1.5"]) expectFail(await call(`${base()}/log?${q}`), 400, 10100);
  });

  test("every read route is 404 for a missing repo and 400 for a bad name", async () => {
    const missing = repoUrl(svc, NS, "missing");
    for (const p of [`blob/${ids.readmeBlob}`, `tree/${ids.tree}`, `commit/${ids.second}`, "file?path=README.md", "raw/main/README.md", "log"]) {
      expectFail(await call(`${missing}/${p}`), 404, 10200);
      expectFail(await call(`${repoUrl(svc, NS, "-bad")}/${p}`), 400, 10101);
    }
    expectFail(await call(`${repoUrl(svc, NS, "empty")}/file?path=README.md`), 404, 10200);
  });
});
