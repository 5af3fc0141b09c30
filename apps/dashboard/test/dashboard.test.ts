/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a running
 * emulator, with the real git client pushing to it. The tests run in order, like a person
 * working through the pages; each saves a screenshot under test-results/ (git-ignored).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { startEmulator, type RunningEmulator } from "@artifacts-emulator/emulator";
import { GitSandbox, type GitClient } from "@artifacts-emulator/git/testing/git";
import { launch, type Browser } from "./browser.js";

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, "..", "dist");
const SHOTS = join(here, "..", "test-results");

let emu: RunningEmulator;
let browser: Browser;
let page: Page;
let sb: GitSandbox;
let work: GitClient;
let repoToken = "";
const errors: string[] = [];

const rest = (path: string, init: RequestInit = {}) =>
  fetch(`${emu.restBase}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${emu.adminToken}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });

async function shot(name: string, fullPage = false) {
  await page.waitForTimeout(150); // let transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

const dash = (path: string) => `${emu.url}/cdn-cgi/artifacts${path}`;

/** Wait for visible text (Playwright's own matcher, retried until the timeout). */
const see = (text: string | RegExp, timeout = 15_000) => page.getByText(text).first().waitFor({ state: "visible", timeout });

async function commitAll(message: string, files: Record<string, string | Buffer>) {
  for (const [name, content] of Object.entries(files)) {
    const p = work.path(name);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
  await work.ok(["add", "-A"]);
  await work.ok(["commit", "-q", "-m", message]);
  return work.line(["rev-parse", "HEAD"]);
}

const push = (token: string, ...refspecs: string[]) =>
  work.ok([
    "-c",
    `http.extraHeader=Authorization: Bearer ${token}`,
    "push",
    "-q",
    `${emu.url}/git/default/demo.git`,
    ...(refspecs.length ? refspecs : ["main"]),
  ]);

/** A small valid PNG (a gradient), so the image viewer has something real to show. */
function png(w: number, h: number): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = 243;
      raw[o + 1] = Math.round((x / w) * 200);
      raw[o + 2] = Math.round((y / h) * 255);
    }
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  emu = await startEmulator({ persist: false, dashboard: join(DIST, "worker.mjs") });
  browser = await launch();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/status of 40[134]/.test(m.text()) && errors.push(`console: ${m.text()}`));
  sb = await GitSandbox.create("dashboard-e2e-");
  const dir = sb.path("work");
  await sb.ok(["init", "-q", "-b", "main", dir]);
  work = sb.client(dir);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page.screenshot({ path: join(SHOTS, `FAILED-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, "-")}.png`) }).catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await emu?.close();
  await sb?.dispose();
});

describe("dashboard in Chromium", () => {
  test("is served by the emulator on its own origin, small, with a strict CSP", async () => {
    expect(emu.dashboardUrl).toBe(`${emu.url}/cdn-cgi/artifacts/`);
    const res = await fetch(dash("/ns/default"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    // the service's own health route under the same prefix still answers
    expect(await (await fetch(dash("/health"))).json()).toMatchObject({ ok: true });
    const sizes = JSON.parse(await readFile(join(DIST, "sizes.json"), "utf8")) as { total: { gzip: number } };
    expect(sizes.total.gzip).toBeLessThan(100 * 1024);
  });

  test("a one-time session link signs in, leaves no code in the URL, and works only once", async () => {
    const link = emu.dashboardSession();
    const code = link.split("#session=")[1]!;
    await page.goto(link);
    await page.getByRole("heading", { name: "Namespaces" }).waitFor();
    expect(page.url()).toBe(dash("/"));
    expect(await page.evaluate(() => location.hash)).toBe("");
    await see("No namespaces yet");
    await see("operator · account local");
    await shot("01-namespaces-empty");
    const again = await fetch(dash("/session"), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code }) });
    expect(again.status).toBe(401);
    const foreign = await fetch(dash("/session"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://localhost:9" },
      body: JSON.stringify({ code: emu.dashboardSession().split("#session=")[1] }),
    });
    expect(foreign.status).toBe(403);
  });

  test("another tab has no session until the CLI opens one", async () => {
    const other = await browser.context.newPage();
    await other.goto(dash("/ns/default"));
    await other.getByText("artifacts-emulator dashboard").first().waitFor();
    await other.screenshot({ path: join(SHOTS, "02-sign-in.png") });
    await other.close();
  });

  test("create a repository: its write token is shown once", async () => {
    await page.getByRole("button", { name: "New repository" }).click();
    await page.getByLabel("Name", { exact: true }).fill("demo");
    await page.getByLabel(/Description/).fill("A demo repository for the dashboard tests");
    await shot("03-new-repository");
    await page.getByRole("button", { name: "Create repository" }).click();
    await see("Copy your write token now.");
    repoToken = await page.getByLabel("write token").inputValue();
    expect(repoToken).toMatch(/^art_v1_[0-9a-f]+\?expires=\d+$/);
    await shot("04-repository-created");
    await page.getByRole("link", { name: "Open demo" }).click();
    await see("This repository is empty");
    await shot("05-empty-repository");
  });

  test("push with git: the files and the commit appear without a reload", async () => {
    await commitAll("Initial commit", {
      "README.md": "# demo\n\nA repository pushed by the dashboard tests.\n",
      "src/app.ts": "export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n",
      "assets/logo.png": png(48, 32),
      "data.bin": Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7) % 256)),
      "logs/large.log":
        Array.from({ length: 30_000 }, (_, i) => `line ${String(i + 1).padStart(5, "0")}: the quick brown fox jumps over the lazy dog`).join("\n") + "\n",
    });
    await push(repoToken);
    await page.getByRole("link", { name: "README.md" }).waitFor({ timeout: 15_000 });
    await see("Initial commit");
    await shot("06-tree");
    const second = await commitAll("Greet politely\n\nAnd say who is greeting.", {
      "src/app.ts": "export function greet(name: string): string {\n  return `Good day, ${name}. This is demo speaking.`;\n}\n",
      "docs/guide.md": "Run it.\n",
    });
    await push(repoToken);
    await page.getByRole("link", { name: "Commits" }).click();
    await see("Greet politely");
    await see("Initial commit");
    await shot("07-commits");
    await page.getByRole("link", { name: "Greet politely" }).click();
    await page.waitForURL(/\/commit\//);
    expect(page.url()).toContain(second);
    await see("2 files changed");
    await see("And say who is greeting.");
    const added = page.locator(".difftable tr.add .lc", { hasText: "This is demo speaking" });
    await added.waitFor();
    await page.locator(".difftable tr.del .lc", { hasText: "Hello, ${name}!" }).waitFor();
    await shot("08-commit-diff");
  });

  test("open files: text with line numbers, an image, a binary offered as a download", async () => {
    await page.goto(dash("/ns/default/r/demo"));
    await page.getByRole("link", { name: "src/" }).click();
    await page.getByRole("link", { name: "app.ts" }).click();
    await page.locator(".lines td.lc", { hasText: "This is demo speaking" }).waitFor();
    expect(await page.locator(".lines td.ln").count()).toBe(3);
    expect(await page.locator(".lines td.ln").first().getAttribute("data-line")).toBe("1");
    await see("3 lines");
    await shot("09-file-text");
    // keyboard: u goes up a directory
    await page.keyboard.press("u");
    await page.waitForURL(/\/tree\/main\/src$/);
    // A large text file is not loaded whole: its first 256 KB, and a button for the rest.
    await page.goto(dash("/ns/default/r/demo/blob/main/logs/large.log"));
    await see(/This file is 1\.\d MB: showing its first 256 KB/);
    await see("Showing 3,000 of");
    expect(await page.locator(".lines td.ln").count()).toBe(3000);
    await shot("09b-file-large");
    await page.getByRole("button", { name: "Load all of it" }).click();
    await see("Showing 3,000 of 30,000 lines.");
    await page.getByRole("button", { name: "Show all lines" }).click();
    await page.locator(".lines td.lc", { hasText: "line 30000:" }).waitFor();
    await page.goto(dash("/ns/default/r/demo/blob/main/assets/logo.png"));
    const img = page.locator(".image img");
    await img.waitFor();
    await page.waitForFunction(() => (document.querySelector(".image img") as HTMLImageElement | null)?.naturalWidth === 48);
    await shot("10-file-image");
    await page.goto(dash("/ns/default/r/demo/blob/main/data.bin"));
    await see("Binary file");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download" }).click()]);
    expect(download.suggestedFilename()).toBe("data.bin");
  });

  test("mint a read token (shown once), use it with git, then revoke it", async () => {
    await page.goto(dash("/ns/default/r/demo/tokens"));
    await page.getByRole("button", { name: "Mint read token" }).click();
    await see("Copy your read token now.");
    const token = await page.getByLabel("read token").inputValue();
    expect(token).toMatch(/^art_v1_/);
    const clone = await page.getByLabel("clone command").inputValue();
    expect(clone).toContain(token);
    await shot("11-token-minted");
    const lsRemote = (t: string) => sb.run(["-c", `http.extraHeader=Authorization: Bearer ${t}`, "ls-remote", `${emu.url}/git/default/demo.git`]);
    expect((await lsRemote(token)).code).toBe(0);
    // "Done" hides it for good: the page keeps no copy.
    await page.getByRole("button", { name: "Done, hide it" }).click();
    expect(await page.content()).not.toContain(token.split("?")[0]);
    const id = (await (await rest(`/namespaces/default/repos/demo/tokens`)).json()).result.find((t: { scope: string }) => t.scope === "read").id as string;
    const row = page.locator("tr", { hasText: id });
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByLabel("Show").selectOption("all");
    await page.locator("tr", { hasText: id }).getByText("revoked").waitFor();
    await shot("12-tokens");
    expect((await lsRemote(token)).code).not.toBe(0);
  });

  test("watch a push event and its audit entry arrive live", async () => {
    await page.goto(dash("/ns/default/activity"));
    await page.locator("table.feed td", { hasText: "token.revoked" }).first().waitFor();
    const third = await commitAll("Add a changelog", { "CHANGELOG.md": "## 0.1.0\n\n- first release\n" });
    await push(repoToken);
    await page.locator("tr.fresh", { hasText: third.slice(0, 7) }).waitFor({ timeout: 15_000 });
    await see("Add a changelog");
    await shot("13-activity-events");
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.locator("tr", { hasText: "git.push" }).first().waitFor();
    await page.getByLabel("Filter by action").fill("token");
    await page.waitForURL(/action=token/);
    // The unfiltered rows stay on screen until the filtered page arrives (token.revoke was among
    // them), so wait for the git.push rows to go: a filter that did not apply times out here.
    await page.locator("tr", { hasText: "git.push" }).first().waitFor({ state: "detached" });
    await page.locator("tr", { hasText: "token.revoke" }).first().waitFor();
    expect(await page.locator("tr", { hasText: "git.push" }).count()).toBe(0);
    await shot("14-activity-audit");
  });

  test("branches and tags, history of another ref, and a shareable URL that survives a reload", async () => {
    await work.ok(["tag", "-a", "v0.1.0", "-m", "first release"]);
    await commitAll("Work on a feature", { "src/feature.ts": "export const feature = true;\n" });
    await push(repoToken, "main~0:refs/heads/feature/x", "v0.1.0");
    await page.goto(dash("/ns/default/r/demo/refs"));
    await page.getByRole("link", { name: "feature/x" }).first().waitFor();
    await see("v0.1.0");
    await shot("15-refs");
    await page.goto(dash("/ns/default/r/demo/commits/feature%2Fx"));
    await see("Work on a feature");
    await page.reload();
    await see("Work on a feature");
    expect(await page.locator("select[data-nav-ref]").inputValue()).toBe("feature/x");
  });

  test("fork, then delete the fork after typing its name", async () => {
    await page.goto(dash("/ns/default/r/demo/settings"));
    await page.getByLabel("Name of the fork").fill("demo-fork");
    await page.getByRole("button", { name: "Fork repository" }).click();
    await see("Copy your write token for the fork now.");
    await page.getByRole("heading", { name: "Fork" }).scrollIntoViewIfNeeded();
    await shot("16-settings-forked");
    await page.getByRole("link", { name: "Open demo-fork" }).click();
    await see("Add a changelog");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Delete demo-fork…" }).click();
    const dialog = page.getByRole("dialog");
    const del = dialog.getByRole("button", { name: "Delete repository" });
    expect(await del.isDisabled()).toBe(true);
    await dialog.getByLabel("Repository name").fill("demo-for");
    expect(await del.isDisabled()).toBe(true);
    await dialog.getByLabel("Repository name").fill("demo-fork");
    await shot("17-delete-confirm");
    await del.click();
    await page.waitForURL(/\/ns\/default\?deleted=demo-fork/);
    await see("Deleted demo-fork.");
    expect((await rest("/namespaces/default/repos/demo-fork")).status).toBe(404);
  });

  test("repository list: search, sort and cursor paging, with the keyboard", async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        rest("/namespaces/default/repos", { method: "POST", body: JSON.stringify({ name: `r-${String(i).padStart(2, "0")}` }) }),
      ),
    );
    await page.goto(dash("/ns/default?sort=name"));
    await see("31 repositories");
    expect(await page.locator("table.repos tbody tr").count()).toBe(25);
    expect(await page.locator("table.repos tbody tr").first().locator("a").first().textContent()).toBe("demo");
    await shot("18-repos");
    await page.keyboard.press("]");
    await page.waitForURL(/cursor=/);
    await see("Page 2");
    await page.getByRole("link", { name: "r-29" }).waitFor();
    expect(await page.locator("table.repos tbody tr").count()).toBe(6);
    await page.keyboard.press("[");
    await page.waitForURL((u) => !u.search.includes("cursor="));
    await page.keyboard.press("/");
    await page.keyboard.type("r-1");
    await page.waitForURL(/q=r-1/);
    await see("10 repositories");
    await page.keyboard.press("Escape");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("r-11");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/r\/r-11$/);
    await see("This repository is empty");
    await page.goto(dash("/ns/default?sort=last_push_at"));
    expect(await page.locator("table.repos tbody tr").first().locator("a").first().textContent()).toBe("demo");
  });

  test("local API tokens: create with scopes, namespace, TTL and IP allow-list; revoke", async () => {
    await page.goto(dash("/api-tokens"));
    await see("No API tokens yet");
    await page.getByLabel("Name", { exact: true }).fill("ci");
    await page.getByLabel(/Namespace/).fill("default");
    await page.getByLabel("Expires after").selectOption({ label: "1 day" });
    await page.getByLabel(/Client IP allow-list/).fill("127.0.0.1, ::1");
    await page.getByRole("button", { name: "Create API token" }).click();
    await see("Copy your API token “ci” now.");
    const value = await page.getByLabel("API token “ci”").inputValue();
    await shot("19-api-tokens");
    const row = page.locator("tr", { hasText: "ci" }).filter({ hasText: "127.0.0.1, ::1" });
    await row.getByText("active").waitFor();
    await row.getByText("read").waitFor();
    const asToken = (path: string) => fetch(`${emu.restBase}${path}`, { headers: { Authorization: `Bearer ${value}` } });
    expect((await asToken("/namespaces/default/repos")).status).toBe(200);
    expect((await asToken("/namespaces/other/repos")).status).toBe(403);
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await row.getByText("revoked").waitFor();
    expect((await asToken("/namespaces/default/repos")).status).toBe(401);
  });

  test("errors and empty states read well; dark theme follows the system", async () => {
    await page.goto(dash("/ns/default/r/does-not-exist"));
    await see("Not found");
    await shot("20-not-found");
    await page.goto(dash("/ns/default?q=zzz"));
    await see("No repositories match “zzz”");
    await page.emulateMedia({ colorScheme: "dark" });
    const commit = await work.line(["rev-parse", "main~1"]);
    await page.goto(dash(`/ns/default/r/demo/commit/${commit}`));
    await see("1 file changed");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(15, 18, 22)");
    await shot("21-dark-commit");
    await page.goto(dash("/ns/default/r/demo"));
    await see("README.md");
    await shot("22-dark-tree");
    await page.keyboard.press("?");
    await see("Keyboard shortcuts");
    await shot("23-dark-shortcuts");
    await page.keyboard.press("Escape");
    await page.emulateMedia({ colorScheme: "light" });
    expect(errors).toEqual([]);
  });
});
