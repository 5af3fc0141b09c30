/**
 * Git smart HTTP (gitprotocol-http "Smart Clients", "Smart Service git-upload-pack",
 * "Smart Service git-receive-pack") on web-standard Request/Response, so the same code serves
 * Node and workerd. Authentication is the caller's job: it passes the access it decided.
 */
import { ByteReader } from "../io/byte-reader.js";

import { pktLine, FLUSH } from "../pktline/encode.js";
import { GitError, LimitExceededError, ProtocolError, RequestBodyError } from "../errors.js";
import { ObjectDb } from "../storage/object-db.js";
import type { RepoStore } from "../storage/types.js";
import { advertiseRefs, advertiseV2, type Service } from "../protocol/advertise.js";
import { loadRefs } from "../protocol/refs-view.js";
import { parseUploadPackV0, uploadPackV0 } from "../protocol/upload-pack-v0.js";
import { fetchV2, lsRefs, parseLsRefsArgs, parseV2Request } from "../protocol/upload-pack-v2.js";
import { parsePushCommands, receivePack, DEFAULT_PUSH_LIMITS, type PushLimits, type PushOutcome } from "../protocol/receive-pack.js";
import type { FetchServed } from "../protocol/fetch-common.js";

export type Access = "none" | "read" | "write";

export interface GitHttpOptions {
  access: Access;
  /** Request body limit after gzip decoding (default 100 MB, the Cloudflare edge limit). */
  maxBodyBytes?: number;
  limits?: PushLimits;
  /** Called after every push with what changed, before the report-status is written (timestamps). */
  onPush?: (o: PushOutcome) => void | Promise<void>;
  /**
   * Called once the report-status has been written, as git runs post-receive after reporting
   * (audit logs, events). The response ends when it settles, so the client sees the report first
   * and its push completes after the hook.
   */
  afterPush?: (o: PushOutcome) => void | Promise<void>;
  /** Called with an unexpected error (answered as a bare 500), for the caller's log. */
  onError?: (e: unknown) => void;
  /**
   * Called once an upload-pack fetch response (v0 or v2) has been written, with what it served:
   * wants, haves, client shallows and whether a pack went out. The response ends when it settles.
   */
  onFetch?: (served: FetchServed) => void | Promise<void>;
}

export const DEFAULT_MAX_BODY = 100 * 1024 * 1024;

const NO_CACHE = {
  Expires: "Fri, 01 Jan 1980 00:00:00 GMT",
  Pragma: "no-cache",
  "Cache-Control": "no-cache, max-age=0, must-revalidate",
};

function text(status: number, body: string): Response {
  return new Response(body + "\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...NO_CACHE } });
}

function stream(gen: AsyncGenerator<Uint8Array> | Iterable<Uint8Array>, contentType: string): Response {
  const it = Symbol.asyncIterator in gen ? (gen as AsyncGenerator<Uint8Array>) : toAsync(gen as Iterable<Uint8Array>);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await it.return?.(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, ...NO_CACHE } });
}

async function* toAsync(it: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* it;
}

/**
 * How much of a body past the limit is still read (and dropped) before the refusal is sent.
 * `git` prints the per-ref "[remote rejected]" report only when curl finished sending; a
 * modest overrun drains so the user sees it, a huge one is cut off (curl then says
 * "Broken pipe" next to the reason).
 */
const DRAIN_AFTER_LIMIT = 8 * 1024 * 1024;

/** The request body, gunzipped if needed, counted against the limit (gzip bombs included). */
function bodyReader(request: Request, max: number): ByteReader {
  let body: ReadableStream<Uint8Array> = request.body ?? new ReadableStream({ start: (c) => c.close() });
  const enc = (request.headers.get("Content-Encoding") ?? "").toLowerCase();
  const gzip = enc === "gzip" || enc === "x-gzip";
  if (gzip) body = body.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  const source = body.getReader();
  let seen = 0;
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await source.read();
      } catch {
        // The platform's error (zlib's "incorrect header check", a reset socket) says nothing useful to a client.
        throw new RequestBodyError(gzip ? "Request body is not valid gzip data (Content-Encoding: gzip)" : "Request body could not be read");
      }
      const { done, value } = chunk;
      if (done) return controller.close();
      seen += value.length;
      if (seen <= max) return controller.enqueue(value);
      for (let drained = 0; drained < DRAIN_AFTER_LIMIT;) {
        const next = await source.read().catch(() => ({ done: true as const, value: undefined }));
        if (next.done) break;
        drained += next.value.length;
      }
      await source.cancel().catch(() => {});
      controller.error(new LimitExceededError(`request body is larger than the limit of ${max} bytes`));
    },
    async cancel(reason) {
      await source.cancel(reason);
    },
  });
  return new ByteReader(counted);
}

function errPkt(message: string): Uint8Array[] {
  return [pktLine(`ERR ${message}`)];
}

/**
 * Handle one request for a repository. `path` is what follows `<repo>.git/`:
 * `info/refs`, `git-upload-pack` or `git-receive-pack`.
 */
