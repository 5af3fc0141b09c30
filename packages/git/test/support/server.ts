/**
 * One interface over the two servers every e2e scenario runs against: our dev server (in-process) and the
 * `git http-backend` oracle (child processes). docs/conventions.md "Tests against the real thing" and
 * "Shared conformance suites": one factory per surface, one shared suite.
 */
import { startHttpBackend } from "./http-backend";

export { startHttpBackend };

export interface GitServer {
  name: "ours" | "http-backend";
  /** e.g. http://127.0.0.1:43123, no trailing slash */
  base: string;
  /** `${base}/${repo}.git` */
  url(repo: string): string;
  /** Creates an empty repo whose HEAD is refs/heads/main. */
  createRepo(repo: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts our dev server (packages/git/node/server.ts) in this process.
 * Imported lazily so that the oracle rows still run while the engine is being written.
 */
export async function startOurs(): Promise<GitServer> {
  const { startDevServer } = await import("../../node/server");
  const dev = await startDevServer({ host: "127.0.0.1", port: 0 });
  const base = dev.url.replace(/\/+$/, "");
  return {
    name: "ours",
    base,
    url: (repo) => `${base}/${repo}.git`,
    async createRepo(repo) {
      const res = await fetch(`${base}/${repo}.git`, { method: "PUT" });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(`PUT ${repo}.git → ${res.status} ${res.statusText}`);
      }
    },
    close: () => dev.close(),
  };
}

export type ServerFactory = () => Promise<GitServer>;

/** The rows for `describe.each`: every scenario runs against ours and the oracle. */
export const SERVERS: [GitServer["name"], ServerFactory][] = [
  ["ours", startOurs],
  ["http-backend", () => startHttpBackend()],
];

/**
 * The same-run oracle (dulwich compat-test model, docs/git-protocol.md "Oracle tests"): one `git http-backend` per test file, and each scenario's
 * outcome on it computed once (by key) and shared by every row that compares against it.
 */
export class Oracle {
  private server: Promise<GitServer> | undefined;
  private readonly results = new Map<string, Promise<unknown>>();

  /** `setup` runs once on the oracle before the first scenario (e.g. seed the shared source repo). */
  constructor(private readonly setup?: (srv: GitServer) => Promise<void>) {}

  /** The outcome of `scenario` on the oracle, computed on first use. */
  run<T>(key: string, scenario: (srv: GitServer) => Promise<T>): Promise<T> {
    let r = this.results.get(key) as Promise<T> | undefined;
    if (!r) {
      this.server ??= startHttpBackend().then(async (srv) => {
        await this.setup?.(srv);
        return srv;
      });
      r = this.server.then(scenario);
      this.results.set(key, r);
    }
    return r;
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    this.results.clear();
    // a start that failed has already failed the tests that needed it
    const started = await srv?.catch(() => undefined);
    await started?.close();
  }
}

/** Replaces the server-specific base URL in git output so outcomes on two servers compare equal. */
export function normalize(text: string, srv: GitServer): string {
  return text.split(srv.base).join("<base>");
}
