/**
 * docs/git-protocol.md "Conformance scenarios" E 32–37, 39 (t5303, t5530, t5704, t/lib-pack.sh): crafted receive-pack and upload-pack requests.
 * Bodies are made with the real `git pack-objects` plus byte surgery. For each one the server must answer with a clear
 * git-style error (`unpack <error>` / `ng <ref> <reason>` / `ERR` / band 3, or HTTP 4xx) within the timeout, leave the
 * refs alone, and a fresh clone must still be fsck-clean.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  buildSourceRepo,
  DELIM,
  fixTrailer,
  flipByte,
  FLUSH,
  parsePktLines,
  pkt,
  postReceivePack,
  receivePackRequest,
  type ReceivePackResult,
  seed,
  seededBytes,
  type SourceRepo,
  withFirstEntrySize,
  withObjectCount,
  ZERO_ID,
} from "../support/fixtures";
import { fsck, type GitClient, GitSandbox } from "../support/git";
import { type GitServer, SERVERS } from "../support/server";

let sb: GitSandbox;
let source: SourceRepo;
/** a clone of the source with two extra commits: `base` (never pushed) and `tip` on top of it */
let local: GitClient;
let main: string;
let base: string;
let tip: string;
/** objects of `tip` not reachable from main (base's and tip's): a full, self-contained pack */
let fullPack: Buffer;
/** objects of `tip` not reachable from base, thin: REF_DELTA against base's blob, which no server has */
let thinPack: Buffer;

beforeAll(async () => {
  sb = await GitSandbox.create();
  source = await buildSourceRepo(sb);
  local = sb.client(sb.path("local"));
  await sb.ok(["clone", "-q", source.dir, local.dir]);
  main = await local.line(["rev-parse", "HEAD"]);
  const text = Array.from({ length: 4000 }, (_, i) => `line ${i} of some text that deltas well\n`).join("");
  base = await local.commit("base (never pushed)", { "text.txt": text, "random.bin": seededBytes("bad", 4096) }, 3000);
  tip = await local.commit("tip", { "text.txt": text.replace("line 2000 ", "LINE 2000 ") }, 3001);
  fullPack = (await local.run(["pack-objects", "--revs", "--stdout", "-q"], { input: `${tip}\n^${main}\n` })).stdoutBuffer;
  thinPack = (await local.run(["pack-objects", "--thin", "--revs", "--stdout", "-q"], { input: `${tip}\n^${base}\n` })).stdoutBuffer;
});
afterAll(async () => {
  await sb?.dispose();
});

const create = (pack: Buffer | null, ref = "refs/heads/x", caps?: string) => receivePackRequest([{ old: ZERO_ID, new: tip, ref }], pack, caps);

/** The receive-pack cases: [name, body]. Bodies are built lazily, after beforeAll. */
const RECEIVE_CASES: [string, () => Buffer][] = [
  ["truncated pack (last 100 bytes cut)", () => create(fullPack.subarray(0, fullPack.length - 100))],
  ["pack header only, no objects or trailer", () => create(fullPack.subarray(0, 12))],
  ["bad trailer (last byte flipped)", () => create(flipByte(fullPack, -1))],
  ["corrupt zlib (a byte in the middle flipped, trailer fixed)", () => create(fixTrailer(flipByte(fullPack, Math.floor(fullPack.length / 2))))],
  ["object count one too high (trailer fixed)", () => create(withObjectCount(fullPack, fullPack.readUInt32BE(8) + 1))],
  ["object count one too low (trailer fixed)", () => create(withObjectCount(fullPack, fullPack.readUInt32BE(8) - 1))],
  ["huge declared size in the first entry (2^40, trailer fixed)", () => create(withFirstEntrySize(fullPack, 2 ** 40))],
  ["declared size off by one in the first entry (trailer fixed)", () => create(withFirstEntrySize(fullPack, firstEntrySize(fullPack) + 1))],
  ["missing delta base (thin pack against a commit the server lacks)", () => create(thinPack)],
  ["not a pack (PACK signature replaced)", () => create(Buffer.concat([Buffer.from("JUNK"), fullPack.subarray(4)]))],
  ["unsupported pack version 4", () => create(fixTrailer(Buffer.concat([fullPack.subarray(0, 4), Buffer.from([0, 0, 0, 4]), fullPack.subarray(8)])))],
  ["pkt-line length `zzzz`", () => Buffer.from("zzzz")],
  ["pkt-line length `0003`", () => Buffer.from("0003")],
  ["pkt-line length past the end of the body", () => Buffer.from(`00ff${ZERO_ID} ${ZERO_ID} refs/heads/x`)],
  ["command line that is not `<old> <new> <ref>`", () => Buffer.concat([pkt("this is not a command\0 report-status\n"), FLUSH])],
  ["commands but no flush and no pack", () => pkt(`${ZERO_ID} ${"1".repeat(40)} refs/heads/x\0 report-status\n`)],
  ["funny refname", () => create(fullPack, "refs/heads/bad..name", "report-status")],
  [
    "ref update to an object that is neither sent nor stored",
    () => receivePackRequest([{ old: ZERO_ID, new: "1".repeat(40), ref: "refs/heads/x" }], emptyPack(), "report-status"),
  ],
];

