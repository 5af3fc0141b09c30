import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HTTP_BINDING, rewriteMiniflareWorker, rewriteWranglerConfig, rewriteWranglerConfigForDev, withErrorSerialization } from "../src/glue.js";
import { parseWranglerConfig, stripJsonc } from "../src/wrangler-config.js";
import { parseDevArgs, resolveRawConfig, resolveUserConfig, resolveUserConfigIsolated, startDev } from "../src/dev.js";
import { linkWrangler, node } from "./support/project.js";
import { entryShim, ignoreSibling } from "../src/dev-files.js";
import { checkWranglerVersion, nodeForWrangler, wranglerSupported } from "../src/user-wrangler.js";

const svc = (binding: string, namespace: string) => ({ binding, service: "artifacts-emulator", entrypoint: "ArtifactsBinding", props: { namespace } });

describe("glue", () => {
  it("refuses a namespace the service's name rule rejects, in every config shape, with the simulator's message", async () => {
    const bad = "bad ns/x";
    const msg = `Invalid local Artifacts namespace: ${bad}`;
    expect(() => rewriteMiniflareWorker({ name: "w", artifacts: { ARTIFACTS: { namespace: bad } } })).toThrow(msg);
    expect(() => rewriteWranglerConfig({ artifacts: [{ binding: "A", namespace: bad }] })).toThrow(msg);
    expect(() =>
      rewriteWranglerConfigForDev(
        { main: "src/index.ts", artifacts: [{ binding: "A", namespace: "ok" }], env: { staging: { artifacts: [{ binding: "A", namespace: bad }] } } },
        { entry: "./e.ts" },
      ),
    ).toThrow(msg);
    for (const n of ["", "-x", ".x", "a/b", "x".repeat(64), "ü"])
      expect(() => rewriteMiniflareWorker({ artifacts: { A: { namespace: n } } }), JSON.stringify(n)).toThrow("Invalid local Artifacts namespace");
    expect(() => rewriteMiniflareWorker({ artifacts: { A: { namespace: "x".repeat(63) } } })).not.toThrow();
    expect(() => rewriteMiniflareWorker({ artifacts: { A: { namespace: "a.b_c-D9" } } })).not.toThrow();
    // The dev command refuses it at startup, before wrangler is started.
    const d = await mkdtemp(join(tmpdir(), "bad-ns-"));
    try {
      await mkdir(join(d, "src"));
      await writeFile(join(d, "src", "index.ts"), "export default { fetch() { return new Response('x') } }");
      await writeFile(
        join(d, "wrangler.jsonc"),
        JSON.stringify({ name: "bad", main: "src/index.ts", compatibility_date: "2026-08-01", artifacts: [{ binding: "ARTIFACTS", namespace: bad }] }),
      );
      await linkWrangler(d);
      await expect(startDev(["--cwd", d, "--persist-to", join(d, "state")], { stdio: "pipe", node, log: () => {} })).rejects.toThrow(msg);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it("adds enhanced_error_serialization only for consumers dated before 2026-04-21", () => {
    expect(withErrorSerialization("2026-04-20", ["nodejs_compat"])).toEqual(["nodejs_compat", "enhanced_error_serialization"]);
    expect(withErrorSerialization("2026-04-21", ["nodejs_compat"])).toEqual(["nodejs_compat"]);
    expect(withErrorSerialization("2025-01-01", ["enhanced_error_serialization"])).toEqual(["enhanced_error_serialization"]);
  });

  it("Miniflare shape: artifacts become service bindings to the entrypoint with the namespace in props", () => {
    const out = rewriteMiniflareWorker({
      name: "w",
      compatibilityDate: "2026-08-01",
      artifacts: { ARTIFACTS: { namespace: "ns" } },
      serviceBindings: { OTHER: "x" },
    });
    expect(out).not.toHaveProperty("artifacts");
    expect(out.serviceBindings).toEqual({ OTHER: "x", ARTIFACTS: { name: "artifacts-emulator", entrypoint: "ArtifactsBinding", props: { namespace: "ns" } } });
  });

  it("wrangler shape: keeps other services and adds the flag to old consumers", () => {
    const out = rewriteWranglerConfig({
      compatibility_date: "2025-06-01",
      services: [{ binding: "S", service: "s" }],
      artifacts: [{ binding: "A", namespace: "n" }],
    });
    expect(out.services).toEqual([{ binding: "S", service: "s" }, svc("A", "n")]);
    expect(out.compatibility_flags).toEqual(["enhanced_error_serialization"]);
  });

  it("dev sibling: every environment swapped on its own, main → the shim, inherited flags kept", () => {
    const raw = {
      name: "w",
      main: "src/index.ts",
      compatibility_date: "2025-06-01",
      compatibility_flags: ["nodejs_compat"],
      artifacts: [{ binding: "ARTIFACTS", namespace: "prod" }],
      env: {
        staging: { artifacts: [{ binding: "ARTIFACTS", namespace: "staging" }], vars: { X: "1" } },
        other: { main: "src/other.ts", compatibility_date: "2026-08-01" },
      },
    };
    const out = rewriteWranglerConfigForDev(raw, { entry: ".wrangler/artifacts-dev/entry.mjs", baseDir: "./src" }) as Record<string, any>;
    expect(out.main).toBe(".wrangler/artifacts-dev/entry.mjs");
    expect(out.base_dir).toBe("./src");
    expect(out.artifacts).toBeUndefined();
    expect(out.services).toEqual([svc("ARTIFACTS", "prod"), { binding: HTTP_BINDING, service: "artifacts-emulator" }]);
    expect(out.compatibility_flags).toEqual(["nodejs_compat", "enhanced_error_serialization"]);
    // staging inherits date and flags: its own flags must keep nodejs_compat
    expect(out.env.staging.services).toEqual([svc("ARTIFACTS", "staging"), { binding: HTTP_BINDING, service: "artifacts-emulator" }]);
    expect(out.env.staging.compatibility_flags).toEqual(["nodejs_compat", "enhanced_error_serialization"]);
    expect(out.env.staging.vars).toEqual({ X: "1" });
    // artifacts do not inherit: `other` has none, but still gets the HTTP binding and the shim
    expect(out.env.other.services).toEqual([{ binding: HTTP_BINDING, service: "artifacts-emulator" }]);
    expect(out.env.other.main).toBe(".wrangler/artifacts-dev/entry.mjs");
    expect(out.env.other.compatibility_flags).toBeUndefined();
    expect(raw.artifacts).toHaveLength(1); // input untouched
  });

  it("the entry shim re-exports the user's module and imports it relatively", () => {
    const shim = entryShim("/p/.wrangler/artifacts-dev/entry.mjs", "/p/src/index.ts");
    expect(shim).toContain('import * as user from "../../src/index.ts";');
    expect(shim).toContain('export * from "../../src/index.ts";');
    expect(shim).toContain(`env[${JSON.stringify(HTTP_BINDING)}]`);
  });
});

describe("config reading", () => {
  it("strips JSONC comments and trailing commas but not string contents", () => {
    const text = `// c\n{ "a": "http://x/*y*/", /* b */ "b": [1, 2,], "c": "//", }\n`;
    expect(JSON.parse(stripJsonc(text))).toEqual({ a: "http://x/*y*/", b: [1, 2], c: "//" });
    expect(JSON.parse(stripJsonc(`{"q": "say \\"hi\\", // not a comment"}`))).toEqual({ q: 'say "hi", // not a comment' });
  });

  it("reads TOML configs", () => {
    const c = parseWranglerConfig(`name = "w"\nmain = "src/index.ts"\n[[artifacts]]\nbinding = "ARTIFACTS"\nnamespace = "n"\n`, "wrangler.toml");
    expect(c.artifacts).toEqual([{ binding: "ARTIFACTS", namespace: "n" }]);
  });

  it("parses wrangler dev args: -c and our flags are taken out, the rest passes through", () => {
    const a = parseDevArgs([
      "-c",
      "w.jsonc",
      "--env=staging",
      "--port",
      "9999",
      "--var",
      "A:1",
      "--remote",
      "src/x.ts",
      "--artifacts-webhook",
      "/hook",
      "--persist-to",
      "st",
    ]);
    expect(a).toMatchObject({ config: "w.jsonc", env: "staging", port: 9999, script: "src/x.ts", webhooks: ["/hook"], persistTo: "st" });
    expect(a.passthrough).toEqual(["--env=staging", "--var", "A:1", "--remote", "--persist-to", "st"]);
  });

  it("runs wrangler under this Node only when it meets wrangler's engines.node, else says which Node in one line", () => {
    const w = { dir: "/p/node_modules/wrangler", version: "4.164.0", cli: "", api: "", engines: ">=22.12.0" };
    expect(nodeForWrangler(w, "22.12.0")).toBe(process.execPath);
    expect(nodeForWrangler(w, "24.1.0")).toBe(process.execPath);
    expect(() => nodeForWrangler(w, "22.11.9")).toThrow(
      "wrangler 4.164.0 needs Node.js >= 22.12.0, and this is Node.js v22.11.9: run artifacts-emulator with Node.js 22.12.0 or newer",
    );
    expect(() => nodeForWrangler(w, "20.20.2")).toThrow(/^[^\n]+$/);
  });

  it("accepts the wrangler versions of its peer range (>=4.164.0 <5) and names the range otherwise", () => {
    expect(wranglerSupported("4.164.0")).toBe(true);
    expect(wranglerSupported("4.200.1")).toBe(true);
    expect(wranglerSupported("4.163.9")).toBe(false);
    expect(wranglerSupported("5.0.0")).toBe(false);
    expect(() => checkWranglerVersion({ dir: "/p", version: "3.114.0", cli: "", api: "" })).toThrow(
      "wrangler 3.114.0 (in /p) is not supported: artifacts-emulator needs wrangler >=4.164.0 <5; install one with `npm i -D wrangler@^4.164.0`",
    );
  });
});

describe("bad input: one line each", () => {
  it("a config that does not parse names the file, line and column", () => {
    expect(() => parseWranglerConfig('{\n  // a comment\n  "name": "w"\n  "main": "x.ts"\n}', "/p/wrangler.jsonc")).toThrow(
      /^Cannot parse \/p\/wrangler\.jsonc:4:3: [^\n]+$/,
    );
    expect(() => parseWranglerConfig('name = "w"\nmain = = 1\n', "/p/wrangler.toml")).toThrow(/^Cannot parse \/p\/wrangler\.toml:2:8: [^\n]+$/);
  });

  it("stripJsonc keeps every offset (comments and trailing commas become spaces)", () => {
    const text = '{ /* c */ "a": [1,],\n // x\n "b": 2, }';
    expect(stripJsonc(text)).toHaveLength(text.length);
    expect(JSON.parse(stripJsonc(text))).toEqual({ a: [1], b: 2 });
  });

  it("a binding with remote: true stays an artifacts binding for wrangler; the others are emulated", () => {
    const out = rewriteWranglerConfigForDev(
      {
        main: "src/index.ts",
        artifacts: [
          { binding: "LOCAL", namespace: "l" },
          { binding: "PROD", namespace: "p", remote: true },
        ],
      },
      { entry: "./entry.mjs" },
    );
    expect(out.artifacts).toEqual([{ binding: "PROD", namespace: "p", remote: true }]);
    expect(out.services).toEqual([svc("LOCAL", "l"), { binding: HTTP_BINDING, service: "artifacts-emulator" }]);
    const raw = { main: "src/index.ts", artifacts: [{ binding: "PROD", namespace: "p", remote: true }] };
    expect(resolveRawConfig("/p/wrangler.jsonc", raw, undefined, undefined)).toMatchObject({ artifacts: [], remote: ["PROD"] });
  });
});

describe("against wrangler's own reader", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "glue-"));
    await linkWrangler(dir);
    await mkdir(join(dir, "src"));
    await writeFile(join(dir, "src", "index.ts"), "export default {}\n");
    await writeFile(join(dir, "src", "other.ts"), "export default {}\n");
    await writeFile(
      join(dir, "wrangler.jsonc"),
      `{ "name": "w", "main": "src/index.ts", "compatibility_date": "2026-08-01", "dev": { "port": 9123 },
         "artifacts": [{ "binding": "ARTIFACTS", "namespace": "prod" }],
         "env": { "staging": { "artifacts": [{ "binding": "ARTIFACTS", "namespace": "stg" }, { "binding": "MORE", "namespace": "m" }] },
                  "bare": { "main": "src/other.ts" } } }`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("the fast raw resolution agrees with unstable_readConfig for every environment", async () => {
    const path = join(dir, "wrangler.jsonc");
    const { readWranglerConfig } = await import("../src/wrangler-config.js");
    const raw = readWranglerConfig(path);
    for (const env of [undefined, "staging", "bare"]) {
      const fast = resolveRawConfig(path, raw, env, undefined);
      const wr = await resolveUserConfig(path, env, undefined);
      expect(fast.main, String(env)).toBe(wr.main);
      expect(fast.artifacts, String(env)).toEqual(wr.artifacts);
      // the same reader in a short-lived process (what dev uses after ready); once, it costs a wrangler load
      if (env === "staging") expect(await resolveUserConfigIsolated(path, env, undefined)).toEqual(wr);
      expect(fast.devPort).toBe(9123);
    }
    expect(resolveRawConfig(path, raw, "staging", undefined).artifacts.map((a) => a.namespace)).toEqual(["stg", "m"]);
    expect(resolveRawConfig(path, raw, "bare", undefined).artifacts).toEqual([]);
    expect(() => resolveRawConfig(path, raw, "nope", undefined)).toThrow(/No environment "nope"/);
  });

  it("the entry shim keeps the user's handlers (own or inherited, bound) and answers our paths first", async () => {
    const { writeFileSync } = await import("node:fs");
    const { pathToFileURL } = await import("node:url");
    writeFileSync(
      join(dir, "src", "handler.mjs"),
      `class Handler { constructor() { this.greeting = "user"; } fetch(r) { return new Response(this.greeting + " " + new URL(r.url).pathname); } scheduled() { return this.greeting; } }
       export class MyObject {}
       export default new Handler();\n`,
    );
    const shimPath = join(dir, ".wrangler", "artifacts-dev", "shim-test.mjs");
    await mkdir(join(dir, ".wrangler", "artifacts-dev"), { recursive: true });
    writeFileSync(shimPath, entryShim(shimPath, join(dir, "src", "handler.mjs")));
    const mod = await import(pathToFileURL(shimPath).href);
    expect(mod.MyObject).toBeTypeOf("function");
    const seen: string[] = [];
    const env = { [HTTP_BINDING]: { fetch: async (r: Request) => (seen.push(new URL(r.url).pathname), new Response("service")) } };
    expect(await (await mod.default.fetch(new Request("http://x/hello"), env)).text()).toBe("user /hello");
    expect(await (await mod.default.fetch(new Request("http://x/git/ns/r.git/info/refs"), env)).text()).toBe("service");
    expect(await (await mod.default.fetch(new Request("http://x/cdn-cgi/artifacts/client/v4/x"), env)).text()).toBe("service");
    expect(seen).toEqual(["/git/ns/r.git/info/refs", "/client/v4/x"]);
    expect(mod.default.scheduled()).toBe("user");
    // without the binding (e.g. another environment of the same session) the user's handler answers
    expect(await (await mod.default.fetch(new Request("http://x/git/a"), {})).text()).toBe("user /git/a");
  });

  it("git-ignores the sibling through .git/info/exclude, once", async () => {
    await mkdir(join(dir, ".git", "info"), { recursive: true });
    await mkdir(join(dir, "sub"));
    const f = ignoreSibling(join(dir, "sub"));
    expect(f).toBe(join(dir, ".git", "info", "exclude"));
    ignoreSibling(dir);
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(f!, "utf8");
    expect(text.match(/^\.wrangler\.artifacts-dev\.\*$/gm)).toHaveLength(1);
  });
});
