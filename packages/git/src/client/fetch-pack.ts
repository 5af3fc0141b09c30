/**
 * A Git smart-HTTP *client* for protocol v2 (gitprotocol-v2 "ls-refs", "fetch"), on the
 * web-standard `fetch`, so the service can import a remote repository without a `git` binary.
 * The pack is streamed from the response into the caller's ingest; nothing is buffered whole.
 */
import { ByteReader } from "../io/byte-reader.js";
import { readPkt, pktText } from "../pktline/decode.js";
import { DELIM, FLUSH, pktLine } from "../pktline/encode.js";
import { concatBytes } from "../io/bytes.js";
import { GitError } from "../errors.js";
import { AGENT } from "../protocol/capabilities.js";

export type RemoteErrorKind = "auth" | "not-found" | "not-git" | "unavailable" | "branch-not-found";

export class RemoteError extends GitError {
  override name = "RemoteError";
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface RemoteRef {
  name: string;
  oid: string;
  peeled?: string;
  symrefTarget?: string;
}

export interface RemoteOptions {
  /** Extra headers, e.g. Authorization built from URL credentials. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

function base(url: string): string {
  return url.replace(/\/+$/, "");
}

async function send(url: string, init: RequestInit, opts: RemoteOptions): Promise<Response> {
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), ...opts.headers, "Git-Protocol": "version=2", "User-Agent": `git/${AGENT}` },
    });
  } catch (e) {
    throw new RemoteError("unavailable", `network error: ${(e as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) throw new RemoteError("auth", "Authentication is required to access the remote repository.");
  if (res.status === 404) throw new RemoteError("not-found", "Remote repository not found.");
  if (res.status >= 300 && res.status < 400) throw new RemoteError("unavailable", `redirect (${res.status}) not followed`);
  if (!res.ok) throw new RemoteError("unavailable", `remote answered HTTP ${res.status}`);
  return res;
}

/** Discover the remote (must speak v2) and list its refs with ls-refs. */
export async function lsRemote(url: string, opts: RemoteOptions = {}): Promise<{ refs: RemoteRef[]; head?: string }> {
  const adv = await send(`${base(url)}/info/refs?service=git-upload-pack`, { method: "GET" }, opts);
  if (!(adv.headers.get("Content-Type") ?? "").startsWith("application/x-git-upload-pack-advertisement")) {
    await adv.body?.cancel();
    throw new RemoteError("not-git", "The URL does not point to a git repository.");
  }
  const r = new ByteReader(adv.body!);
  const first = await readPkt(r);
  const firstLine = first?.kind === "data" ? pktText(first) : "";
  if (firstLine !== "version 2") {
    await r.cancel();
    throw new RemoteError("unavailable", "the remote does not speak Git protocol v2");
  }
  await r.drain();
  const body = concatBytes([
    pktLine("command=ls-refs"),
    pktLine(`agent=${AGENT}`),
    pktLine("object-format=sha1"),
    DELIM,
    pktLine("symrefs"),
    pktLine("peel"),
    pktLine("unborn"),
    pktLine("ref-prefix HEAD"),
    pktLine("ref-prefix refs/heads/"),
    pktLine("ref-prefix refs/tags/"),
    FLUSH,
  ]);
  const res = await send(
    `${base(url)}/git-upload-pack`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-git-upload-pack-request", Accept: "application/x-git-upload-pack-result" },
      body: body as BodyInit,
    },
    opts,
  );
  const rr = new ByteReader(res.body!);
  const refs: RemoteRef[] = [];
  let head: string | undefined;
  for (;;) {
    const p = await readPkt(rr);
    if (!p || p.kind !== "data") break;
    const line = pktText(p);
    if (line.startsWith("ERR ")) throw new RemoteError("unavailable", line.slice(4));
    const [oid, name, ...attrs] = line.split(" ");
    const ref: RemoteRef = { name: name!, oid: oid! };
    for (const a of attrs) {
      if (a.startsWith("symref-target:")) ref.symrefTarget = a.slice(14);
      if (a.startsWith("peeled:")) ref.peeled = a.slice(7);
    }
    if (ref.name === "HEAD") head = ref.symrefTarget;
    else refs.push(ref);
  }
  await rr.drain();
  return { refs, ...(head ? { head } : {}) };
}

/**
 * Fetch a pack containing `wants`: their whole history, or with `depth` only the last `depth`
 * commits of each (gitprotocol-v2 "fetch": `deepen`). `shallow` is the boundary the remote reports
 * (commits whose parents were not sent), read before the pack; a complete history has none.
 * Returns a reader positioned at the pack bytes.
 */
export async function fetchPack(
  url: string,
  wants: readonly string[],
  opts: RemoteOptions & { depth?: number } = {},
): Promise<{ pack: ReadableStream<Uint8Array>; shallow: string[] }> {
  const lines = [pktLine("command=fetch"), pktLine(`agent=${AGENT}`), pktLine("object-format=sha1"), DELIM, pktLine("ofs-delta"), pktLine("no-progress")];
  for (const w of new Set(wants)) lines.push(pktLine(`want ${w}`));
  if (opts.depth !== undefined) lines.push(pktLine(`deepen ${opts.depth}`));
  lines.push(pktLine("done"), FLUSH);
  const res = await send(
    `${base(url)}/git-upload-pack`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-git-upload-pack-request", Accept: "application/x-git-upload-pack-result" },
      body: concatBytes(lines) as BodyInit,
    },
    opts,
  );
  const r = new ByteReader(res.body!);
  const shallow: string[] = [];
  // Skip sections up to "packfile" (keeping shallow-info's boundary); then demultiplex side-band 1 into a byte stream.
  for (;;) {
    const p = await readPkt(r);
    if (!p) throw new RemoteError("unavailable", "remote ended the response before sending a pack");
    if (p.kind !== "data") continue;
    const line = pktText(p);
    if (line.startsWith("ERR ")) throw new RemoteError("unavailable", `remote error: ${line.slice(4)}`);
    if (line.startsWith("shallow ")) shallow.push(line.slice(8).trim());
    if (line === "packfile") break;
  }
  return { pack: packBytes(r), shallow };
}

/** `fetchPack` of a full history, the pack alone. */
export async function fetchPackStream(url: string, wants: readonly string[], opts: RemoteOptions = {}): Promise<ReadableStream<Uint8Array>> {
  return (await fetchPack(url, wants, opts)).pack;
}

function packBytes(r: ByteReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const p = await readPkt(r);
        if (!p || p.kind === "flush") return controller.close();
        if (p.kind !== "data" || p.data.length === 0) continue;
        const band = p.data[0];
        if (band === 1) return controller.enqueue(p.data.subarray(1));
        if (band === 3) return controller.error(new RemoteError("unavailable", `remote error: ${new TextDecoder().decode(p.data.subarray(1)).trim()}`));
      }
    },
    async cancel() {
      await r.cancel();
    },
  });
}
