/**
 * Agent workspace: every agent session gets its own Git repository in Artifacts. The agent receives
 * the remote and a short-lived token (write to push its work, or read to only clone), and this Worker
 * reads the session's files and history back through the binding, forks a session to try another
 * approach, and deletes it when done.
 *
 *   POST   /sessions                      { agent?, access?: "write"|"read", ttl? } → session + remote + token
 *   GET    /sessions                      list sessions
 *   GET    /sessions/:id                  info + recent history
 *   POST   /sessions/:id/tokens           { access?, ttl? } → a new short-lived token
 *   GET    /sessions/:id/log?ref=&limit=  history (first parent)
 *   GET    /sessions/:id/files/<path>?ref=  one file, with its content type
 *   POST   /sessions/:id/fork             { agent? } → a new session starting from this one
 *   DELETE /sessions/:id                  delete the session's repository
 */
export interface Env {
  ARTIFACTS: Artifacts;
  SESSION_TOKEN_TTL?: string;
}

type Access = "write" | "read";

const PREFIX = "session-";
const repoName = (id: string) => `${PREFIX}${id}`;
const json = (data: unknown, status = 200) => Response.json(data, { status });
const problem = (status: number, code: string, message: string) => json({ error: { code, message } }, status);

function newSessionId(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function isArtifactsError(e: unknown): e is ArtifactsError {
  return e instanceof Error && e.name === "ArtifactsError" && typeof (e as { code?: unknown }).code === "string";
}

/** ArtifactsError codes → HTTP statuses; anything else is a 500. */
function fromError(e: unknown): Response {
  if (isArtifactsError(e)) {
    const status = e.code === "NOT_FOUND" ? 404 : e.code === "ALREADY_EXISTS" ? 409 : e.code.startsWith("INVALID") ? 400 : 502;
    return problem(status, e.code, e.message);
  }
  return problem(500, "INTERNAL", e instanceof Error ? e.message : String(e));
}

async function body(request: Request): Promise<Record<string, unknown>> {
  if (!request.headers.get("content-type")?.includes("json")) return {};
  const b = await request.json().catch(() => null);
  return b && typeof b === "object" ? (b as Record<string, unknown>) : {};
}

function accessOf(v: unknown): Access | null {
  if (v === undefined) return "write";
  return v === "write" || v === "read" ? v : null;
}

function ttlOf(v: unknown, env: Env): number {
  return typeof v === "number" ? v : Number(env.SESSION_TOKEN_TTL ?? 900);
}

/** A short-lived token for the agent; the long-lived one `create()`/`fork()` returned is revoked. */
async function handOut(repo: ArtifactsRepo, created: { token: string; remote: string }, access: Access, ttl: number) {
  const token = await repo.createToken(access, ttl);
  await repo.revokeToken(created.token);
  return { remote: created.remote, token: token.plaintext, tokenId: token.id, access: token.scope, expiresAt: token.expiresAt };
}

async function createSession(env: Env, request: Request): Promise<Response> {
  const b = await body(request);
  const access = accessOf(b.access);
  if (!access) return problem(400, "INVALID_INPUT", 'access must be "write" or "read"');
  const id = newSessionId();
  const agent = typeof b.agent === "string" ? b.agent : "agent";
  const created = await env.ARTIFACTS.create(repoName(id), { description: `Workspace of ${agent}` });
  const repo = await env.ARTIFACTS.get(created.name);
  return json({ id, repo: created.name, agent, defaultBranch: created.defaultBranch, ...(await handOut(repo, created, access, ttlOf(b.ttl, env))) }, 201);
}

async function sessionInfo(env: Env, id: string): Promise<Response> {
  const repo = await env.ARTIFACTS.get(repoName(id));
  const info = await repo.info();
  const history = await repo.log({ ref: info.defaultBranch, limit: 10 });
  return json({
    id,
    repo: info.name,
    description: info.description,
    remote: info.remote,
    defaultBranch: info.defaultBranch,
    source: info.source,
    createdAt: info.createdAt,
    lastPushAt: info.lastPushAt,
    history: history.map(summary),
  });
}

function summary(c: ArtifactsCommitMetadata) {
  return { hash: c.hash, message: c.message, author: c.author.name, committedAt: new Date(c.committedAt * 1000).toISOString() };
}

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const method = request.method;
  if (parts[0] !== "sessions")
    return url.pathname === "/"
      ? json({ service: "agent-workspace", routes: ["POST /sessions", "GET /sessions/:id"] })
      : problem(404, "NOT_FOUND", "No such route");
  const id = parts[1];
  if (id !== undefined && !/^[0-9a-f]{12}$/.test(id)) return problem(404, "NOT_FOUND", "No such session");

  if (!id && method === "POST") return createSession(env, request);
  if (!id && method === "GET") {
    const page = await env.ARTIFACTS.list({ limit: 50 });
    const sessions = page.repos
      .filter((r) => r.name.startsWith(PREFIX))
      .map((r) => ({ id: r.name.slice(PREFIX.length), repo: r.name, description: r.description, createdAt: r.createdAt, lastPushAt: r.lastPushAt }));
    return json({ sessions, total: sessions.length });
  }
  if (!id) return problem(405, "METHOD_NOT_ALLOWED", "Use GET or POST");

  const sub = parts[2];
  if (!sub && method === "GET") return sessionInfo(env, id);
  if (!sub && method === "DELETE") {
    const deleted = await env.ARTIFACTS.delete(repoName(id));
    return deleted ? json({ id, deleted: true }) : problem(404, "NOT_FOUND", "No such session");
  }
  if (sub === "tokens" && method === "POST") {
    const b = await body(request);
    const access = accessOf(b.access);
    if (!access) return problem(400, "INVALID_INPUT", 'access must be "write" or "read"');
    const repo = await env.ARTIFACTS.get(repoName(id));
    const t = await repo.createToken(access, ttlOf(b.ttl, env));
    return json({ id, token: t.plaintext, tokenId: t.id, access: t.scope, expiresAt: t.expiresAt, remote: (await repo.info()).remote }, 201);
  }
  if (sub === "log" && method === "GET") {
    const repo = await env.ARTIFACTS.get(repoName(id));
    const limit = Number(url.searchParams.get("limit") ?? 20);
    const commits = await repo.log({ ref: url.searchParams.get("ref") ?? "HEAD", limit });
    return json({ id, commits: commits.map(summary) });
  }
  if (sub === "files" && method === "GET") {
    const path = parts.slice(3).join("/");
    if (!path) return problem(400, "INVALID_INPUT", "A file path is required: /sessions/:id/files/<path>");
    const repo = await env.ARTIFACTS.get(repoName(id));
    const blob = await repo.readFile({ ref: url.searchParams.get("ref") ?? "HEAD", path });
    if (!blob) return problem(404, "NOT_FOUND", `No file ${path} at that ref`);
    return new Response(blob.stream(), { headers: { "Content-Type": blob.type || "application/octet-stream", "Content-Length": String(blob.size) } });
  }
  if (sub === "fork" && method === "POST") {
    const b = await body(request);
    const access = accessOf(b.access);
    if (!access) return problem(400, "INVALID_INPUT", 'access must be "write" or "read"');
    const forkId = newSessionId();
    const source = await env.ARTIFACTS.get(repoName(id));
    const created = await source.fork(repoName(forkId), { description: `Fork of session ${id}${typeof b.agent === "string" ? ` for ${b.agent}` : ""}` });
    const repo = await env.ARTIFACTS.get(created.name);
    return json(
      { id: forkId, forkedFrom: id, repo: created.name, defaultBranch: created.defaultBranch, ...(await handOut(repo, created, access, ttlOf(b.ttl, env))) },
      201,
    );
  }
  return problem(405, "METHOD_NOT_ALLOWED", `${method} is not allowed here`);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    try {
      return await route(request, env);
    } catch (e) {
      return fromError(e);
    }
  },
} satisfies ExportedHandler<Env>;
