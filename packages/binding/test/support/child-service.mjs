// The service as `artifacts-emulator start` runs it (dist/worker.js in workerd through Miniflare,
// SQLite Durable Objects persisted under a state directory), in a process of its own so a test can
// `kill -9` its whole process group (this Node process and its workerd) and start it again on the
// same state. Prints one JSON line, {"url": ...}, once it serves. Usage:
//   node child-service.mjs <state dir> <vars as JSON>
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const [persistTo, varsJson] = process.argv.slice(2);
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    resourcePersistencePath: persistTo,
    workers: [
      {
        name: "artifacts",
        modules: true,
        modulesRoot: root,
        scriptPath: join(root, "dist/worker.js"),
        compatibilityDate: "2026-08-01",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: {
          REPO: { className: "RepoObject", useSQLite: true },
          NAMESPACE: { className: "NamespaceObject", useSQLite: true },
          ACCOUNT: { className: "AccountObject", useSQLite: true },
        },
        bindings: JSON.parse(varsJson ?? "{}"),
      },
    ],
  }),
);
const url = (await mf.ready).origin;
process.stdout.write(JSON.stringify({ url }) + "\n");
process.on("SIGTERM", () => mf.dispose().then(() => process.exit(0)));
