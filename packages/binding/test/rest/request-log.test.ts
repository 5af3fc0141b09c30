// The one line per request (src/util/log.ts): what is left out, and the text form for a terminal.
import { afterEach, describe, expect, test, vi } from "vitest";
import { PROBE_USER_AGENT, requestLine } from "../../src/util/log.js";

const lines: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  lines.length = 0;
});
function capture() {
  vi.spyOn(console, "log").mockImplementation((l: string) => void lines.push(l));
}

describe("requestLine", () => {
  test("one JSON line, never the credential", () => {
    capture();
    requestLine(
      new Request("http://x/client/v4/accounts/local/artifacts/namespaces/default/repos", { headers: { Authorization: "Bearer secret-token" } }),
      { route: "/client/v4/accounts/:account_id/artifacts/namespaces/:ns/repos", principal: "admin", namespace: "default" },
      200,
      Date.now(),
      {},
    );
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "request", method: "GET", status: 200, principal: "admin" });
    expect(lines[0]).not.toContain("secret-token");
  });

  test("the CLI's own health probes are not logged; other health checks are", () => {
    capture();
    requestLine(new Request("http://x/health", { headers: { "User-Agent": PROBE_USER_AGENT } }), { route: "/health" }, 200, Date.now(), {});
    expect(lines).toEqual([]);
    requestLine(new Request("http://x/health", { headers: { "User-Agent": "curl/8" } }), { route: "/health" }, 200, Date.now(), {});
    expect(lines).toHaveLength(1);
  });

  test("no-git leaves Git requests to wrangler's own log; text is one short line", () => {
    capture();
    requestLine(
      new Request("http://x/git/default/r.git/info/refs?service=git-upload-pack"),
      { route: "/git/:ns/:repo.git/info/refs?service=git-upload-pack" },
      401,
      Date.now(),
      { REQUEST_LOG: "no-git" },
    );
    expect(lines).toEqual([]);
    requestLine(
      new Request("http://x/client/v4/accounts/local/artifacts/namespaces/default/repos", { method: "POST" }),
      { route: "/client/v4/accounts/:account_id/artifacts/namespaces/:ns/repos", principal: "admin", namespace: "default" },
      201,
      Date.now(),
      { REQUEST_LOG: "no-git", REQUEST_LOG_FORMAT: "text" },
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[artifacts\] POST \/client\/v4\/accounts\/:account_id\/artifacts\/namespaces\/:ns\/repos 201 \(\d+ms\) admin default$/);
  });
});
