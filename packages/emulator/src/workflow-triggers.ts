/**
 * Workflow triggers (wrangler 4.164 `triggers.events`): which of the user's Workflows get which
 * `cf.artifacts.repo.*` events. The service Worker gets one Workflow binding per target Workflow
 * (pointing into the user's Worker) and the routes as its EVENT_WORKFLOWS variable; it does the
 * matching and delivery (packages/binding/src/namespace/events.ts). Route ids follow the official
 * simulator, so `metadata.eventSubscriptionId` is stable across restarts (docs/contract-choices.md
 * "Workflow triggers").
 */
import { createHash } from "node:crypto";

export const EVENT_TYPES = [
  "cf.artifacts.repo.created",
  "cf.artifacts.repo.deleted",
  "cf.artifacts.repo.forked",
  "cf.artifacts.repo.imported",
  "cf.artifacts.repo.pushed",
  "cf.artifacts.repo.cloned",
  "cf.artifacts.repo.fetched",
  "cf.artifacts.repo.token.created",
  "cf.artifacts.repo.token.revoked",
] as const;

export interface EventRoute {
  id: string;
  binding: string;
  types: string[];
  namespace?: string;
  repoName?: string;
}

/** A Workflow binding for the service Worker, to a Workflow the user's Worker defines. */
export interface EventWorkflowBinding {
  binding: string;
  name: string;
  className: string;
}

export interface EventTriggers {
  routes: EventRoute[];
  workflows: EventWorkflowBinding[];
}

type Block = Record<string, unknown>;

const sha32 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

function optionalName(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new Error(`${what} must be a non-empty string`);
  return v;
}

/**
 * The routes and Workflow bindings for one config block (top level, or an environment merged over
 * it). `owner` is the Worker's name. A target Workflow that this Worker does not define is an
 * error at startup, as in `wrangler dev`.
 */
export function eventTriggers(block: Block, owner: string): EventTriggers {
  const events = ((block.triggers as Block | undefined)?.events as unknown[] | undefined) ?? [];
  if (!Array.isArray(events) || events.length === 0) return { routes: [], workflows: [] };
  const defined = new Map<string, { class_name: string }>();
  for (const w of (block.workflows as Array<Record<string, unknown>> | undefined) ?? []) {
    // A binding to another Worker's Workflow is not one this Worker defines.
    if (typeof w.name === "string" && typeof w.class_name === "string" && (w.script_name === undefined || w.script_name === owner))
      defined.set(w.name, { class_name: w.class_name });
  }
  const workflows: EventWorkflowBinding[] = [];
  const bindingOf = (name: string) => {
    let b = workflows.find((w) => w.name === name);
    if (!b) workflows.push((b = { binding: `ARTIFACTS_EVENTS_WF_${workflows.length}`, name, className: defined.get(name)!.class_name }));
    return b.binding;
  };
  const routes: EventRoute[] = [];
  const seen = new Map<string, number>();
  events.forEach((raw, i) => {
    const at = `triggers.events[${i}]`;
    const e = raw as Block;
    if (!e || typeof e !== "object") throw new Error(`${at} must be an object`);
    if (!EVENT_TYPES.includes(e.type as (typeof EVENT_TYPES)[number])) throw new Error(`${at}.type must be one of ${EVENT_TYPES.join(", ")}`);
    const filter = (e.filter ?? {}) as Block;
    const namespace = optionalName(filter.namespace, `${at}.filter.namespace`);
    const repoName = optionalName(filter.repo_name, `${at}.filter.repo_name`);
    const targets = e.targets as Array<Block> | undefined;
    if (!Array.isArray(targets) || targets.length === 0) throw new Error(`${at}.targets must be a non-empty array`);
    targets.forEach((t, j) => {
      if (t?.type !== "workflow") throw new Error(`${at}.targets[${j}].type must be "workflow"`);
      const workflowName = optionalName(t.workflow_name, `${at}.targets[${j}].workflow_name`);
      if (!workflowName) throw new Error(`${at}.targets[${j}].workflow_name is required`);
      if (!defined.has(workflowName))
        throw new Error(`${at}.targets[${j}]: the Workflow "${workflowName}" is not defined by this Worker ("${owner}"); define it under "workflows"`);
      const filterPart = { ...(namespace !== undefined ? { namespace } : {}), ...(repoName !== undefined ? { repoName } : {}) };
      let id = sha32(JSON.stringify({ owner, types: [e.type], ...filterPart, workflowName }));
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      if (n > 0) id = sha32(`${id}:${n}`);
      routes.push({ id, binding: bindingOf(workflowName), types: [e.type as string], ...filterPart });
    });
  });
  return { routes, workflows };
}

/** A config block with one environment's keys over the top level (what that environment runs). */
export function environmentBlock(raw: Block, environment?: string): Block {
  const env = environment ? ((raw.env as Record<string, Block> | undefined)?.[environment] ?? {}) : {};
  return { ...raw, ...env };
}
