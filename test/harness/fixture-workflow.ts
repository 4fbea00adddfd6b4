import { condition, sleep, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

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
