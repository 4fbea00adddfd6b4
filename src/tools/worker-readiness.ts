import { Connection } from '@temporalio/client';

/** What the wait reads of a stack: structural, so this module needs nothing of tools/stack.ts (which calls it). */
export interface PollingStack {
  temporalAddress: string;
  config: { temporal: { namespace: string; taskQueue: string } };
  services: ReadonlyMap<string, { child: { pid?: number } }>;
}

/** Proto enum values (temporal.api.enums.v1), spelled out: @temporalio/proto is not a direct dependency. */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/**
 * Resolves once the current worker process polls its workflow task queue. A (re)started worker
 * bundles the workflow code before it polls (tens of seconds on a busy machine): the stack starts
 * the API only after it, so a first payment is not answered 503 by an API whose Temporal deadline
 * runs out while no worker is there yet; and killing it again before then would test nothing but
 * start-up, so the chaos loop waits for it too.
 * Identifies the worker by its pid in the poller identity (the SDK's default `<pid>@<host>`).
 */
export async function waitForWorkerPolling(stack: PollingStack, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no poller yet';
  // One connection for the whole wait: a new one per attempt would spray ephemeral ports, one of
  // which may be the port the API is about to listen on.
  let connection: Connection | undefined;
  try {
    while (Date.now() < deadline) {
      const pid = stack.services.get('worker')?.child.pid;
      try {
        connection ??= await Connection.connect({ address: stack.temporalAddress, connectTimeout: 2_000 });
        const answer = await connection.workflowService.describeTaskQueue({
          namespace: stack.config.temporal.namespace,
          taskQueue: { name: stack.config.temporal.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
        });
        if (answer.pollers?.some((p) => p.identity?.startsWith(`${pid}@`))) return;
      } catch (err) {
        lastError = (err as Error).message;
      }
      // Often enough to time a start (stack.readyMs) to a tenth of a second, cheap for the server.
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await connection?.close();
  }
  throw new Error(`worker did not poll within ${timeoutMs} ms (${lastError})`);
}
