import { afterAll, beforeAll, expect, test } from "vitest";
import { rejection, startService, type ServiceHandle } from "../support/service.js";

let svc: ServiceHandle;
beforeAll(async () => {
  svc = await startService();
});
afterAll(() => svc?.close());

test("create, get, info, list", async () => {
  const r = await svc.artifacts.create("smoke");
  expect(r.token).toMatch(/^art_v1_[0-9a-f]{40}\?expires=\d+$/);
  const repo = await svc.artifacts.get("smoke");
  const info = await repo.info();
  expect(info.name).toBe("smoke");
  const list = await svc.artifacts.list();
  expect(list.total).toBe(1);
  const err = await rejection(() => svc.artifacts.create("bad name!"));
  expect(err.code).toBe("INVALID_REPO_NAME");
});
