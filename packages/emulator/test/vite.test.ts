/**
 * @cloudflare/vite-plugin 1.64 + vite 8: `vite dev` with withArtifactsEmulator — the consumer's
 * env.ARTIFACTS is the emulator (codes intact) and Git remotes answer on the Vite dev server.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { cloudflare } from "@cloudflare/vite-plugin";
import { withArtifactsEmulator } from "../src/vite.js";
import { freePort } from "../src/state.js";
import { git } from "../src/testing-node.js";
import { pushFiles } from "../src/testing.js";

let dir: string;
let server: ViteDevServer;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vite-consumer-"));
  await mkdir(join(dir, "src"));
  await writeFile(
    join(dir, "src", "index.ts"),
    `export default {
      async fetch(request: Request, env: any) {
        const name = new URL(request.url).searchParams.get("name");
        try {
          if (name) return Response.json(await env.ARTIFACTS.create(name));
          await env.ARTIFACTS.create("bad name!");
        } catch (e: any) {
          return Response.json({ name: e.name, code: e.code }, { status: 400 });
        }
        return new Response("ok");
      },
    };\n`,
  );
  await writeFile(
    join(dir, "wrangler.jsonc"),
    `{ "name": "vite-consumer", "main": "src/index.ts", "compatibility_date": "2026-08-01", "artifacts": [{ "binding": "ARTIFACTS", "namespace": "vite-ns" }] }`,
  );
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = await createServer({
    root: dir,
    configFile: false,
    logLevel: "error",
    server: { host: "127.0.0.1", port, strictPort: true },
    plugins: [cloudflare(withArtifactsEmulator({ configPath: join(dir, "wrangler.jsonc"), persistState: false, inspectorPort: false as const }, { origin }))],
  });
  await server.listen();
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true }).catch(() => {}); // vite may still be writing its cache
});

describe("withArtifactsEmulator (vite dev)", () => {
  it("serves env.ARTIFACTS with error codes, and Git remotes on the Vite port", async () => {
    expect(await (await fetch(`${origin}/`)).json()).toEqual({ name: "ArtifactsError", code: "INVALID_REPO_NAME" });
    const created = (await (await fetch(`${origin}/?name=via-vite`)).json()) as { remote: string; token: string };
    expect(created.remote).toBe(`${origin}/git/vite-ns/via-vite.git`);
    await pushFiles({ remote: created.remote, token: created.token, files: { "x.txt": "vite\n" } });
    const clone = join(dir, "clone");
    const r = await git(["clone", "-q", created.remote, clone], { token: created.token });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(clone, "x.txt"), "utf8")).toBe("vite\n");
  });
});
