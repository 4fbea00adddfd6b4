/**
 * A call's first attempt as a local activity: run by the worker inside the workflow task that asks
 * for it and recorded as one marker event, instead of an activity task's three events and one more
 * workflow task (docs/performance.md, "Fewer events per payment"). The workflow answers no query,
 * signal or update while its task runs one, so the attempt gets LOCAL_ATTEMPT_TIMEOUT, well inside
 * the API's Temporal budget (3.5 s); a call that fails or takes longer goes on as an activity task.
 */
import type { LocalActivityOptions } from '@temporalio/workflow';

export const LOCAL_ATTEMPT_TIMEOUT = '2s';

/** Options of the local first attempt: one attempt, short. */
export const LOCAL_FIRST_ATTEMPT: LocalActivityOptions = { startToCloseTimeout: LOCAL_ATTEMPT_TIMEOUT, retry: { maximumAttempts: 1 } };

export interface Executable<Args extends unknown[], Result> {
  executeWithOptions(options: { summary: string }, args: Args): Promise<Result>;
}

/** `local` once; if it throws what `goesOn` accepts, `remote` (the activity task, with its own retries). */
export async function locallyFirst<Args extends unknown[], Result>(
  local: Executable<Args, Result>,
  remote: Executable<Args, Result>,
  options: { summary: string },
  args: Args,
  goesOn: (error: unknown) => boolean = () => true,
): Promise<Result> {
  try {
    return await local.executeWithOptions(options, args);
  } catch (error) {
    if (!goesOn(error)) throw error;
    return await remote.executeWithOptions(options, args);
  }
}
