import type { ServiceName, Stack } from '../../src/tools/stack';
import type { Prng } from './prng';
import { waitForWorkerPolling } from '../../src/tools/worker-readiness';

/**
 * Crashes and restarts the system's processes while payments run: the worker SIGKILLed (a crash
 * mid-activity), the Temporal dev server stopped and restarted on its SQLite file (on a cluster:
 * one node SIGKILLed and restarted, and PostgreSQL restarted), the API killed or stopped. The
 * sandbox is never restarted: its ledger is the truth reconciled against.
 */
export type ProcessFault = 'worker-kill' | 'worker-term' | 'api-kill' | 'api-term' | 'temporal-restart' | 'database-restart';

export interface ProcessFaultLog {
  at: number;
  fault: ProcessFault;
  /** From the fault until the worker polled again. */
  tookMs: number;
  error?: string;
}

const RESTARTS: Record<Exclude<ProcessFault, 'temporal-restart' | 'database-restart'>, [ServiceName, NodeJS.Signals]> = {
  'worker-kill': ['worker', 'SIGKILL'],
  'worker-term': ['worker', 'SIGTERM'],
  'api-kill': ['api', 'SIGKILL'],
  'api-term': ['api', 'SIGTERM'],
};

export async function injectProcessFault(stack: Stack, fault: ProcessFault): Promise<void> {
  if (fault === 'temporal-restart') return stack.restartTemporal();
  if (fault === 'database-restart') {
    if (!stack.externalTemporal?.restartDatabase) throw new Error('this Temporal has no database of ours to restart');
    return stack.externalTemporal.restartDatabase();
  }
  const [name, signal] = RESTARTS[fault];
  return stack.restart(name, signal);
}

/** The faults every run must see at least once (worker kills several times), then random ones. */
export function mandatoryFaults(quick: boolean, database = false): ProcessFault[] {
  const faults: ProcessFault[] = quick
    ? ['worker-kill', 'temporal-restart', 'api-kill', 'worker-kill']
    : ['worker-kill', 'api-kill', 'worker-kill', 'temporal-restart', 'worker-term', 'api-term', 'worker-kill', 'temporal-restart'];
  if (database) faults.splice(2, 0, 'database-restart');
  return faults;
}

/** Without a database of ours, its weight is 0 (and it is not the last key, the PRNG's fallback). */
function randomWeights(database: boolean): Record<ProcessFault, number> {
  return { 'database-restart': database ? 1 : 0, 'worker-kill': 5, 'worker-term': 1, 'api-kill': 2, 'api-term': 1, 'temporal-restart': 1 };
}

/**
 * Injects faults at seeded intervals until `stop()` is called and the mandatory ones are done.
 * `log` gets one entry per fault; a restart that fails is logged and retried by the next fault.
 */
export function startProcessChaos(stack: Stack, prng: Prng, options: { quick: boolean; minGapMs: number; maxGapMs: number; onFault?: (entry: ProcessFaultLog) => void }) {
  const log: ProcessFaultLog[] = [];
  const database = stack.externalTemporal?.restartDatabase !== undefined;
  const queue = [...mandatoryFaults(options.quick, database)];
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    for (;;) {
      if (stopping && queue.length === 0) return;
      await pause(prng.int(options.minGapMs, options.maxGapMs));
      if (stopping && queue.length === 0) return;
      // Quick runs (CI) stop after the mandatory faults; full runs go on at random until stopped.
      if (options.quick && queue.length === 0) return;
      const fault = queue.shift() ?? prng.weighted(randomWeights(database));
      const started = Date.now();
      const entry: ProcessFaultLog = { at: started, fault, tookMs: 0 };
      try {
        await injectProcessFault(stack, fault);
        // The next fault starts the clock only once the system can make progress again.
        await waitForWorkerPolling(stack);
      } catch (err) {
        entry.error = (err as Error).message;
      }
      entry.tookMs = Date.now() - started;
      log.push(entry);
      options.onFault?.(entry);
    }
  })();

  return {
    log,
    /** Resolves once the mandatory faults have run and the loop has ended. */
    async stop(): Promise<void> {
      stopping = true;
      if (queue.length === 0) wake?.();
      await loop;
    },
  };
}
