// docs/contract.md "Namespace methods" list: limit 1–200 (default 50), opaque cursor, total, createdAt descending,
// entries without `remote`. One service of its own, so totals are exact.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startService, type ServiceHandle } from "../support/service.js";
import { fails, ISO, REPO_ID } from "./helpers.js";

let svc: ServiceHandle;
const N = 120;
const names: string[] = [];

beforeAll(async () => {
  svc = await startService();
  for (let i = 0; i < N; i++) {
    const name = `list-${String(i).padStart(3, "0")}`;
    await svc.artifacts.create(name, i === 7 ? { description: "seven", readOnly: true, setDefaultBranch: "trunk" } : undefined);
    names.push(name);
  }
});
afterAll(() => svc?.close());

type Entry = Awaited<ReturnType<ServiceHandle["artifacts"]["list"]>>["repos"][number];

async function all(limit: number): Promise<{ pages: number; repos: Entry[] }> {
  const repos: Entry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await svc.artifacts.list({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.total).toBe(N);
    repos.push(...page.repos);
    cursor = page.cursor;
    pages++;
    if (cursor === undefined) expect(Object.keys(page)).not.toContain("cursor");
    else expect(page.repos.length).toBe(limit);
  } while (cursor);
  return { pages, repos };
}

describe("list (docs/contract.md 'Namespace methods')", () => {
  test("default page is 50, with a cursor and the total", async () => {
    const page = await svc.artifacts.list();
    expect(page.repos).toHaveLength(50);
    expect(page.total).toBe(N);
    expect(typeof page.cursor).toBe("string");
  });

  test.each([1, 7, 50, 119, 120, 200])("cursor pagination with limit %i visits every repo exactly once, newest first", async (limit) => {
    const { pages, repos } = await all(limit);
    expect(pages).toBe(Math.ceil(N / limit));
    expect(repos.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(new Set(repos.map((r) => r.id)).size).toBe(N);
    for (let i = 1; i < repos.length; i++) expect(repos[i - 1]!.createdAt >= repos[i]!.createdAt).toBe(true);
    // created one after another: the newest is the last one created, the oldest the first
    expect(repos[0]!.name).toBe(names[N - 1]);
    expect(repos[N - 1]!.name).toBe(names[0]);
  });

  test("entries are repo info without remote (plus status and jurisdiction)", async () => {
    const { repos } = await all(200);
    for (const r of repos) {
      expect(Object.keys(r).sort()).toEqual([
        "createdAt",
        "defaultBranch",
        "description",
        "id",
        "jurisdiction",
        "lastPushAt",
        "name",
        "readOnly",
        "source",
        "status",
        "updatedAt",
      ]);
      expect(r.id).toMatch(REPO_ID);
      expect(r.createdAt).toMatch(ISO);
      expect(r).toMatchObject({ status: "ready", jurisdiction: "unrestricted", lastPushAt: null, source: null });
    }
    const seven = repos.find((r) => r.name === "list-007")!;
    expect(seven).toMatchObject({ description: "seven", readOnly: true, defaultBranch: "trunk" });
    const info = await (await svc.artifacts.get("list-007")).info();
    const { remote: _remote, ...rest } = info;
    expect(seven).toEqual({ ...rest, status: "ready", jurisdiction: "unrestricted" });
  });

  test("limit validation", async () => {
    const list = svc.artifacts.list as (opts?: unknown) => Promise<unknown>;
    for (const limit of [0, -1, 201, 1000, 1.5, "10", true, Number.NaN])
      await fails(() => list({ limit }), "INVALID_INPUT", "Invalid limit: must be between 1 and 200.");
    for (const opts of ["x", 5, [], null]) await fails(() => list(opts), "INVALID_INPUT");
    expect((await svc.artifacts.list({ limit: 1 })).repos).toHaveLength(1);
    expect((await svc.artifacts.list({ limit: 200 })).repos).toHaveLength(N);
  });

  test("a malformed cursor starts from the beginning", async () => {
    const first = await svc.artifacts.list({ limit: 5 });
    for (const cursor of ["not-base64!", "e30=", btoa("[]"), btoa(JSON.stringify({ offset: "x" }))]) {
      const page = await svc.artifacts.list({ limit: 5, cursor });
      expect(page.repos.map((r) => r.id)).toEqual(first.repos.map((r) => r.id));
    }
  });

  test("deleted repos leave the listing and the total at once", async () => {
    expect(await svc.artifacts.delete("list-050")).toBe(true);
    const page = await svc.artifacts.list({ limit: 200 });
    expect(page.total).toBe(N - 1);
    expect(page.repos.map((r) => r.name)).not.toContain("list-050");
    await svc.artifacts.create("list-050");
    const again = await svc.artifacts.list({ limit: 1 });
    expect(again.total).toBe(N);
    expect(again.repos[0]!.name).toBe("list-050");
  });
});
