/**
 * What the benchmark times: one push and three kinds of clone, each driven by the real git CLI and checked afterwards
 * (a fast wrong answer must not count). Each op returns the wall time of its one timed git command.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./proc";
import type { BenchRepo } from "./repo";
import type { ServerProcess } from "./servers";

export interface OpContext {
  server: ServerProcess;
  /** name of this repetition's repo on the server (empty before the push) */
  repo: string;
  src: BenchRepo;
  /** scratch directory for clones */
  work: string;
  /** environment for the git client */
  env: NodeJS.ProcessEnv;
}

export interface Op {
  name: string;
  /** Runs the op and checks its result; returns the wall time of the timed git command in ms. */
  exec(ctx: OpContext): Promise<number>;
}

export const git = (args: string[], env: NodeJS.ProcessEnv) => run("git", args, { env, timeoutMs: 300_000 });

const push: Op = {
  name: "push --all (empty repo)",
  async exec({ server, repo, src, env }) {
    await server.createRepo(repo);
    const { ms } = await git(["--git-dir", src.dir, "push", "-q", "--all", server.url(repo)], env);
    const remote = (await git(["ls-remote", server.url(repo), "refs/heads/main"], env)).stdout.split("\t")[0];
    if (remote !== src.tip) throw new Error(`after push the server has main = ${remote || "nothing"}`);
    return ms;
  },
};

function clone(name: string, args: string[], depth?: number): Op {
  return {
    name,
    async exec({ server, repo, src, work, env }) {
      const dest = join(work, `${server.name}-${repo}-${name.replace(/\W+/g, "_")}`);
      try {
        const { ms } = await git([...args, server.url(repo), dest], env);
        const head = (await git(["-C", dest, "rev-parse", "HEAD"], env)).stdout.trim();
        if (head !== src.tip) throw new Error(`clone checked out ${head || "nothing"}, expected ${src.tip}`);
        if (depth !== undefined) {
          const n = (await git(["-C", dest, "rev-list", "--count", "HEAD"], env)).stdout.trim();
          if (n !== String(depth)) throw new Error(`--depth ${depth} clone has ${n} commits`);
        }
        return ms;
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    },
  };
}

/** In order: the push fills the repo the clones read. */
export const OPS: Op[] = [
  push,
  clone("clone (protocol v2)", ["-c", "protocol.version=2", "clone", "-q"]),
  clone("clone (protocol v0)", ["-c", "protocol.version=0", "clone", "-q"]),
  clone("clone --depth 1", ["-c", "protocol.version=2", "clone", "-q", "--depth", "1"], 1),
];
