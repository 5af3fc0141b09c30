/**
 * Snapshot review: shows a human what an agent pushed to its Artifacts repo, and keeps a review of
 * every push it is told about.
 *
 *   POST /repos                          { name } → a repo for an agent: remote + write token
 *   GET  /repos/:name/snapshot?ref=      the tree, recent history and small text files at a ref
 *                                        (HTML; JSON with ?format=json or Accept: application/json)
 *   POST /webhooks/artifacts             receives cf.artifacts.repo.* event envelopes
 *   GET  /repos/:name/reviews            reviews made from push events, newest first
 *   GET  /events                         the last events received
 *
 * A push event becomes a review: the files the push changed (a tree comparison through readTree),
 * the commits it brought, and the head commit's metadata (readCommit). Reviews live in KV.
 */
import { diffTrees, walkTree, type Change, type FileEntry } from "./tree.js";
import { renderSnapshot, type Snapshot } from "./render.js";

export interface Env {
  ARTIFACTS: Artifacts;
  REVIEWS: KVNamespace;
  ARTIFACTS_NAMESPACE: string;
}

export interface ArtifactsEvent {
  type: string;
  source: { type: string; namespace: string; repoName: string };
  payload: Record<string, unknown>;
  metadata: { accountId: string; eventSubscriptionId: string; eventSchemaVersion: number; eventTimestamp: string };
}

export interface Review {
  repo: string;
  ref: string;
  before: string;
  after: string;
  commits: Array<{ id: string; message: string; author: string }>;
  changes: Change[];
  head: { hash: string; message: string; author: string; committedAt: string } | null;
  receivedAt: string;
}

const ZERO = "0".repeat(40);
const TEXT_LIMIT = 64 * 1024;
const json = (data: unknown, status = 200) => Response.json(data, { status });
const problem = (status: number, code: string, message: string) => json({ error: { code, message } }, status);

function isArtifactsError(e: unknown): e is ArtifactsError {
  return e instanceof Error && e.name === "ArtifactsError" && typeof (e as { code?: unknown }).code === "string";
}

/** Everything a snapshot page shows, read through the binding. */
export async function snapshot(env: Env, name: string, ref: string): Promise<Snapshot | null> {
  const repo = await env.ARTIFACTS.get(name);
  const info = await repo.info();
  const history = await repo.log({ ref, limit: 10 });
  const head = history[0];
  if (!head) return { repo: info.name, remote: info.remote, ref, head: null, history: [], files: [], truncated: false };
  const { files, truncated } = await walkTree(repo, head.treeHash, 500);
  const shown: Snapshot["files"] = [];
  for (const f of files) {
    const entry: Snapshot["files"][number] = { path: f.path, hash: f.hash, type: f.type };
    if (f.type === "blob" && shown.filter((x) => x.content !== undefined).length < 20) {
      const blob = await repo.readFile({ ref: head.hash, path: f.path });
      if (blob && blob.size <= TEXT_LIMIT && blob.type.startsWith("text/")) entry.content = await blob.text();
      if (blob) entry.size = blob.size;
    }
    shown.push(entry);
  }
  return {
    repo: info.name,
    remote: info.remote,
    ref,
    head: { hash: head.hash, message: head.message, author: head.author.name, committedAt: new Date(head.committedAt * 1000).toISOString() },
    history: history.map((c) => ({ hash: c.hash, message: c.message, author: c.author.name, committedAt: new Date(c.committedAt * 1000).toISOString() })),
    files: shown,
    truncated,
  };
}

/** A push event → a review of what changed, stored under the repo. */
export async function reviewPush(env: Env, event: ArtifactsEvent): Promise<Review> {
  const p = event.payload as { ref?: string; before?: string; after?: string; commits?: Array<{ id: string; message: string; author?: { name?: string } }> };
  const repo = await env.ARTIFACTS.get(event.source.repoName);
  const after = p.after ?? ZERO;
  const before = p.before ?? ZERO;
  const treeOf = async (oid: string) => (oid === ZERO ? null : ((await repo.readCommit(oid))?.treeHash ?? null));
  const head = after === ZERO ? null : await repo.readCommit(after);
  const changes = await diffTrees(repo, await treeOf(before), head?.treeHash ?? null);
  const review: Review = {
    repo: event.source.repoName,
    ref: p.ref ?? "",
    before,
    after,
    commits: (p.commits ?? []).map((c) => ({ id: c.id, message: c.message, author: c.author?.name ?? "" })),
    changes,
    head: head ? { hash: head.hash, message: head.message, author: head.author.name, committedAt: new Date(head.committedAt * 1000).toISOString() } : null,
    receivedAt: new Date().toISOString(),
  };
  // Keys sort newest first: an inverted timestamp, then the commit.
  const key = `review:${review.repo.toLowerCase()}:${(9e15 - Date.now()).toString().padStart(16, "0")}:${after}`;
  await env.REVIEWS.put(key, JSON.stringify(review), { expirationTtl: 7 * 86400 });
  return review;
}

