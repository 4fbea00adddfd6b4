/**
 * A workflow's deadline as one durable timer, kept across the waits that a message ends early.
 *
 * `condition(fn, timeout)` starts a timer per wait and cancels it when `fn` wakes the wait, so a
 * loop woken by messages writes a TimerCanceled/TimerStarted pair each time. Worse, a timer started
 * in the workflow task that also runs a local activity, and cancelled by what the activity's result
 * commits, breaks replay when a query rides on that task: the SDK then records the activity's
 * marker in that task and its consequences in a forced next one, while a replay applies the result
 * at once, so the timer is started and cancelled before it was ever sent and its events are missing
 * (chaos seed 13, docs/design.md "Timers that outlive a wait"). Here a timer is started only when
 * the deadline itself changes.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

export interface Alarm {
  /**
   * Waits until `wake()` holds (true) or `atMs` passes (false). The timer for `atMs` stays armed
   * for the next wait with the same deadline; another deadline (or none: wait for `wake` alone)
   * cancels it.
   */
  wait(atMs: number | undefined, wake: () => boolean, summary: string): Promise<boolean>;
}

interface Armed {
  atMs: number;
  rang: boolean;
  scope: CancellationScope;
}

/** `nowMs` is the workflow clock (Date.now() in the sandbox, the task's time). */
export function alarm(nowMs: () => number): Alarm {
  let armed: Armed | undefined;

  const disarm = () => {
    if (armed && !armed.rang) armed.scope.cancel();
    armed = undefined;
  };
  const arm = (atMs: number, summary: string): Armed => {
    const scope = new CancellationScope();
    const timer: Armed = { atMs, rang: false, scope };
    scope
      .run(() => sleep(Math.max(1, atMs - nowMs()), { summary }))
      .then(
        () => {
          timer.rang = true;
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
    return timer;
  };

  return {
    async wait(atMs, wake, summary) {
      if (atMs === undefined) {
        disarm();
        await condition(wake);
        return true;
      }
      if (armed?.atMs !== atMs) {
        disarm();
        armed = arm(atMs, summary);
      }
      const timer = armed;
      await condition(() => wake() || timer.rang);
      return wake();
    },
  };
}
