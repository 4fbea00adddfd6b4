import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import {
  Client,
  isGrpcServiceError,
  WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';

/**
 * How the API tells "Temporal could not be reached in time" (→ 503, the caller retries) from a
 * real answer. Every call runs under a deadline so a dead or frozen server costs a bounded wait,
 * not the SDK's whole retry budget; a request's calls together stay inside the request's budget
 * (`budgeted`), so a route making several calls still answers in time.
 */
const requestDeadline = new AsyncLocalStorage<number>();

export function withDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  const budget = requestDeadline.getStore() ?? Number.POSITIVE_INFINITY;
  return client.withDeadline(Math.min(Date.now() + ms, budget), fn);
}

/** An express handler whose Temporal calls all end within `ms` of the request reaching it. */
export function budgeted(ms: number, handler: RequestHandler): RequestHandler {
  return (req, res, next) => withinBudget(ms, () => handler(req, res, next));
}

/** Runs `fn` with a fresh budget: its Temporal calls all end within `ms` from now (a start admitted after queueing). */
export function withinBudget<T>(ms: number, fn: () => T): T {
  return requestDeadline.run(Date.now() + ms, fn);
}

/**
 * gRPC status codes (a fixed standard): CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * FAILED_PRECONDITION, UNAVAILABLE. Temporal answers a query with FAILED_PRECONDITION ("Workflow
 * Task in failed state") while the workflow's task is being retried, e.g. under load: transient.
 */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([1, 4, 8, 9, 14]);

export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && UNAVAILABLE_CODES.has(e.code)) return true;
  }
  return false;
}

/** gRPC INVALID_ARGUMENT: Temporal refused the request itself (e.g. a date it cannot parse); retrying cannot help. */
const INVALID_ARGUMENT = 3;

/** Temporal's refusal of a request as invalid, with its reason; undefined for anything else. */
export function temporalInvalidArgument(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && e.code === INVALID_ARGUMENT) return e.details;
  }
  return undefined;
}

/**
 * Temporal answers NOT_FOUND both for "never existed" and for "already closed" when signalling or
 * updating; describe tells them apart (closed executions stay visible for the namespace retention).
 */
export async function isClosedWorkflow(handle: WorkflowHandle): Promise<boolean> {
  try {
    const description = await handle.describe();
    return description.status.name !== 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
