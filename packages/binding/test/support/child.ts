/**
 * The service in a child process (child-service.mjs) that a test can `kill -9` (the whole process
 * group: Node and workerd) and start again on the same state directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ADMIN_TOKEN } from "./service.js";
import { ACCT } from "../rest/support.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "child-service.mjs");

export interface ChildService {
  url: string;
  /** `${url}/client/v4/accounts/${ACCT}/artifacts` */
  base: string;
  /** SIGKILL to the process group: nothing gets to clean up. */
  kill9(): Promise<void>;
  /** A clean stop. */
  stop(): Promise<void>;
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once("exit", () => r())));

export async function startChild(persistTo: string, vars: Record<string, string> = {}): Promise<ChildService> {
  const p = spawn(process.execPath, [script, persistTo, JSON.stringify({ ADMIN_TOKEN, IMPORT_ALLOW_ADDRESSES: "loopback", ...vars })], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  p.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        p.stdout!.off("data", onData);
        p.stdout!.resume();
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    p.stdout!.on("data", onData);
    p.once("exit", (code) => reject(new Error(`the service exited (${code}) before serving: ${err}`)));
  });
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-p.pid!, sig);
    } catch {
      // already gone
    }
  };
  return {
    url,
    base: `${url}/client/v4/accounts/${ACCT}/artifacts`,
    kill9: async () => {
      group("SIGKILL");
      await exited(p);
      // workerd is in the group too: wait until no member is left holding the state files.
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(-p.pid!, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop: async () => {
      group("SIGTERM");
      const t = setTimeout(() => group("SIGKILL"), 10_000);
      await exited(p);
      clearTimeout(t);
    },
  };
}
