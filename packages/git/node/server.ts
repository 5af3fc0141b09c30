/**
 * A small Node dev server: serves in-memory repositories at http://HOST:PORT/<name>.git with the
 * engine's web-standard handler. `PUT /<name>.git` creates an empty repository; a push to an
 * unknown name creates it too. No authentication: it is for local development and tests.
 */
import http from "node:http";
import { handleGitHttp, MemoryRepoStore, type GitHttpOptions } from "../src/index.js";

export interface DevServer {
  url: string;
  repos: Map<string, MemoryRepoStore>;
  close(): Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  host?: string;
  log?: (line: string) => void;
  /** Engine options for every request (limits...); access is always "write". */
  git?: Omit<GitHttpOptions, "access">;
}

/**
 * The request body as a web stream that reads from the socket only when the engine asks for more
 * (highWaterMark 0) and hands over Node's chunks as they are. Readable.toWeb copies every chunk
 * ("detach it from the pool") and keeps a 16 KiB queue of its own.
 */
function requestBody(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  const it = req[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

const REPO_PATH = /^\/((?:[A-Za-z0-9][A-Za-z0-9._-]*\/)*[A-Za-z0-9][A-Za-z0-9._-]*?)\.git(?:\/(.*))?$/;

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const repos = new Map<string, MemoryRepoStore>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      opts.log?.(`error: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`internal error: ${(e as Error).message}\n`);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = REPO_PATH.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found\n");
      return;
    }
    const name = m[1]!;
    const rest = m[2] ?? "";
    if (rest === "" && req.method === "PUT") {
      const existed = repos.has(name);
      if (!existed) repos.set(name, new MemoryRepoStore());
      res.writeHead(existed ? 200 : 201, { "Content-Type": "text/plain" }).end(existed ? "exists\n" : "created\n");
      return;
    }
    let store = repos.get(name);
    if (!store) {
      const pushing = rest === "git-receive-pack" || url.searchParams.get("service") === "git-receive-pack";
      if (!pushing) {
        // No body: git then prints just "repository '...' not found", as with git http-backend.
        res.writeHead(404).end();
        return;
      }
      store = new MemoryRepoStore();
      repos.set(name, store);
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url.href, {
      method: req.method ?? "GET",
      headers,
      ...(hasBody ? { body: requestBody(req), duplex: "half" } : {}),
    } as RequestInit);
    const t0 = Date.now();
    const response = await handleGitHttp(request, rest, store, { ...opts.git, access: "write" });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (!res.write(chunk)) await new Promise<void>((r) => res.once("drain", () => r()));
      }
    }
    res.end();
    opts.log?.(`${req.method} ${url.pathname}${url.search} ${response.status} ${Date.now() - t0}ms`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("server did not bind");
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    repos,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
