/**
 * Under `artifacts-emulator start` an API token's IP allow-list is checked against the socket's
 * address, never a client-sent CF-Connecting-IP (issue 14, item 12): Miniflare passes such a
 * header through, so the emulator tells the service the address itself (CLIENT_ADDRESS).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/start.js";
import { clientAddressFor } from "../src/service-worker.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ persist: false, port: 0, dashboard: false });
});
afterAll(async () => {
  await emu?.close();
});

async function apiToken(allowIps: string[]): Promise<string> {
  const res = await fetch(`${emu.restBase}/api-tokens`, {
    method: "POST",
    headers: { Authorization: `Bearer ${emu.adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ scopes: ["artifacts:read"], allow_ips: allowIps }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { result: { value: string } }).result.value;
}

const list = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${emu.restBase}/namespaces/ips/repos`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

describe("client addresses under start", () => {
  it("a client-sent CF-Connecting-IP does not satisfy an allow-list", async () => {
    const remoteOnly = await apiToken(["203.0.113.0/24"]);
    for (const ip of ["203.0.113.9", " 203.0.113.9", "203.0.113.9, 127.0.0.1"]) {
      const res = await list(remoteOnly, { "CF-Connecting-IP": ip });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: Array<{ code: number }> }).errors[0]!.code).toBe(9109);
    }
    expect((await list(remoteOnly)).status).toBe(403);
  });

  it("the socket's loopback address is what counts, whatever the header says", async () => {
    const local = await apiToken(["127.0.0.1/32"]);
    expect((await list(local)).status).toBe(200);
    expect((await list(local, { "CF-Connecting-IP": "203.0.113.9" })).status).toBe(200);
  });

  it("maps listening hosts to the address every client has, or unknown", () => {
    expect(clientAddressFor("127.0.0.1")).toBe("127.0.0.1");
    expect(clientAddressFor("localhost")).toBe("127.0.0.1");
    expect(clientAddressFor("::1")).toBe("::1");
    expect(clientAddressFor("0.0.0.0")).toBe("unknown");
    expect(clientAddressFor("192.168.1.20")).toBe("unknown");
  });
});
