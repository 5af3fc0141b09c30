/**
 * The one authorization layer (issue 3): every request, from any surface, becomes a Principal and
 * is checked here against one policy. The binding, REST handlers and Git routes call `authorize`
 * and nothing else decides access.
 */
export type Principal =
  | { kind: "binding"; namespace: string }
  | { kind: "admin" }
  | { kind: "api-token"; id: string; scopes: ReadonlyArray<"artifacts:read" | "artifacts:write">; namespace: string | null }
  | { kind: "repo-token"; id: string; scope: "read" | "write"; namespace: string; repoId: string }
  | { kind: "anonymous" };

export type Action =
  | "namespace.list"
  | "namespace.read"
  | "namespace.create"
  | "repo.list"
  | "repo.read"
  | "repo.create"
  | "repo.delete"
  | "repo.fork"
  | "repo.import"
  | "content.read"
  | "token.list"
  | "token.create"
  | "token.revoke"
  | "audit.read"
  | "events.read"
  | "git.fetch"
  | "git.push"
  | "apitoken.manage";

export interface Resource {
  namespace?: string;
  repoId?: string;
  readOnly?: boolean;
}

export type Decision = { allow: true } | { allow: false; status: 401 | 403; reason: string };

export const ALL_ACTIONS: readonly Action[] = [
  "namespace.list",
  "namespace.read",
  "namespace.create",
  "repo.list",
  "repo.read",
  "repo.create",
  "repo.delete",
  "repo.fork",
  "repo.import",
  "content.read",
  "token.list",
  "token.create",
  "token.revoke",
  "audit.read",
  "events.read",
  "git.fetch",
  "git.push",
  "apitoken.manage",
];

const READ_ACTIONS = new Set<Action>(["namespace.list", "namespace.read", "repo.list", "repo.read", "content.read", "token.list", "audit.read", "events.read"]);
const CONTROL_PLANE = new Set<Action>(ALL_ACTIONS.filter((a) => !a.startsWith("git.") && a !== "apitoken.manage"));

const allow: Decision = { allow: true };
const deny = (status: 401 | 403, reason: string): Decision => ({ allow: false, status, reason });

export function authorize(p: Principal, action: Action, r: Resource = {}): Decision {
  switch (p.kind) {
    case "anonymous":
      return deny(401, "Authentication required");
    case "admin":
      // The operator may do everything on the control plane and manage API tokens; Git needs repo tokens.
      return action.startsWith("git.") ? deny(403, "Git operations need a repository token") : allow;
    case "binding":
      if (!CONTROL_PLANE.has(action) || action === "namespace.list" || action === "namespace.create") return deny(403, "Not available through the binding");
      return r.namespace === p.namespace ? allow : deny(403, "The binding is limited to its namespace");
    case "api-token": {
      if (!CONTROL_PLANE.has(action))
        return deny(403, action.startsWith("git.") ? "API tokens cannot be used for Git; use a repository token" : "Operator credential required");
      if (p.namespace !== null && action !== "namespace.list" && r.namespace !== p.namespace)
        return deny(403, "This API token is limited to another namespace");
      const needs = READ_ACTIONS.has(action) ? ["artifacts:read", "artifacts:write"] : ["artifacts:write"];
      return p.scopes.some((s) => needs.includes(s))
        ? allow
        : deny(403, `This API token lacks the ${READ_ACTIONS.has(action) ? "artifacts:read" : "artifacts:write"} scope`);
    }
    case "repo-token": {
      if (action !== "git.fetch" && action !== "git.push") return deny(403, "Repository tokens only work with Git");
      if (r.namespace !== p.namespace || r.repoId !== p.repoId) return deny(401, "Invalid Artifacts token");
      if (action === "git.push") {
        if (p.scope !== "write") return deny(403, "Artifacts token requires write scope");
        if (r.readOnly) return deny(403, "Artifacts repository is read-only");
      }
      return allow;
    }
  }
}

/** A label for logs and the audit log: ids, never secrets. */
export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case "binding":
      return `binding:${p.namespace}`;
    case "admin":
      return "admin";
    case "api-token":
      return `api-token:${p.id}`;
    case "repo-token":
      return `repo-token:${p.id}`;
    case "anonymous":
      return "anonymous";
  }
}
