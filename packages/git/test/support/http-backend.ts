/**
 * The oracle: stock `git http-backend` run as CGI behind a tiny Node HTTP server.
 *
 * gitprotocol-http "Smart Clients" is implemented by git itself here; this file only does the CGI/1.1 (RFC 3875) plumbing,
 * the same way t/lib-httpd/apache.conf does for git's own t55xx tests: request body → stdin, `Status:` + headers from stdout.
 * Each request is its own child process, so nothing here ever blocks the event loop of the test worker.
 *
 * No vitest import on purpose: the benchmark (bench/) imports this file too.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitServer } from "./server";

export interface HttpBackendOptions {
  /** Directory holding the bare repos (`<root>/<name>.git`). A temp dir, removed on close, when omitted. */
  root?: string;
  /** `git config` set in every repo `createRepo` makes (e.g. receive.fsckObjects). */
  config?: Record<string, string>;
}

/** Environment for every git process the oracle starts: no user/system config, stable messages. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(" ")} exited ${code}: ${stderr}`))));
  });
}

/** Splits the CGI header block into an HTTP status and headers (RFC 3875 §6.3). */
function parseCgiHeaders(block: string): { status: number; reason: string; headers: [string, string][] } {
  let status = 200;
  let reason = "OK";
  const headers: [string, string][] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") {
      const m = /^(\d{3})\s*(.*)$/.exec(value);
      if (m) {
        status = Number(m[1]);
        reason = m[2] || reason;
      }
    } else {
      headers.push([name, value]);
    }
  }
  return { status, reason, headers };
}

function handle(req: IncomingMessage, res: ServerResponse, root: string, home: string): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  let pathInfo: string;
  try {
    pathInfo = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400, { "Content-Type": "text/plain" }).end("bad path\n");
    return;
  }
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(home),
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
  };
  const h = req.headers;
  if (h["content-type"] !== undefined) env.CONTENT_TYPE = h["content-type"];
  // Chunked requests have no length; http-backend then reads stdin to EOF.
  if (h["content-length"] !== undefined) env.CONTENT_LENGTH = h["content-length"];
  if (h["content-encoding"] !== undefined) env.HTTP_CONTENT_ENCODING = h["content-encoding"];
  const gitProtocol = h["git-protocol"];
  if (typeof gitProtocol === "string") env.GIT_PROTOCOL = gitProtocol;
  const auth = h.authorization;
  if (auth?.startsWith("Basic ")) {
    const user = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":")[0];
    if (user) env.REMOTE_USER = user;
  }

  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  // A client that goes away (or a short stdin read by git) must not crash the server.
  child.stdin.on("error", () => {});
  req.pipe(child.stdin);
  res.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  let head = Buffer.alloc(0);
  let headersSent = false;
  const onData = (chunk: Buffer): void => {
    if (headersSent) {
      if (!res.write(chunk)) {
        child.stdout.pause();
        res.once("drain", () => child.stdout.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    let end = -1;
    let sep = 0;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, sep] = [crlf, 4];
    else if (lf >= 0) [end, sep] = [lf, 2];
    if (end < 0) return;
    const { status, reason, headers } = parseCgiHeaders(head.subarray(0, end).toString("latin1"));
    res.statusCode = status;
    res.statusMessage = reason;
    for (const [name, value] of headers) res.appendHeader(name, value);
    headersSent = true;
    const rest = head.subarray(end + sep);
    if (rest.length > 0) res.write(rest);
  };
  child.stdout.on("data", onData);
  child.on("error", (err) => {
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
    res.end(`spawn git http-backend: ${err.message}\n`);
  });
  child.on("close", (code) => {
    if (!headersSent) {
      // git died before writing CGI headers: report it the way a web server would.
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
      res.end(`git http-backend exited ${code}: ${stderr}\n`);
      return;
    }
    res.end();
  });
}

/** Starts `git http-backend` on 127.0.0.1 (random port). Repos are bare, `http.receivepack=true`, HEAD → main. */
export async function startHttpBackend(opts: HttpBackendOptions = {}): Promise<GitServer> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), "git-oracle-")));
  const home = await mkdtemp(join(tmpdir(), "git-oracle-home-"));
  const env = baseEnv(home);

  const server = createServer((req, res) => handle(req, res, root, home));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    name: "http-backend",
    base,
    url: (repo) => `${base}/${repo}.git`,
    async createRepo(repo) {
      const dir = join(root, `${repo}.git`);
      await run(["init", "-q", "--bare", "--initial-branch=main", dir], env);
      await run(["--git-dir", dir, "config", "http.receivepack", "true"], env);
      for (const [k, v] of Object.entries(opts.config ?? {})) await run(["--git-dir", dir, "config", k, v], env);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(home, { recursive: true, force: true });
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