function emptyPack(): Buffer {
  const header = Buffer.from("PACK\0\0\0\x02\0\0\0\0", "latin1");
  return fixTrailer(Buffer.concat([header, Buffer.alloc(20)]));
}

function firstEntrySize(pack: Buffer): number {
  let off = 12;
  let size = pack[off]! & 15;
  let shift = 4;
  while (pack[off]! & 0x80) {
    off++;
    size += (pack[off]! & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return size;
}

/** A clear git-style refusal: HTTP 4xx/5xx, ERR, band-3 fatal, `unpack <error>`, or every command `ng`. */
function refusal(status: number, r: ReceivePackResult): string | null {
  if (status >= 400) return `HTTP ${status}`;
  if (r.errors.length) return `ERR ${r.errors.join("; ")}`;
  if (r.fatal) return `fatal: ${r.fatal.trim()}`;
  const unpack = r.status.find((l) => l.startsWith("unpack "));
  if (unpack && unpack !== "unpack ok") return `${unpack} | ${r.status.filter((l) => l.startsWith("ng ")).join(" | ")}`;
  const cmds = r.status.filter((l) => /^(ok|ng) /.test(l));
  if (cmds.length && cmds.every((l) => l.startsWith("ng "))) return cmds.join(" | ");
  return null;
}

describe.each(SERVERS)("bad input against %s", (name, start) => {
  // Known oracle difference: for malformed pkt-lines git http-backend lets the service die (message on its stderr only)
  // and answers 200 with an empty body; the client then reports a hang-up. docs/git-protocol.md "Conformance scenarios" E 39 asks our server for ERR or a
  // 4xx instead, so only the oracle may answer with an empty body.
  const emptyBodyAllowed = name === "http-backend";
  let srv: GitServer;
  let refsBefore: string;
  beforeAll(async () => {
    srv = await start();
    await seed(srv, "bad", source.client);
    refsBefore = await sb.ok(["ls-remote", srv.url("bad")]);
  });
  afterAll(async () => {
    await srv?.close();
  });

  test("control: the uncorrupted request is accepted", async () => {
    await seed(srv, "good", source.client);
    const res = await postReceivePack(srv.url("good"), create(fullPack));
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/x-git-receive-pack-result");
    expect(res.report.status).toEqual(["unpack ok", "ok refs/heads/x"]);
    expect(await sb.ok(["ls-remote", srv.url("good"), "refs/heads/x"])).toBe(`${tip}\trefs/heads/x\n`);
    const c = sb.client(sb.path("good-clone"));
    await sb.ok(["clone", "-q", "--mirror", srv.url("good"), c.dir]);
    expect((await fsck(c)).code).toBe(0);
  });

  describe("receive-pack", () => {
    test.each(RECEIVE_CASES)("%s", async (what, body) => {
      const res = await postReceivePack(srv.url("bad"), body(), 20_000);
      const why = refusal(res.status, res.report);
      // one line per case, for the report: what this server answered
      console.log(`[${name}] ${what}: HTTP ${res.status} ${why ?? JSON.stringify(res.report)}`);
      if (!(emptyBodyAllowed && res.status === 200 && res.body.length === 0)) {
        expect(why, `no clear refusal: ${JSON.stringify(res.report)} body=${JSON.stringify(res.body.toString("latin1").slice(0, 300))}`).not.toBeNull();
      }
      expect(await sb.ok(["ls-remote", srv.url("bad")])).toBe(refsBefore);
    });

    test("afterwards: refs unchanged and a fresh clone is fsck-clean", async () => {
      expect(await sb.ok(["ls-remote", srv.url("bad")])).toBe(refsBefore);
      const c = sb.client(sb.path("after-bad"));
      await sb.ok(["clone", "-q", "--mirror", srv.url("bad"), c.dir]);
      const check = await fsck(c);
      expect(check.code, check.stderr).toBe(0);
      // and the repo still takes a normal push
      const res = await postReceivePack(srv.url("bad"), create(fullPack, "refs/heads/after"));
      expect(res.report.status).toEqual(["unpack ok", "ok refs/heads/after"]);
    });
  });

  describe("upload-pack", () => {
    const UPLOAD_CASES: [string, () => Buffer, Record<string, string>][] = [
      ["pkt-line length `zzzz`", () => Buffer.from("zzzz"), {}],
      ["pkt-line length `0003`", () => Buffer.from("0003"), {}],
      ["pkt-line length past the end", () => Buffer.from(`00ffwant ${ZERO_ID}`), {}],
      ["want of a non-hex id", () => Buffer.concat([pkt("want not-a-hex-object-id-at-all-xxxxxxxxxxxx\n"), FLUSH, pkt("done\n")]), {}],
      ["want of an unknown id", () => Buffer.concat([pkt(`want ${"1".repeat(40)} side-band-64k\n`), FLUSH, pkt("done\n")]), {}],
      ["v2 request without command=", () => Buffer.concat([pkt("object-format=sha1\n"), DELIM, pkt("peel\n"), FLUSH]), { "Git-Protocol": "version=2" }],
      ["v2 unknown command", () => Buffer.concat([pkt("command=frobnicate\n"), FLUSH]), { "Git-Protocol": "version=2" }],
      [
        "v2 fetch of an unknown id",
        () => Buffer.concat([pkt("command=fetch\n"), DELIM, pkt(`want ${"1".repeat(40)}\n`), pkt("done\n"), FLUSH]),
        { "Git-Protocol": "version=2" },
      ],
    ];

    test("gzip bomb: 100 MB of flush packets in ~100 KB of Content-Encoding: gzip is answered quickly", async () => {
      const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024, "0"), { level: 9 });
      const t0 = Date.now();
      const res = await fetch(`${srv.url("bad")}/git-upload-pack`, {
        method: "POST",
        body: new Uint8Array(bomb),
        headers: { "Content-Type": "application/x-git-upload-pack-request", "Content-Encoding": "gzip" },
        signal: AbortSignal.timeout(30_000),
      });
      const buf = Buffer.from(await res.arrayBuffer());
      console.log(
        `[${name}] upload-pack gzip bomb (${bomb.length} bytes): HTTP ${res.status} in ${Date.now() - t0} ms, ${JSON.stringify(buf.toString("latin1").slice(0, 200))}`,
      );
      expect(res.status).toBeLessThan(500);
      expect(buf.includes("PACK")).toBe(false);
      // and the server still serves
      expect(await sb.ok(["ls-remote", srv.url("bad"), "refs/heads/main"])).toBe(`${main}\trefs/heads/main\n`);
    });

    test.each(UPLOAD_CASES)("%s", async (what, body, headers) => {
      const res = await fetch(`${srv.url("bad")}/git-upload-pack`, {
        method: "POST",
        body: new Uint8Array(body()),
        headers: { "Content-Type": "application/x-git-upload-pack-request", ...headers },
        signal: AbortSignal.timeout(20_000),
      });
      const buf = Buffer.from(await res.arrayBuffer());
      const { lines } = parsePktLines(buf);
      const err = lines.find((l) => l.startsWith("ERR ") || l.startsWith("\x03"));
      console.log(`[${name}] upload-pack ${what}: HTTP ${res.status} ${err ?? JSON.stringify(buf.toString("latin1").slice(0, 200))}`);
      if (!(emptyBodyAllowed && res.status === 200 && buf.length === 0)) {
        expect(res.status >= 400 || err !== undefined, `HTTP ${res.status}, body ${JSON.stringify(buf.toString("latin1").slice(0, 300))}`).toBe(true);
      }
      // never a pack for a bad request
      expect(buf.includes("PACK")).toBe(false);
    });
  });
});
