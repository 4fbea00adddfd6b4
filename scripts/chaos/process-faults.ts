import type { ServiceName, Stack } from '../../src/tools/stack';
import type { Prng } from './prng';
import { waitForWorkerPolling } from '../../src/tools/worker-readiness';

/**
 * Crashes and restarts the system's processes while payments run: the worker SIGKILLed (a crash
 * mid-activity), the Temporal dev server stopped and restarted on its SQLite file (on a cluster:
 * one node SIGKILLed and restarted, and PostgreSQL restarted), the API killed or stopped. The
 * sandbox is never restarted: its ledger is the truth reconciled against.
 */
export type ProcessFault = 'worker-kill' | 'worker-term' | 'api-kill' | 'api-term' | 'temporal-restart' | 'database-restart' | 'worker-kill-in-task';

export interface ProcessFaultLog {
  at: number;
  fault: ProcessFault;
  /** From the fault until the worker polled again. */
  tookMs: number;
  error?: string;
  /** worker-kill-in-task: ms after the burst of requests was sent. */
  delayMs?: number;
}

const RESTARTS: Record<Exclude<ProcessFault, 'temporal-restart' | 'database-restart'>, [ServiceName, NodeJS.Signals]> = {
  'worker-kill': ['worker', 'SIGKILL'],
  'worker-kill-in-task': ['worker', 'SIGKILL'],
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

/**
 * One process fault at a time: the seeded loop's faults wait their turn; a timed kill
 * (`tryRun`) is skipped while another fault is queued or running, since the moment is its point.
 */
export function createFaultGate() {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    pending += 1;
    const next = tail.then(work).finally(() => {
      pending -= 1;
    });
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    run,
    tryRun(work: () => Promise<void>): Promise<void> | undefined {
      return pending === 0 ? run(work) : undefined;
    },
  };
}

/** Without a database of ours, its weight is 0 (and it is not the last key, the PRNG's fallback); timed kills only come from the driver. */
function randomWeights(database: boolean): Record<ProcessFault, number> {
  return { 'worker-kill-in-task': 0, 'database-restart': database ? 1 : 0, 'worker-kill': 5, 'worker-term': 1, 'api-kill': 2, 'api-term': 1, 'temporal-restart': 1 };
}

/**
 * Injects faults at seeded intervals until `stop()` is called and the mandatory ones are done.
 * `log` gets one entry per fault; a restart that fails is logged and retried by the next fault.
 * `killWorkerIn(ms)` SIGKILLs the worker `ms` from now, inside the workflow task a burst of
 * requests just started (at most one per `timedKillGapMs`, never over another fault).
 */
export function startProcessChaos(
  stack: Stack,
  prng: Prng,
  options: { quick: boolean; minGapMs: number; maxGapMs: number; timedKillGapMs: number; onFault?: (entry: ProcessFaultLog) => void },
) {
  const log: ProcessFaultLog[] = [];
  const gate = createFaultGate();
  const timedKills = new Set<Promise<void>>();
  let lastTimedKill = -Infinity;
  let timedKillsSkipped = 0;

  /** Injects `fault` and waits until the worker polls again; logs it either way. */
  const inject = async (fault: ProcessFault, delayMs?: number): Promise<void> => {
    const started = Date.now();
    const entry: ProcessFaultLog = { at: started, fault, tookMs: 0, ...(delayMs === undefined ? {} : { delayMs }) };
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
  };
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
      await gate.run(() => inject(fault));
    }
  })();

  return {
    log,
    /** Timed kills that found another fault in flight or came too soon after the last one. */
    get timedKillsSkipped() {
      return timedKillsSkipped;
    },
    killWorkerIn(delayMs: number): void {
      if (stopping || Date.now() - lastTimedKill < options.timedKillGapMs) {
        timedKillsSkipped += 1;
        return;
      }
      lastTimedKill = Date.now();
      const fired = new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(async () => {
        const run = gate.tryRun(() => inject('worker-kill-in-task', delayMs));
        if (run) await run;
        else timedKillsSkipped += 1;
      });
      timedKills.add(fired);
      void fired.finally(() => timedKills.delete(fired));
    },
    /** Resolves once the mandatory faults have run, the loop has ended and every timed kill is done. */
    async stop(): Promise<void> {
      stopping = true;
      if (queue.length === 0) wake?.();
      await loop;
      await Promise.all(timedKills);
    },
  };
}
