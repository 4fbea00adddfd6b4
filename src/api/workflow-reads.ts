import { QueryNotRegisteredError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ProblemError, TASK_FAILING_RETRY_AFTER_SECONDS } from './problem';
import { withDeadline } from './temporal-failures';

/**
 * How a route reads a workflow's state (docs/operations.md §9, "Reads that survive"):
 * - a completed workflow's state is its result, read from the close event: no worker, no replay
 *   (a query of a closed workflow makes a worker replay the whole history);
 * - an open workflow is queried; when no worker answers in time the deadline makes it a 503
 *   `temporal-unavailable` with Retry-After (translate in payment-commands.ts);
 * - a query the workflow's code cannot answer (its task fails: nondeterminism, a bug — the SDK
 *   reports every worker-side query failure as QueryNotRegisteredError) is a 503
 *   `workflow-task-failing`, logged with the workflow id: the worker's
 *   `temporal_workflow_task_execution_failed` counter rises with it and its alert fires.
 */
export async function readWorkflowState<T>(
  client: Client,
  handle: WorkflowHandle,
  requestMs: number,
  query: () => Promise<T>,
  options: { resultIsState: boolean },
): Promise<T> {
  if (options.resultIsState) {
    const { status } = await withDeadline(client, requestMs, () => handle.describe());
    if (status.name === 'COMPLETED') return withDeadline(client, requestMs, () => handle.result() as Promise<T>);
  }
  try {
    return await withDeadline(client, requestMs, query);
  } catch (err) {
    if (err instanceof QueryNotRegisteredError) throw workflowTaskFailing(handle.workflowId, err);
    throw err;
  }
}

export function workflowTaskFailing(workflowId: string, err: Error): ProblemError {
  return new ProblemError('workflow-task-failing', `workflow ${workflowId} cannot answer: its workflow task fails (${err.message.slice(0, 300)})`, {}, TASK_FAILING_RETRY_AFTER_SECONDS, { workflowId, reason: err.message });
}
