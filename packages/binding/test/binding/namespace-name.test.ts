// docs/contract.md "Names": namespace names follow the repo-name rule. A binding configured with a namespace
// that REST could never reach ("bad ns/x") refuses every call, so no repo is made there that only
// the binding and Git could see.
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import type { Artifacts } from "@cloudflare/workers-types/index.ts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { COMPAT_DATE, serviceWorkerOptions } from "../support/service.js";
import { fails } from "./helpers.js";

let mf: Miniflare;
let bad: Artifacts;
let good: Artifacts;

beforeAll(async () => {
  const consumer = (name: string, namespace: string) => ({
    name,
    modules: true,
    script: `export default { fetch() { return new Response("") } }`,
    compatibilityDate: COMPAT_DATE,
    serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace } } },
  });
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [serviceWorkerOptions(), consumer("bad", "bad ns/x"), consumer("good", "a.b_c-D9")],
    } as never),
  );
  await mf.ready;
  bad = (await mf.getBindings<{ ARTIFACTS: Artifacts }>("bad")).ARTIFACTS;
  good = (await mf.getBindings<{ ARTIFACTS: Artifacts }>("good")).ARTIFACTS;
});
afterAll(() => mf?.dispose());

test("every namespace-level call through a binding with an invalid namespace is INVALID_INPUT with the simulator's message", async () => {
  const msg = "Invalid local Artifacts namespace: bad ns/x";
  await fails(() => bad.create("repo"), "INVALID_INPUT", msg);
  await fails(() => bad.get("repo"), "INVALID_INPUT", msg);
  await fails(() => bad.list(), "INVALID_INPUT", msg);
  await fails(() => bad.delete("repo"), "INVALID_INPUT", msg);
  await fails(() => bad.import({ source: { url: "https://example.com/r.git" }, target: { name: "repo" } }), "INVALID_INPUT", msg);
  // A valid namespace with every allowed character works.
  const created = await good.create("repo");
  expect(created.remote).toMatch(/\/git\/a\.b_c-D9\/repo\.git$/);
});
