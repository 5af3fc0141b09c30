/** `cf.artifacts.repo.*` event envelopes (docs/contract.md "Event envelope", "Event payloads") and delivery to subscribers. */
import type { Env, RepoMeta } from "../env.js";
import { nowIso, randomHex } from "../util/ids.js";
import { log, redact } from "../util/log.js";

export type EventType =
  | "cf.artifacts.repo.created"
  | "cf.artifacts.repo.deleted"
  | "cf.artifacts.repo.forked"
  | "cf.artifacts.repo.imported"
  | "cf.artifacts.repo.pushed"
  | "cf.artifacts.repo.cloned"
  | "cf.artifacts.repo.fetched"
  | "cf.artifacts.repo.token.created"
  | "cf.artifacts.repo.token.revoked";

const ACCOUNT_LEVEL = new Set<EventType>(["cf.artifacts.repo.created", "cf.artifacts.repo.deleted", "cf.artifacts.repo.forked", "cf.artifacts.repo.imported"]);
const REPO_FIELDS_EVENTS = ACCOUNT_LEVEL;

export function repoFields(m: RepoMeta) {
  return {
    repoId: m.id,
    defaultBranch: m.defaultBranch,
    description: m.description,
    readOnly: m.readOnly,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    lastPushAt: m.lastPushAt,
  };
}

export function eventEnvelope(
  type: EventType,
  meta: RepoMeta,
  payload: Record<string, unknown>,
  accountId: string,
  source?: { namespace: string; repoName: string },
) {
  return {
    type,
    source: {
      type: ACCOUNT_LEVEL.has(type) ? "artifacts" : "artifacts.repo",
      namespace: source?.namespace ?? meta.namespace,
      repoName: source?.repoName ?? meta.name,
    },
    payload: REPO_FIELDS_EVENTS.has(type) && type !== "cf.artifacts.repo.forked" ? { ...repoFields(meta), ...payload } : payload,
    metadata: { accountId, eventSubscriptionId: "0".repeat(32), eventSchemaVersion: 1, eventTimestamp: nowIso() },
  };
}

/**
 * Subscribers: every URL in EVENT_WEBHOOK_URLS (comma-separated) gets a POST of the envelope,
 * an EVENTS_QUEUE Queue binding, when configured, gets it as a message, and every matching
 * Workflow trigger (EVENT_WORKFLOWS) creates an instance with it as params. Fire and forget,
 * like the simulator's Workflow delivery; failures are logged, never thrown.
 */
export async function deliverEvent(env: Env, envelope: { type: string; metadata: { eventSubscriptionId: string } }): Promise<void> {
  const e = env as Env & { EVENT_WEBHOOK_URLS?: string; EVENTS_QUEUE?: Queue; EVENT_WORKFLOWS?: string };
  const jobs: Array<Promise<unknown>> = [];
  for (const url of (e.EVENT_WEBHOOK_URLS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const body = JSON.stringify({ ...envelope, metadata: { ...envelope.metadata, eventSubscriptionId: subscriptionId(url) } });
    jobs.push(fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body }).then((r) => r.body?.cancel()));
  }
  if (e.EVENTS_QUEUE) jobs.push(e.EVENTS_QUEUE.send(envelope));
  for (const route of workflowRoutes(e.EVENT_WORKFLOWS)) {
    const wf = (env as unknown as Record<string, Workflow | undefined>)[route.binding];
    if (!matches(route, envelope as unknown as EnvelopeLike)) continue;
    if (!wf) {
      log("warn", "event trigger names a Workflow binding the service does not have", { binding: route.binding });
      continue;
    }
    jobs.push(wf.create({ params: { ...envelope, metadata: { ...envelope.metadata, eventSubscriptionId: route.id } } }));
  }
  for (const r of await Promise.allSettled(jobs))
    if (r.status === "rejected") log("warn", "event delivery failed", { type: envelope.type, error: redact(String(r.reason)) });
}

/**
 * One Workflow trigger (docs/contract.md "Event subscriptions" item 2, "Event subscriptions"): the event types it takes, its optional
 * filters, the service's Workflow binding to create instances with, and its subscription id. The
 * emulator derives these from the user's `triggers.events` (packages/emulator/src/workflow-triggers.ts)
 * and hands them over as the EVENT_WORKFLOWS variable, JSON.
 */
export interface WorkflowRoute {
  id: string;
  binding: string;
  types: string[];
  namespace?: string;
  repoName?: string;
}

type EnvelopeLike = { type: string; source: { namespace: string; repoName: string } };

function workflowRoutes(v: string | undefined): WorkflowRoute[] {
  if (!v) return [];
  try {
    const r = JSON.parse(v) as WorkflowRoute[];
    return Array.isArray(r) ? r : [];
  } catch {
    log("warn", "EVENT_WORKFLOWS is not valid JSON; no Workflow triggers");
    return [];
  }
}

/** The simulator's match: the type, the namespace exactly, the repo name without regard to case. */
function matches(route: WorkflowRoute, e: EnvelopeLike): boolean {
  if (!route.types.includes(e.type)) return false;
  if (route.namespace !== undefined && route.namespace !== e.source.namespace) return false;
  return route.repoName === undefined || route.repoName.toLowerCase() === e.source.repoName.toLowerCase();
}

function subscriptionId(url: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < url.length; i++) h = Math.imul(h ^ url.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0").repeat(4);
}

export { randomHex };
