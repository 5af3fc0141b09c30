/**
 * docs/git-protocol.md "Conformance scenarios" A (discovery): ls-remote over v0/v1/v2, filters, empty repos, and the raw HTTP surface of
 * gitprotocol-http "Smart Clients" / "Smart Service git-upload-pack".
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSourceRepo, DELIM, FLUSH, parsePktLines, pkt, seed, type SourceRepo } from "../support/fixtures";
import { GitSandbox } from "../support/git";
import { type GitServer, normalize, Oracle, SERVERS } from "../support/server";

let sb: GitSandbox;
let source: SourceRepo;
const oracle = new Oracle((o) => seed(o, "src", source.client));

beforeAll(async () => {
  sb = await GitSandbox.create();
  source = await buildSourceRepo(sb);
});
afterAll(async () => {
  await oracle.close();
  await sb?.dispose();
});

const NO_CACHE = { "cache-control": /no-cache/, pragma: /^no-cache$/ };

async function get(url: string, headers: Record<string, string> = {}): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(20_000) });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(url, { method: "POST", body: new Uint8Array(body), headers, signal: AbortSignal.timeout(20_000) });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

function expectNoCache(res: Response): void {
  for (const [name, re] of Object.entries(NO_CACHE)) expect(res.headers.get(name), name).toMatch(re);
  const expires = res.headers.get("expires");
  if (expires !== null) expect(Date.parse(expires)).toBeLessThan(Date.now());
}

describe.each(SERVERS)("discovery against %s", (_name, start) => {
  let srv: GitServer;
  beforeAll(async () => {
    srv = await start();
    await seed(srv, "src", source.client);
    await srv.createRepo("empty");
  });
  afterAll(async () => {
    await srv?.close();
  });

  const lsRemote = async (s: GitServer, repo: string, ...args: string[]) => {
    const { config, flags, patterns } = splitArgs(args);
    const r = await sb.run([...config, "ls-remote", ...flags, s.url(repo), ...patterns]);
    return { code: r.code, stdout: r.stdout, stderr: normalize(r.stderr, s) };
  };

  test("ls-remote (v2 default) lists HEAD, every ref and peeled tags, as the source repo does", async () => {
    const truth = await source.client.ok(["ls-remote", source.dir]);
    const r = await lsRemote(srv, "src");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(truth);
    expect(r.stdout).toMatch(/\trefs\/tags\/v1\.0\^\{\}\n/);
  });

  test.each([
    ["v0 --symref", ["-c", "protocol.version=0", "--symref"]],
    ["v1", ["-c", "protocol.version=1", "--symref"]],
    ["v2 --symref", ["-c", "protocol.version=2", "--symref"]],
  ])("ls-remote %s equals the oracle, with ^{} lines and the HEAD symref", async (key, args) => {
    const r = await lsRemote(srv, "src", ...args);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("ref: refs/heads/main\tHEAD");
    expect(r.stdout).toContain("refs/tags/v1.0-nested^{}");
    expect(r).toEqual(await oracle.run(`ls-remote ${key}`, (o) => lsRemote(o, "src", ...args)));
  });

  test("protocol.version=1 is answered with `version 1`", async () => {
    const r = await sb.run(["-c", "protocol.version=1", "ls-remote", srv.url("src")], { env: { GIT_TRACE_PACKET: "1" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/git< version 1\n/);
  });

  test.each([
    ["--heads v2", ["--heads"]],
    ["--heads v0", ["-c", "protocol.version=0", "--heads"]],
    ["--tags v1* v2", ["--tags", "v1*"]],
    ["--tags v1* v0", ["-c", "protocol.version=0", "--tags", "v1*"]],
    ["ref pattern v2", ["--", "refs/heads/main"]],
    ["ref pattern v0", ["-c", "protocol.version=0", "--", "refs/heads/main"]],
    ["non-ascii branch v2", ["--", "refs/heads/ünï"]],
  ])("ls-remote %s equals the oracle", async (key, args) => {
    const r = await lsRemote(srv, "src", ...args);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toBe("");
    expect(r).toEqual(await oracle.run(`ls-remote ${key}`, (o) => lsRemote(o, "src", ...args)));
  });

  test("v2 ls-remote --heads sends ref-prefix and the server returns only matching refs", async () => {
    const r = await sb.run(["ls-remote", "--heads", srv.url("src")], { env: { GIT_TRACE_PACKET: "1" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ls-remote> ref-prefix refs\/heads\/\n/);
    const received = [...r.stderr.matchAll(/ls-remote< [0-9a-f]{40} (\S+)/g)].map((m) => m[1]);
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((ref) => !ref!.startsWith("refs/heads/"))).toEqual([]);
  });

  test.each([["0"], ["1"], ["2"]])("empty repo: ls-remote v%s exits 0 and prints nothing", async (v) => {
    const r = await sb.run(["-c", `protocol.version=${v}`, "ls-remote", srv.url("empty")]);
    expect(r).toMatchObject({ code: 0, stdout: "" });
  });

  test("empty repo: clone warns and takes the server's default branch (v2 unborn)", async () => {
    await srv.createRepo("empty-push");
    const dir = sb.path("empty-clone");
    const r = await sb.run(["-c", "init.defaultBranch=trunk", "clone", srv.url("empty-push"), dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: You appear to have cloned an empty repository.");
    expect(await sb.client(dir).line(["symbolic-ref", "HEAD"])).toBe("refs/heads/main");
    // and the clone can push its first commit back
    const g = sb.client(dir);
    await g.commit("first", { "a.txt": "a\n" }, 1);
    await g.ok(["push", "-q", "origin", "main"]);
  });

  test("empty repo: v0 clone behaves as with the oracle", async () => {
    const scenario = async (s: GitServer) => {
      const dir = sb.path("empty-clone-v0");
      const r = await sb.run(["-c", "init.defaultBranch=trunk", "-c", "protocol.version=0", "clone", s.url("empty-v0"), dir]);
      const head = await sb.client(dir).line(["symbolic-ref", "HEAD"]);
      return { code: r.code, stderr: normalize(r.stderr, s).replace(dir, "<dir>"), head };
    };
    await srv.createRepo("empty-v0");
    expect(await scenario(srv)).toEqual(
      await oracle.run("empty v0 clone", async (o) => {
        await o.createRepo("empty-v0");
        return scenario(o);
      }),
    );
  });

  test("unknown repo: git says it is not found, as with the oracle", async () => {
    const scenario = async (s: GitServer) => {
      const r = await sb.run(["ls-remote", s.url("does-not-exist")]);
      return { code: r.code, stderr: normalize(r.stderr, s) };
    };
    const r = await scenario(srv);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not found");
    expect(r).toEqual(await oracle.run("unknown repo", scenario));
  });

  describe("raw HTTP", () => {
    test("GET info/refs?service=git-upload-pack (v0)", async () => {
      const { res, body } = await get(`${srv.url("src")}/info/refs?service=git-upload-pack`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
      expectNoCache(res);
      expect(body.toString("latin1").startsWith("001e# service=git-upload-pack\n0000")).toBe(true);
      const { lines, error } = parsePktLines(body);
      expect(error).toBeUndefined();
      expect(lines.at(-1)).toBe("0000");
      // HEAD first, capabilities after NUL on the first ref
      expect(lines[2]).toMatch(new RegExp(`^${source.main.at(-1)} HEAD\\0.*\\bsymref=HEAD:refs/heads/main\\b`));
      expect(lines[2]).toMatch(/\bside-band-64k\b/);
      expect(lines[2]).toMatch(/\bofs-delta\b/);
      expect(lines[2]).toMatch(/\bshallow\b/);
      expect(lines).toContain(`${source.main.at(-1)} refs/heads/main\n`);
      expect(lines.some((l) => l.endsWith(" refs/tags/v1.0^{}\n"))).toBe(true);
    });

    test("GET info/refs with Git-Protocol: version=2 is a capability list without # service", async () => {
      const { res, body } = await get(`${srv.url("src")}/info/refs?service=git-upload-pack`, {
        "Git-Protocol": "version=2",
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
      expectNoCache(res);
      expect(body.toString("latin1").startsWith("000eversion 2\n")).toBe(true);
      const { lines, error } = parsePktLines(body);
      expect(error).toBeUndefined();
      expect(lines.at(-1)).toBe("0000");
      expect(lines).toContain("ls-refs=unborn\n");
      expect(lines.find((l) => l.startsWith("fetch="))).toMatch(/^fetch=.*\bshallow\b/);
      expect(lines).toContain("object-format=sha1\n");
    });

    test("GET info/refs?service=git-receive-pack", async () => {
      const { res, body } = await get(`${srv.url("src")}/info/refs?service=git-receive-pack`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-git-receive-pack-advertisement");
      expectNoCache(res);
      expect(body.toString("latin1").startsWith("001f# service=git-receive-pack\n0000")).toBe(true);
      const { lines } = parsePktLines(body);
      expect(lines[2]).toMatch(/\0.*\breport-status\b/);
      expect(lines[2]).toMatch(/\bdelete-refs\b/);
      expect(lines[2]).toMatch(/\batomic\b/);
      expect(lines[2]).not.toMatch(/\bpush-cert\b/);
    });

    test("receive-pack advertisement of an empty repo has the capabilities^{} line", async () => {
      const { res, body } = await get(`${srv.url("empty")}/info/refs?service=git-receive-pack`);
      expect(res.status).toBe(200);
      const { lines } = parsePktLines(body);
      expect(lines[2]).toMatch(/^0{40} capabilities\^\{\}\0/);
    });

    test("?service=git-foo → 403", async () => {
      const { res } = await get(`${srv.url("src")}/info/refs?service=git-foo`);
      expect(res.status).toBe(403);
    });

    test.each([["git-upload-pack"], ["git-receive-pack"]])("POST %s with Content-Type text/plain → 415", async (svc) => {
      const { res } = await post(`${srv.url("src")}/${svc}`, FLUSH, { "Content-Type": "text/plain" });
      expect(res.status).toBe(415);
    });

    test.each([
      ["GET info/refs", "info/refs?service=git-upload-pack"],
      ["POST git-upload-pack", "git-upload-pack"],
      ["POST git-receive-pack", "git-receive-pack"],
    ])("unknown repo, %s → 404", async (_what, path) => {
      const url = `${srv.url("no-such-repo")}/${path}`;
      const { res } = path.startsWith("info") ? await get(url) : await post(url, FLUSH, { "Content-Type": `application/x-${path}-request` });
      // dev-server contract: a push to an unknown name creates the repo, so ours answers receive-pack there
      expect(res.status).toBe(srv.name === "ours" && path === "git-receive-pack" ? 200 : 404);
    });

    test("POST git-upload-pack v2 ls-refs: result content type, no-cache, pkt-lines ending in flush", async () => {
      const body = Buffer.concat([
        pkt("command=ls-refs\n"),
        pkt("object-format=sha1\n"),
        DELIM,
        pkt("symrefs\n"),
        pkt("peel\n"),
        pkt("ref-prefix refs/heads/\n"),
        FLUSH,
      ]);
      const r = await post(`${srv.url("src")}/git-upload-pack`, body, {
        "Content-Type": "application/x-git-upload-pack-request",
        "Git-Protocol": "version=2",
      });
      expect(r.res.status).toBe(200);
      expect(r.res.headers.get("content-type")).toBe("application/x-git-upload-pack-result");
      expectNoCache(r.res);
      const { lines, error } = parsePktLines(r.body);
      expect(error).toBeUndefined();
      expect(lines.at(-1)).toBe("0000");
      expect(lines).toContain(`${source.main.at(-1)} refs/heads/main\n`);
      expect(lines.every((l) => l === "0000" || l.includes(" refs/heads/"))).toBe(true);
    });

    test("POST git-upload-pack with an empty request (0000) is answered, not hung", async () => {
      const r = await post(`${srv.url("src")}/git-upload-pack`, FLUSH, {
        "Content-Type": "application/x-git-upload-pack-request",
      });
      expect(r.res.status).toBeLessThan(500);
    });
  });
});

/** `-c k=v` pairs go before the subcommand, `--flags` before the URL, everything else (patterns) after it. */
function splitArgs(args: string[]): { config: string[]; flags: string[]; patterns: string[] } {
  const out = { config: [] as string[], flags: [] as string[], patterns: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c") out.config.push("-c", args[++i]!);
    else if (a === "--") continue;
    else if (a.startsWith("--")) out.flags.push(a);
    else out.patterns.push(a);
  }
  return out;
}
