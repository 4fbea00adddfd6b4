import {
  Client,
  isGrpcServiceError,
  WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';

/**
 * How the API tells "Temporal could not be reached in time" (→ 503, the caller retries) from a
 * real answer. Every call runs under a deadline so a dead server costs a bounded wait, not the
 * SDK's whole retry budget: CodePay drops a webhook delivery after 5 s.
 */
export function withDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + ms, fn);
}

/**
 * gRPC status codes (a fixed standard): CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * FAILED_PRECONDITION, UNAVAILABLE. Temporal answers an update with FAILED_PRECONDITION ("Workflow
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
