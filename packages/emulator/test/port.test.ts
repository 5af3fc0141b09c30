/**
 * The port rule every entry point shares: the port asked for, else the last one, else 8787, else
 * any; and when a port we chose is taken before workerd binds it (another process won the race),
 * start on a fresh one instead of failing. A real listener holds the port, a real Miniflare binds.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { freePort, readyOnPort } from "../src/state.js";

const host = "127.0.0.1";
let held: Server;
let heldPort: number;

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((res) => held.listen(0, host, res));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((res) => held.close(() => res())));

const start = (port: number) =>
  new Miniflare(convertV4MiniflareOptions({ host, port, modules: true, script: `export default { fetch: () => new Response("up") }` } as never));

describe("readyOnPort", () => {
  it("moves to a free port when the one it chose was taken meanwhile", async () => {
    const { mf, ready } = await readyOnPort(heldPort, undefined, host, start);
    try {
      expect(Number(ready.port)).not.toBe(heldPort);
      expect(await (await fetch(ready)).text()).toBe("up");
    } finally {
      await mf.dispose();
    }
  });

  it("fails when the port was asked for: the user named it", async () => {
    await expect(readyOnPort(heldPort, heldPort, host, start)).rejects.toMatchObject({ code: "ERR_ADDRESS_IN_USE" });
  });

  it("binds the chosen port when it is free", async () => {
    const port = await freePort(host);
    const { mf, ready } = await readyOnPort(port, undefined, host, start);
    try {
      expect(Number(ready.port)).toBe(port);
    } finally {
      await mf.dispose();
    }
  });
});
