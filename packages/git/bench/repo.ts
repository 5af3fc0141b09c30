/**
 * The benchmark's synthetic repo: the recipe of docs/integration.md "Simulator measurements" (2,000 text files of 6–14 KB made of
 * random words plus a README, ≈ 20 MB of work tree, 50 commits on main, each adding 40 files and appending to 5),
 * so our numbers sit next to the official simulator's. Made with a seeded PRNG and `git fast-import` (fixed names
 * and dates), so every machine gets the same commit ids; cached under packages/git/.bench/.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./proc";

export const RECIPE = {
  version: 1,
  seed: 42,
  commits: 50,
  addsPerCommit: 40,
  appendsPerCommit: 5,
  minBytes: 6 * 1024,
  maxBytes: 14 * 1024,
} as const;

export interface BenchRepo {
  /** bare repo to push from */
  dir: string;
  tip: string;
  files: number;
  commits: number;
  objects: number;
  packBytes: number;
  treeBytes: number;
}

/** mulberry32: small, fast, good enough for text, identical everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function textMaker(rand: () => number): (bytes: number) => string {
  const letters = "etaoinshrdlcumwfgypbvkjxqz";
  const words = Array.from({ length: 4096 }, () => {
    let w = "";
    const n = 2 + Math.floor(rand() * 8);
    for (let i = 0; i < n; i++) w += letters[Math.floor(Math.pow(rand(), 1.6) * letters.length)];
    return w;
  });
  return (bytes) => {
    const lines: string[] = [];
    let size = 0;
    while (size < bytes) {
      const n = 6 + Math.floor(rand() * 9);
      const line = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(" ") + "\n";
      lines.push(line);
      size += line.length;
    }
    return lines.join("");
  };
}

function data(s: string): string {
  return `data ${Buffer.byteLength(s)}\n${s}\n`;
}

/** The fast-import stream for the whole history (contents are ASCII, so string length = byte length). */
function* history(stats: { files: number; treeBytes: number }): Generator<string> {
  const rand = prng(RECIPE.seed);
  const text = textMaker(rand);
  const contents = new Map<string, string>();
  const paths: string[] = [];
  for (let c = 0; c < RECIPE.commits; c++) {
    const { addsPerCommit: adds, appendsPerCommit: appends } = RECIPE;
    const msg = c === 0 ? "Initial import\n" : `Change ${c}: add ${adds} files, extend ${appends}\n`;
    const when = 1_767_225_600 + c * 3600;
    let out = `commit refs/heads/main\nmark :${c + 1}\n`;
    out += `author Bench <bench@example.com> ${when} +0000\ncommitter Bench <bench@example.com> ${when} +0000\n`;
    out += data(msg);
    if (c > 0) out += `from :${c}\n`;
    yield out;
    const changed: string[] = [];
    if (c === 0) {
      contents.set("README.md", "# bench\n\nSynthetic repository for packages/git/bench.\n");
      changed.push("README.md");
    } else {
      for (let k = 0; k < RECIPE.appendsPerCommit; k++) {
        const p = paths[Math.floor(rand() * paths.length)]!;
        contents.set(p, contents.get(p)! + text(200 + Math.floor(rand() * 600)));
        changed.push(p);
      }
    }
    for (let k = 0; k < RECIPE.addsPerCommit; k++) {
      const i = paths.length;
      const p = `src/mod-${String(i % 40).padStart(2, "0")}/file-${String(i).padStart(4, "0")}.txt`;
      paths.push(p);
      contents.set(p, text(RECIPE.minBytes + Math.floor(rand() * (RECIPE.maxBytes - RECIPE.minBytes))));
      changed.push(p);
    }
    for (const p of new Set(changed)) yield `M 100644 inline ${p}\n${data(contents.get(p)!)}`;
    yield "\n";
  }
  stats.files = contents.size;
  stats.treeBytes = [...contents.values()].reduce((n, s) => n + s.length, 0);
}

async function* chunks(gen: Generator<string>): AsyncGenerator<string> {
  yield* gen;
}

/** Returns the cached repo, making it first if needed (a few seconds). */
export async function ensureRepo(cacheDir: string, env: NodeJS.ProcessEnv): Promise<BenchRepo> {
  const dir = join(cacheDir, `repo-v${RECIPE.version}.git`);
  const marker = join(dir, "bench-repo.json");
  const cached = await readFile(marker, "utf8").catch(() => undefined);
  if (cached) return { ...(JSON.parse(cached) as BenchRepo), dir };

  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  await run("git", ["init", "-q", "--bare", "--initial-branch=main", tmp], { env });
  const stats = { files: 0, treeBytes: 0 };
  await run("git", ["--git-dir", tmp, "fast-import", "--quiet"], { env, input: chunks(history(stats)) });
  // One delta-compressed pack, as a repo looks after `git gc`; push then reuses its deltas.
  await run("git", ["--git-dir", tmp, "repack", "-a", "-d", "-q"], { env });
  const tip = (await run("git", ["--git-dir", tmp, "rev-parse", "refs/heads/main"], { env })).stdout.trim();
  const counts = (await run("git", ["--git-dir", tmp, "count-objects", "-v"], { env })).stdout;
  const num = (key: string): number => Number(new RegExp(`^${key}: (\\d+)`, "m").exec(counts)?.[1] ?? 0);
  const repo: BenchRepo = {
    dir,
    tip,
    files: stats.files,
    commits: RECIPE.commits,
    objects: num("in-pack") + num("count"),
    packBytes: num("size-pack") * 1024,
    treeBytes: stats.treeBytes,
  };
  await writeFile(join(tmp, "bench-repo.json"), JSON.stringify(repo, null, 2));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return repo;
}
