import { env, SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import { pushFiles } from "artifacts-emulator/testing";

it("creates a repo through the Worker; its remote answers Git on a real loopback port", async () => {
  const res = await SELF.fetch("http://scratch.example/repos/from-vitest", { method: "POST" });
  expect(res.status).toBe(201);
  const repo = await res.json<{ remote: string; token: string }>();
  expect(repo.remote).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/git\/scratch\/from-vitest\.git$/);
  // No fetcher: the push goes over the network to the remote, as `git push` would.
  const { commit } = await pushFiles({ remote: repo.remote, token: repo.token, files: { "README.md": "# from vitest\n" } });
  const log = await (await env.ARTIFACTS.get("from-vitest")).log({ limit: 1 });
  expect(log[0]?.hash).toBe(commit);
});
