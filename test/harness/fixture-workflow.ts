import { condition, sleep, defineQuery, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export interface FixtureActivities {
  greet(name: string): Promise<string>;
}

export const addItemSignal = defineSignal<[string]>('addItem');
export const finishUpdate = defineUpdate<number, [string]>('finish');
export const itemsQuery = defineQuery<string[]>('items');

/** Exercises every message kind once, so the harness proves real round trips. */
export async function fixtureWorkflow(name: string): Promise<string> {
  const { greet } = proxyActivities<FixtureActivities>({ startToCloseTimeout: '10s' });
  const items: string[] = [];
  let done = false;
  setHandler(addItemSignal, (item) => void items.push(item));
  setHandler(itemsQuery, () => items);
  setHandler(
    finishUpdate,
    (closing) => {
      items.push(closing);
      done = true;
      return items.length;
    },
    { validator: (closing) => { if (!closing) throw new Error('closing item required'); } },
  );
  items.unshift(await greet(name));
  await condition(() => done);
  return items.join(',');
}

/** Sleeps for `ms` of workflow time: proves the time-skipping server skips it. */
export async function sleepFixture(ms: number): Promise<void> {
  await sleep(ms);
}

/** A command as the payment takes them: a signal (docs/design.md §2.9). */
export const orderingCommandSignal = defineSignal<[]>('orderingCommand');
/** Changes nothing: its workflow task completes without a command. */
export const orderingNudgeSignal = defineSignal<[]>('orderingNudge');

export interface OrderingActivities {
  /** Completed by the test (asynchronously), at the moment it chooses. */
  hold(): Promise<void>;
  greet(name: string): Promise<string>;
}

/**
 * The shape of the payment's cancels around a timed-out task (docs/design.md §2.9): each command
 * waits for an activity's result (a cancel waiting on the confirming query), a task completes
 * without a command (a timer firing mid-conversation), and the result schedules an activity and
 * runs a local one (the close, the hand-over) in the task that also takes the later commands.
 */
export async function commandOrderingFixture(activityQueue: string, commands: number): Promise<number> {
  const { hold, greet } = proxyActivities<OrderingActivities>({ startToCloseTimeout: '1m', taskQueue: activityQueue });
  const local = proxyLocalActivities<OrderingActivities>({ startToCloseTimeout: '10s' });
  let taken = 0;
  let held = true;
  setHandler(orderingCommandSignal, async () => {
    taken += 1;
    await condition(() => !held);
  });
  setHandler(orderingNudgeSignal, () => undefined);
  await hold();
  held = false;
  const next = greet('after the held activity');
  await local.greet('a hand-over');
  await next;
  await condition(() => taken >= commands);
  return taken;
}
