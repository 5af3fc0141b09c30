// GET /repos (docs/contract.md "REST routes" route 2): limit, cursor paging over >100 repos, page paging (wrangler),
// search, sort and direction.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectFail, expectOk, repoUrl, startRest, type RestService } from "./support.js";

interface Item {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  last_push_at: string | null;
  status: string;
  remote: string;
}

const NS = "many";
const N = 130;
let svc: RestService;
let sb: GitSandbox;
const pushed: string[] = [];

beforeAll(async () => {
  svc = await startRest();
  // Mixed case and an order of creation unrelated to the names, so each sort key orders differently.
  const names = Array.from({ length: N }, (_, i) => `${i % 3 === 0 ? "R" : "r"}-${String((i * 47) % N).padStart(3, "0")}`);
  for (let i = 0; i < names.length; i += 10) await Promise.all(names.slice(i, i + 10).map((n) => createRepo(svc, NS, n)));
  // Three pushes, in a known order, give last_push_at (and updated_at) to three repos.
  sb = await GitSandbox.create("rest-list-");
  const src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  await sb.client(src).commit("c", { "f.txt": "x\n" }, 1);
  for (const name of ["r-005", "R-090", "r-050"]) {
    const t = expectOk<{ plaintext: string }>(await call(`${svc.base}/namespaces/${NS}/tokens`, { method: "POST", body: { repo: name } }), 201);
    const info = expectOk<Item>(await call(repoUrl(svc, NS, name)));
    await sb.ok([...bearerArgs(t.plaintext), "push", "-q", info.remote, "main"], { cwd: src });
    pushed.push(info.name);
    await new Promise((r) => setTimeout(r, 5));
  }
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const list = (q = "") => call<Item[]>(`${repoUrl(svc, NS)}${q ? `?${q}` : ""}`);

async function walkCursor(q: string, limit: number, between?: (page: number) => Promise<void>): Promise<Item[]> {
  const out: Item[] = [];
  let cursor = "";
  for (let page = 1; page < 100; page++) {
    const r = await list(`${q}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    const items = expectOk(r);
    expect(items.length).toBeLessThanOrEqual(limit);
    expect(r.body.result_info).toMatchObject({ per_page: limit, count: items.length });
    out.push(...items);
    cursor = r.body.result_info!.cursor as string;
    expect(typeof cursor).toBe("string");
    if (!cursor) return out;
    await between?.(page);
  }
  throw new Error("cursor never ended");
}

function expectOrdered(items: Item[], key: "created_at" | "updated_at" | "last_push_at" | "name", dir: "asc" | "desc") {
  const v = (i: Item) =>
    key === "name" ? i.name.toLowerCase() : key === "last_push_at" ? (i.last_push_at ? Date.parse(i.last_push_at) : 0) : Date.parse(i[key]);
  for (let i = 1; i < items.length; i++) {
    const a = v(items[i - 1]!);
    const b = v(items[i]!);
    if (dir === "asc") expect(a <= b, `${key} ${dir}: ${items[i - 1]!.name} before ${items[i]!.name}`).toBe(true);
    else expect(a >= b, `${key} ${dir}: ${items[i - 1]!.name} before ${items[i]!.name}`).toBe(true);
  }
}

describe("repo list", () => {
  test("defaults: 50 per page, created_at desc, cursor and totals in result_info, RepoWithRemote entries", async () => {
    const r = await list();
    const items = expectOk(r);
    expect(items).toHaveLength(50);
    expect(r.body.result_info).toMatchObject({ per_page: 50, count: 50, total_count: N, page: 1, total_pages: 3 });
    expect(r.body.result_info!.cursor).not.toBe("");
    expectOrdered(items, "created_at", "desc");
    for (const it of items) {
      expect(it.status).toBe("ready");
      expect(it.remote).toBe(`${svc.url}/git/${NS}/${it.name}.git`);
    }
  });

  test("cursor paging visits every repo exactly once, even while repos are created and deleted mid-walk", async () => {
    const all = expectOk(await list("limit=200"));
    expect(all).toHaveLength(N);
    const walked = await walkCursor("sort=created_at", 37, async (page) => {
      if (page === 1) {
        // Newer than everything already listed: in created_at desc they sort before the cursor.
        await createRepo(svc, NS, "late-1");
        await createRepo(svc, NS, "late-2");
      }
    });
    const names = walked.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(all.map((i) => i.name));
    for (const n of ["late-1", "late-2"]) expectOk(await call(repoUrl(svc, NS, n), { method: "DELETE" }), 202);
  });

  test("every sort key in both directions, walked by cursor, is a total order without duplicates", async () => {
    for (const sort of ["created_at", "updated_at", "last_push_at", "name"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        const walked = await walkCursor(`sort=${sort}&direction=${direction}`, 45);
        expect(walked.map((i) => i.name).sort()).toEqual(
          expectOk(await list("limit=200"))
            .map((i) => i.name)
            .sort(),
        );
        expectOrdered(walked, sort, direction);
      }
    }
    // Pushed repos come first by last push, newest first; never-pushed repos after them.
    const byPush = expectOk(await list("sort=last_push_at&limit=5"));
    expect(byPush.slice(0, 3).map((i) => i.name)).toEqual([...pushed].reverse());
    expect(byPush[3]!.last_push_at).toBeNull();
    const byUpdate = expectOk(await list("sort=updated_at&direction=desc&limit=3"));
    expect(byUpdate.map((i) => i.name)).toEqual([...pushed].reverse());
    // The documented default direction is desc for every key (docs/contract.md "REST routes"), names included.
    const byName = expectOk(await list("sort=name&limit=3"));
    expect(byName.map((i) => i.name.toLowerCase())).toEqual(["r-129", "r-128", "r-127"]);
    expect(expectOk(await list("sort=name&direction=asc&limit=2")).map((i) => i.name.toLowerCase())).toEqual(["r-000", "r-001"]);
  });

  test("page-based paging (what wrangler sends) covers everything once and stops at total_count", async () => {
    const all = expectOk(await list("limit=200")).map((i) => i.name);
    const got: string[] = [];
    for (let page = 1; page < 20; page++) {
      const r = await list(`page=${page}&per_page=40`);
      got.push(...expectOk(r).map((i) => i.name));
      const info = r.body.result_info as { page: number; per_page: number; total_count: number; total_pages: number };
      expect(info).toMatchObject({ page, per_page: 40, total_count: N, total_pages: 4 });
      if (info.page * info.per_page >= info.total_count) break;
    }
    expect(got).toEqual(all);
    expect(expectOk(await list("page=9&per_page=40"))).toEqual([]);
  });

  test("search is a case-insensitive substring match, with its own total and paging", async () => {
    const r = await list("search=R-01&sort=name&direction=asc");
    const names = expectOk(r).map((i) => i.name.toLowerCase());
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `r-01${i}`));
    expect(r.body.result_info).toMatchObject({ total_count: 10, count: 10 });
    const walked = await walkCursor("search=r-01&sort=name", 4);
    expect(walked.map((i) => i.name.toLowerCase()).sort()).toEqual(names);
    expect(expectOk(await list("search=12"))).toHaveLength(12); // 012, 112, 120–129
    expect(expectOk(await list("search=zzz"))).toEqual([]);
  });

  test("bad parameters are 400 with code 10100; a malformed cursor starts from the beginning", async () => {
    for (const q of ["limit=0", "limit=201", "limit=abc", "limit=1.5", "per_page=500", "sort=size", "direction=up", "page=0"])
      expectFail(await list(q), 400, 10100);
    const first = expectOk(await list("limit=3"));
    expect(expectOk(await list("limit=3&cursor=%%%not-base64"))).toEqual(first);
  });

  test("an http import URL is refused without the local ALLOW_HTTP_IMPORT switch", async () => {
    expectFail(await call(`${repoUrl(svc, NS, "imp")}/import`, { method: "POST", body: { url: `${svc.url}/git/${NS}/r-001.git` } }), 400, 10100);
  });
});
