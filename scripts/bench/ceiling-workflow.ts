/**
 * The bare-Temporal ceiling's workflow: started, signalled once, completed — no activity, no
 * timer, no I/O. Its throughput on the same dev server and worker settings is what the payment
 * workflow is compared with. Bundled on its own by the bench's ceiling worker.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const ceilingSignal = defineSignal('ceilingSignal');

export async function ceilingWorkflow(): Promise<void> {
  let signalled = false;
  setHandler(ceilingSignal, () => {
    signalled = true;
  });
  await condition(() => signalled);
}
