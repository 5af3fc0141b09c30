/**
 * The one authorization layer, exhaustively: every principal × every action × every kind of
 * resource, against a table written from the contract (docs/contract.md "Surfaces and credentials" credentials per surface, "Repo tokens" scopes,
 * docs/contract.md "REST base and auth" permission groups, "Git request checks" Git order) and the emulator's own rules for local API tokens.
 * Pure unit test: auth/policy.ts runs in Node, imported directly.
 */
import { describe, expect, test } from "vitest";
import { ALL_ACTIONS, authorize, principalLabel, type Action, type Principal, type Resource } from "../../src/auth/policy.js";

const OWN = "prod";
const OTHER = "staging";
const R1 = "repo1aaaaaaaaaaa";
const R2 = "repo2bbbbbbbbbbb";

/** Resource kinds, in the order of the letters in the table below. */
const RESOURCES: ReadonlyArray<[string, Resource]> = [
  ["own repo", { namespace: OWN, repoId: R1, readOnly: false }],
  ["own repo, read-only", { namespace: OWN, repoId: R1, readOnly: true }],
  ["other repo, same namespace", { namespace: OWN, repoId: R2, readOnly: false }],
  ["other namespace", { namespace: OTHER, repoId: R2, readOnly: false }],
  ["other namespace, same repo id", { namespace: OTHER, repoId: R1, readOnly: false }],
  ["account level (no namespace)", {}],
];

const api = (scopes: Array<"artifacts:read" | "artifacts:write">, namespace: string | null): Principal => ({ kind: "api-token", id: "tok", scopes, namespace });
const PRINCIPALS: Record<string, Principal> = {
  anonymous: { kind: "anonymous" },
  admin: { kind: "admin" },
  binding: { kind: "binding", namespace: OWN },
  "api read": api(["artifacts:read"], null),
  "api write": api(["artifacts:write"], null),
  "api read+write": api(["artifacts:read", "artifacts:write"], null),
  "api read, own ns only": api(["artifacts:read"], OWN),
  "api write, own ns only": api(["artifacts:write"], OWN),
  "repo read": { kind: "repo-token", id: "rt", scope: "read", namespace: OWN, repoId: R1 },
  "repo write": { kind: "repo-token", id: "rt", scope: "write", namespace: OWN, repoId: R1 },
};

// A = allowed, F = 403 Forbidden, U = 401 Unauthorized; one letter per resource kind above.
const ALL_A = "AAAAAA";
const ALL_F = "FFFFFF";
const ALL_U = "UUUUUU";
/** Inside one namespace only: own repo, read-only repo and other repo yes; elsewhere no. */
const NS_ONLY = "AAAFFF";

const CONTROL_READ: Action[] = ["namespace.read", "repo.list", "repo.read", "content.read", "token.list", "audit.read", "events.read"];
const CONTROL_WRITE: Action[] = ["namespace.create", "repo.create", "repo.delete", "repo.fork", "repo.import", "token.create", "token.revoke"];
const rows = (actions: Action[], v: string) => Object.fromEntries(actions.map((a) => [a, v]));