async function onEvent(env: Env, request: Request): Promise<Response> {
  const event = (await request.json().catch(() => null)) as ArtifactsEvent | null;
  if (!event || typeof event.type !== "string" || !event.type.startsWith("cf.artifacts.repo.") || !event.source?.repoName)
    return problem(400, "INVALID_EVENT", "Not an Artifacts event envelope");
  if (event.source.namespace !== env.ARTIFACTS_NAMESPACE) return json({ ignored: true, reason: `namespace ${event.source.namespace} is not ours` }, 202);
  await env.REVIEWS.put(
    `event:${(9e15 - Date.now()).toString().padStart(16, "0")}:${crypto.randomUUID()}`,
    JSON.stringify({ type: event.type, repo: event.source.repoName, at: event.metadata?.eventTimestamp, payload: event.payload }),
    { expirationTtl: 86400 },
  );
  if (event.type === "cf.artifacts.repo.pushed") {
    const review = await reviewPush(env, event);
    return json({ reviewed: true, changes: review.changes.length }, 202);
  }
  if (event.type === "cf.artifacts.repo.deleted") {
    const old = await env.REVIEWS.list({ prefix: `review:${event.source.repoName.toLowerCase()}:` });
    await Promise.all(old.keys.map((k) => env.REVIEWS.delete(k.name)));
    return json({ forgotten: old.keys.length }, 202);
  }
  return json({ recorded: true }, 202);
}

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (request.method === "POST" && url.pathname === "/webhooks/artifacts") return onEvent(env, request);
  if (request.method === "GET" && url.pathname === "/events") {
    const list = await env.REVIEWS.list({ prefix: "event:", limit: 50 });
    const events = await Promise.all(list.keys.map(async (k) => JSON.parse((await env.REVIEWS.get(k.name)) ?? "null")));
    return json({ events: events.filter(Boolean) });
  }
  if (request.method === "POST" && url.pathname === "/repos") {
    const b = (await request.json().catch(() => ({}))) as { name?: unknown };
    if (typeof b.name !== "string") return problem(400, "INVALID_INPUT", "name is required");
    const created = await env.ARTIFACTS.create(b.name, { description: "Agent snapshot" });
    return json({ name: created.name, remote: created.remote, token: created.token, defaultBranch: created.defaultBranch }, 201);
  }
  if (parts[0] === "repos" && parts[1] && request.method === "GET") {
    const name = parts[1];
    if (parts[2] === "snapshot") {
      const ref = url.searchParams.get("ref") ?? "HEAD";
      const snap = await snapshot(env, name, ref);
      const wantsJson = url.searchParams.get("format") === "json" || (request.headers.get("accept") ?? "").includes("application/json");
      if (!snap) return problem(404, "NOT_FOUND", "No such ref");
      return wantsJson ? json(snap) : new Response(renderSnapshot(snap), { headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    if (parts[2] === "reviews") {
      const list = await env.REVIEWS.list({ prefix: `review:${name.toLowerCase()}:`, limit: 20 });
      const reviews = await Promise.all(list.keys.map(async (k) => JSON.parse((await env.REVIEWS.get(k.name)) ?? "null") as Review | null));
      return json({ repo: name, reviews: reviews.filter(Boolean) });
    }
  }
  if (url.pathname === "/")
    return json({
      service: "snapshot-review",
      routes: ["POST /repos", "GET /repos/:name/snapshot", "POST /webhooks/artifacts", "GET /repos/:name/reviews", "GET /events"],
    });
  return problem(404, "NOT_FOUND", "No such route");
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await route(request, env);
    } catch (e) {
      if (isArtifactsError(e))
        return problem(e.code === "NOT_FOUND" ? 404 : e.code.startsWith("INVALID") ? 400 : e.code === "ALREADY_EXISTS" ? 409 : 502, e.code, e.message);
      return problem(500, "INTERNAL", e instanceof Error ? e.message : String(e));
    }
  },
} satisfies ExportedHandler<Env>;

export type { Change, FileEntry };