export async function handleGitHttp(request: Request, path: string, store: RepoStore, opts: GitHttpOptions): Promise<Response> {
  try {
    return await handle(request, path, store, opts);
  } catch (e) {
    // Never a stack trace or an internal message in a Git response: clients show the body verbatim.
    await request.body?.cancel().catch(() => {});
    if (e instanceof ProtocolError) return text(400, oneLine(e.message));
    opts.onError?.(e);
    return text(500, "Internal error");
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 500);
}

async function handle(request: Request, path: string, store: RepoStore, opts: GitHttpOptions): Promise<Response> {
  const url = new URL(request.url);
  const version = /(^|:)version=2(:|$)/.test(request.headers.get("Git-Protocol") ?? "")
    ? 2
    : /(^|:)version=1(:|$)/.test(request.headers.get("Git-Protocol") ?? "")
      ? 1
      : 0;
  const need = (service: Service): Response | undefined => {
    if (service === "git-receive-pack" && opts.access !== "write") return text(403, "Write access is required to push to this repository.");
    if (opts.access === "none") return text(403, "Read access is required.");
    return undefined;
  };

  if (path === "info/refs") {
    if (request.method !== "GET" && request.method !== "HEAD") return text(405, "Method not allowed");
    const service = url.searchParams.get("service");
    if (service !== "git-upload-pack" && service !== "git-receive-pack")
      return text(403, "Unsupported service: only smart HTTP (git-upload-pack, git-receive-pack) is served");
    const denied = need(service);
    if (denied) return denied;
    const header = [pktLine(`# service=${service}`), FLUSH];
    if (service === "git-upload-pack" && version === 2) return stream(advertiseV2(), `application/x-${service}-advertisement`);
    const odb = new ObjectDb([store]);
    const view = await loadRefs(store, odb);
    return stream([...header, ...advertiseRefs(service, view, version === 1 ? 1 : 0)], `application/x-${service}-advertisement`);
  }

  if (path !== "git-upload-pack" && path !== "git-receive-pack") return text(404, "Not found");
  if (request.method !== "POST") return text(405, "Method not allowed");
  const service: Service = path;
  const denied = need(service);
  if (denied) return denied;
  const ct = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim();
  if (ct !== `application/x-${service}-request`) return text(415, `Unsupported Content-Type: expected application/x-${service}-request`);
  const resultType = `application/x-${service}-result`;
  const body = bodyReader(request, opts.maxBodyBytes ?? DEFAULT_MAX_BODY);

  if (service === "git-receive-pack") {
    let req;
    try {
      req = await parsePushCommands(body, opts.limits ?? DEFAULT_PUSH_LIMITS);
    } catch (e) {
      await body.cancel().catch(() => {});
      if (e instanceof RequestBodyError) return text(400, e.message);
      if (e instanceof GitError) return stream(errPkt(e.message), resultType);
      throw e;
    }
    if (req.commands.length === 0) {
      // git's probe POST ("0000") before a large chunked push: answer with an empty result.
      await body.drain().catch(() => 0);
      return stream([], resultType);
    }
    const gen = receivePack(req, body, store, { ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.onPush ? { onOutcome: opts.onPush } : {}) });
    return stream(opts.afterPush ? then(gen, opts.afterPush) : gen, resultType);
  }

  // upload-pack: parse the whole (small) request first so protocol errors become ERR packets.
  const odb = new ObjectDb([store]);
  try {
    const view = await loadRefs(store, odb);
    if (version === 2) {
      const req = await parseV2Request(body);
      await body.drain();
      if (!req) return stream([], resultType);
      if (req.command === "ls-refs") return stream(lsRefs(parseLsRefsArgs(req), view), resultType);
      if (req.command === "fetch") {
        const gen = fetchV2(req, odb, view);
        // Pull the first chunk now so want/argument errors become ERR packets, not a broken stream.
        const first = await gen.next();
        return stream(reported(first, gen, opts.onFetch), resultType);
      }
      return stream(errPkt(`unknown command '${req.command}'`), resultType);
    }
    const req = await parseUploadPackV0(body);
    await body.drain();
    const gen = uploadPackV0(req, odb, view);
    const first = await gen.next();
    return stream(reported(first, gen, opts.onFetch), resultType);
  } catch (e) {
    await body.cancel().catch(() => {});
    if (e instanceof RequestBodyError) return text(400, e.message);
    if (e instanceof ProtocolError || e instanceof GitError) return stream(errPkt(e.message), resultType);
    throw e;
  }
}

/** A fetch response whose first step already ran, then `onFetch` with what it served. */
async function* reported(
  first: IteratorResult<Uint8Array, FetchServed>,
  rest: AsyncGenerator<Uint8Array, FetchServed>,
  onFetch: GitHttpOptions["onFetch"],
): AsyncGenerator<Uint8Array> {
  let served: FetchServed;
  if (first.done) served = first.value;
  else {
    yield first.value;
    served = yield* rest;
  }
  await onFetch?.(served);
}

/** The generator's bytes, then `fn` with what it returned. */
async function* then<R>(gen: AsyncGenerator<Uint8Array, R>, fn: (r: R) => void | Promise<void>): AsyncGenerator<Uint8Array> {
  await fn(yield* gen);
}