const EXPECTED: Record<string, Record<Action, string>> = {
  // No credential: nothing, on any surface.
  anonymous: {
    "namespace.list": ALL_U,
    ...rows(CONTROL_READ, ALL_U),
    ...rows(CONTROL_WRITE, ALL_U),
    "git.fetch": ALL_U,
    "git.push": ALL_U,
    "apitoken.manage": ALL_U,
  } as Record<Action, string>,
  // The operator: the whole control plane everywhere and API-token management; Git needs a repo token (docs/contract.md "Surfaces and credentials").
  admin: {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, ALL_A),
    ...rows(CONTROL_WRITE, ALL_A),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_A,
  } as Record<Action, string>,
  // env.ARTIFACTS is bound to one namespace and has no namespace-level methods (docs/contract.md "Namespaces", "Namespace methods").
  binding: {
    "namespace.list": ALL_F,
    ...rows(CONTROL_READ, NS_ONLY),
    ...rows(CONTROL_WRITE, NS_ONLY),
    "namespace.create": ALL_F,
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  // Artifacts Read = read routes, Artifacts Edit = read and write routes (docs/contract.md "REST base and auth");
  // never Git (docs/contract.md "Surfaces and credentials"); never token admin.
  "api read": {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, ALL_A),
    ...rows(CONTROL_WRITE, ALL_F),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  "api write": {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, ALL_A),
    ...rows(CONTROL_WRITE, ALL_A),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  "api read+write": {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, ALL_A),
    ...rows(CONTROL_WRITE, ALL_A),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  // Namespace-limited tokens: the list is allowed (and filtered to their namespace by the route); everything else only inside it.
  "api read, own ns only": {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, NS_ONLY),
    ...rows(CONTROL_WRITE, ALL_F),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  "api write, own ns only": {
    "namespace.list": ALL_A,
    ...rows(CONTROL_READ, NS_ONLY),
    ...rows(CONTROL_WRITE, NS_ONLY),
    "git.fetch": ALL_F,
    "git.push": ALL_F,
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  // Repo tokens: Git only (docs/contract.md "Surfaces and credentials"); for another repo they are simply
  // not valid (401, "Git authentication"); read scope fetches,
  // write scope pushes (docs/contract.md "Repo tokens"), and a read-only repo refuses every push with 403 (docs/contract.md "Git request checks" step 5).
  "repo read": {
    "namespace.list": ALL_F,
    ...rows(CONTROL_READ, ALL_F),
    ...rows(CONTROL_WRITE, ALL_F),
    "git.fetch": "AAUUUU",
    "git.push": "FFUUUU",
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
  "repo write": {
    "namespace.list": ALL_F,
    ...rows(CONTROL_READ, ALL_F),
    ...rows(CONTROL_WRITE, ALL_F),
    "git.fetch": "AAUUUU",
    "git.push": "AFUUUU",
    "apitoken.manage": ALL_F,
  } as Record<Action, string>,
};

const letter = (d: ReturnType<typeof authorize>) => (d.allow ? "A" : d.status === 403 ? "F" : "U");

describe("policy matrix", () => {
  test("the table covers exactly ALL_ACTIONS for every principal", () => {
    expect(new Set(ALL_ACTIONS).size).toBe(ALL_ACTIONS.length);
    for (const [name, row] of Object.entries(EXPECTED)) {
      expect(Object.keys(row).sort(), name).toEqual([...ALL_ACTIONS].sort());
      for (const v of Object.values(row)) expect(v).toMatch(new RegExp(`^[AFU]{${RESOURCES.length}}$`));
    }
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(PRINCIPALS).sort());
  });

  for (const [name, principal] of Object.entries(PRINCIPALS)) {
    test(`${name}: every action on every resource`, () => {
      const mismatches: string[] = [];
      for (const action of ALL_ACTIONS) {
        const got = RESOURCES.map(([, r]) => letter(authorize(principal, action, r))).join("");
        const want = EXPECTED[name]![action];
        if (got !== want) mismatches.push(`${action}: expected ${want}, got ${got}`);
      }
      expect(mismatches).toEqual([]);
      // Every refusal says why, with a status the surfaces can send as is.
      for (const action of ALL_ACTIONS)
        for (const [, r] of RESOURCES) {
          const d = authorize(principal, action, r);
          if (!d.allow) {
            expect([401, 403]).toContain(d.status);
            expect(d.reason.length).toBeGreaterThan(5);
          }
        }
    });
  }

  test("the invariants, stated directly", () => {
    const all = Object.values(PRINCIPALS);
    for (const p of all)
      for (const [, r] of RESOURCES) {
        // Repo tokens only for Git, API tokens (and the admin and binding) never for Git.
        for (const a of ALL_ACTIONS) if (p.kind === "repo-token" && !a.startsWith("git.")) expect(authorize(p, a, r).allow).toBe(false);
        if (p.kind !== "repo-token") for (const a of ["git.fetch", "git.push"] as const) expect(authorize(p, a, r).allow).toBe(false);
        // Read scope never mutates.
        if (p.kind === "api-token" && !p.scopes.includes("artifacts:write")) for (const a of CONTROL_WRITE) expect(authorize(p, a, r).allow).toBe(false);
        if (p.kind === "repo-token" && p.scope === "read") expect(authorize(p, "git.push", r).allow).toBe(false);
        // Namespace-limited tokens never reach another namespace.
        if (p.kind === "api-token" && p.namespace !== null && r.namespace !== p.namespace)
          for (const a of ALL_ACTIONS) if (a !== "namespace.list") expect(authorize(p, a, r).allow).toBe(false);
        // Read-only repos refuse every push, write tokens included.
        if (r.readOnly) expect(authorize(p, "git.push", r).allow).toBe(false);
      }
  });

  test("the Git refusals carry the contract's messages (docs/contract.md 'Git authentication', 'Git request checks')", () => {
    const ro = RESOURCES[1]![1];
    const rw = RESOURCES[0]![1];
    expect(authorize(PRINCIPALS["repo read"]!, "git.push", rw)).toEqual({ allow: false, status: 403, reason: "Artifacts token requires write scope" });
    // Scope is checked before the read-only flag, as in the simulator.
    expect(authorize(PRINCIPALS["repo read"]!, "git.push", ro)).toEqual({ allow: false, status: 403, reason: "Artifacts token requires write scope" });
    expect(authorize(PRINCIPALS["repo write"]!, "git.push", ro)).toEqual({ allow: false, status: 403, reason: "Artifacts repository is read-only" });
    expect(authorize(PRINCIPALS["repo write"]!, "git.fetch", RESOURCES[2]![1])).toMatchObject({ allow: false, status: 401, reason: "Invalid Artifacts token" });
    expect(authorize({ kind: "anonymous" }, "git.fetch", rw)).toMatchObject({ allow: false, status: 401 });
    expect(authorize(PRINCIPALS["api write"]!, "git.push", rw)).toMatchObject({ allow: false, status: 403, reason: expect.stringMatching(/repository token/) });
    expect(authorize(PRINCIPALS["api read"]!, "repo.create", rw)).toMatchObject({
      allow: false,
      status: 403,
      reason: expect.stringMatching(/artifacts:write/),
    });
    expect(authorize(PRINCIPALS["api write, own ns only"]!, "repo.read", RESOURCES[3]![1])).toMatchObject({
      allow: false,
      status: 403,
      reason: expect.stringMatching(/namespace/),
    });
  });

  test("labels name principals by id, never by secret", () => {
    expect(principalLabel({ kind: "admin" })).toBe("admin");
    expect(principalLabel({ kind: "anonymous" })).toBe("anonymous");
    expect(principalLabel({ kind: "binding", namespace: "prod" })).toBe("binding:prod");
    expect(principalLabel(api(["artifacts:read"], null))).toBe("api-token:tok");
    expect(principalLabel(PRINCIPALS["repo write"]!)).toBe("repo-token:rt");
  });
});
