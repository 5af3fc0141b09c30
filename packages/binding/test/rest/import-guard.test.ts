// Imports never connect to loopback, private or link-local addresses unless configured (issue 14,
// item 11): IP literals in every spelling the URL parser accepts, `localhost` names, and names
// that resolve (here through a local DNS-over-HTTPS stand-in) to such addresses. A refused URL
// reserves nothing. With IMPORT_ALLOW_ADDRESSES=loopback (the emulator's default) loopback is
// allowed and private ranges still are not.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { call, expectFail, repoUrl, startRest, type RestService } from "./support.js";
import { classifyAddress } from "../../src/repo/import-guard.js";

let strict: RestService;
let local: RestService;
let doh: Server;
const asked: string[] = [];

beforeAll(async () => {
  // Answers like Cloudflare's JSON DoH API: evil.test and rebind.test are loopback and private.
  doh = createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    const name = u.searchParams.get("name")!;
    const type = u.searchParams.get("type");
    asked.push(`${name} ${type}`);
    const a: Record<string, string> = { "evil.test": "127.0.0.1", "rebind.test": "10.1.2.3", "meta.test": "169.254.169.254" };
    const answer = type === "A" && a[name] ? [{ name, type: 1, data: a[name] }] : [];
    res.setHeader("Content-Type", "application/dns-json");
    res.end(JSON.stringify({ Status: 0, Answer: answer }));
  });
  await new Promise<void>((r) => doh.listen(0, "127.0.0.1", r));
  const dns = `http://127.0.0.1:${(doh.address() as { port: number }).port}/dns-query`;
  strict = await startRest({ vars: { ALLOW_HTTP_IMPORT: "1", IMPORT_ALLOW_ADDRESSES: "none", IMPORT_DNS_URL: dns } });
  local = await startRest({ vars: { ALLOW_HTTP_IMPORT: "1", IMPORT_ALLOW_ADDRESSES: "loopback", IMPORT_DNS_URL: dns } });
});
afterAll(async () => {
  await strict?.close();
  await local?.close();
  await new Promise((r) => doh?.close(r));
});

const importFrom = (svc: RestService, name: string, url: string) => call(`${repoUrl(svc, "guard", name)}/import`, { method: "POST", body: { url } });

describe("import addresses", () => {
  test("a deployed-style service refuses loopback, private and link-local targets, and reserves nothing", async () => {
    const targets = [
      "http://127.0.0.1:9/x.git",
      "http://127.1.2.3/x.git",
      "http://2130706433/x.git",
      "http://0x7f.1/x.git",
      "http://localhost:9/x.git",
      "http://git.localhost/x.git",
      "http://[::1]/x.git",
      "http://[::ffff:127.0.0.1]/x.git",
      "https://10.0.0.8/x.git",
      "https://192.168.1.1/x.git",
      "https://172.20.0.1/x.git",
      "https://169.254.169.254/latest",
      "https://[fe80::1]/x.git",
      "https://[fd00::1]/x.git",
      "https://0.0.0.0/x.git",
      "https://evil.test/x.git",
      "https://rebind.test/x.git",
      "https://meta.test/x.git",
    ];
    for (const [i, url] of targets.entries()) {
      const e = expectFail(await importFrom(strict, `t${i}`, url), 422, 10104);
      expect(e.message, url).toMatch(/loopback, private or link-local/);
      expect((await call(repoUrl(strict, "guard", `t${i}`))).status, url).toBe(404);
    }
    expect(asked).toContain("evil.test A");
  });

  test("the emulator's default allows loopback only", async () => {
    // Loopback passes the guard (the import then fails to connect: nothing listens on port 9).
    const r = await importFrom(local, "lo", "http://127.0.0.1:9/x.git");
    expect(r.status).not.toBe(422);
    for (const url of ["https://10.0.0.8/x.git", "https://rebind.test/x.git", "https://[fd00::1]/x.git"])
      expectFail(await importFrom(local, "priv", url), 422, 10104);
  });

  test("address classes", () => {
    expect(["127.0.0.1", "::1", "::ffff:7f00:1"].map(classifyAddress)).toEqual(["loopback", "loopback", "loopback"]);
    expect(["10.1.1.1", "100.64.0.1", "192.168.0.1", "172.31.255.255", "169.254.1.1", "fc00::1", "fe80::1", "0.0.0.0", "::"].map(classifyAddress)).toEqual(
      Array(9).fill("private"),
    );
    expect(["1.1.1.1", "172.32.0.1", "2606:4700::1111", "8.8.8.8"].map(classifyAddress)).toEqual(Array(4).fill("public"));
  });
});
