import { Client, Connection, WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { createProgress } from '../../src/tools/progress';
import { prepareWorkflowBundle, serviceWorkflowBundleSource } from '../../src/tools/workflow-bundle';
import { mapPool } from './pool';
import type { Finding } from './reconcile';

/**
 * "Replay everything, always" (docs/reliability.md): the end of every chaos run lists every
 * workflow execution of the run's namespace (payments, refunds, webhook deliveries, warm-ups, every
 * run of a continue-as-new chain), fetches each history with bounded concurrency and replays it
 * against the bundle the worker runs. A history that does not replay is a workflow whose every
 * query, update and signal fails forever: a violation that names the workflow.
 */
export interface Execution {
  workflowId: string;
  runId: string;
  type: string;
}

export interface ReplayReport {
  /** Executions the namespace lists. */
  listed: number;
  /** Histories replayed without error. */
  replayed: number;
  /** One per history that did not fetch or did not replay. */
  failures: Finding[];
  /** Worker warm-ups listed and deleted (src/worker.ts) before their history was fetched: nothing to replay. */
  deletedWarmUps: number;
  fetchSeconds: number;
  replaySeconds: number;
}

type History = temporal.api.history.v1.IHistory;

/** Fetches of one history: a restarted server or a busy visibility store gets a few tries. */
const FETCH_TRIES = 4;
/** gRPC NOT_FOUND (a fixed standard): the execution is gone. */
const isNotFound = (err: unknown) => isGrpcServiceError(err) && err.code === 5;

export async function listExecutions(client: Client): Promise<Execution[]> {
  const executions: Execution[] = [];
  for await (const info of client.workflow.list()) executions.push({ workflowId: info.workflowId, runId: info.runId, type: info.type });
  return executions;
}

/**
 * A warm-up the starting worker deleted (src/worker.ts) after the list named it: the server drops
 * the history before the execution, and says so as NOT_FOUND (dev server) or as INVALID_ARGUMENT
 * "history not found" (the cluster), so the execution itself must be gone within `withinMs`.
 */
export async function warmUpWasDeleted(client: Client, execution: Execution, withinMs = 60_000): Promise<boolean> {
  if (execution.type !== 'workerWarmUpWorkflow') return false;
  const deadline = Date.now() + withinMs;
  for (;;) {
    const gone = await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .describe()
      .then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError);
    if (gone) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function fetchWithRetry(client: Client, execution: Execution): Promise<History> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    } catch (err) {
      if (attempt >= FETCH_TRIES || isNotFound(err)) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

const failure = (execution: Pick<Execution, 'workflowId' | 'runId'>, rule: string, error: unknown): Finding => ({
  merchantOrderNo: execution.workflowId,
  rule,
  expected: 'replays with the current workflow bundle',
  actual: `run ${execution.runId}: ${(error as Error)?.message ?? String(error)}`.slice(0, 600),
});

/**
 * Replays `histories` against the bundle at `bundlePath` in one replay worker (it yields one
 * result per history, in order); returns how many replayed and a finding per failure.
 */
export async function replayHistories(
  bundlePath: string,
  histories: readonly { workflowId: string; runId: string; history: History }[],
  onReplayed: () => void = () => undefined,
): Promise<{ replayed: number; failures: Finding[] }> {
  let replayed = 0;
  const failures: Finding[] = [];
  let index = 0;
  const source = histories.map(({ workflowId, history }) => ({ workflowId, history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath } }, source)) {
    const execution = histories[index++]!;
    if (result.error) failures.push(failure(execution, 'history replays', result.error));
    else replayed += 1;
    onReplayed();
  }
  return { replayed, failures };
}

/**
 * Lists, fetches (at most `concurrency` at a time) and replays every workflow of the namespace.
 * `expected` names workflows the run knows exist (its payments): one the list lacks is a failure,
 * so a listing that came back short cannot pass for a clean replay.
 */
export async function replayEverything(options: { address: string; namespace: string; concurrency: number; expected: readonly string[] }): Promise<ReplayReport> {
  const connection = await Connection.connect({ address: options.address });
  try {
    const client = new Client({ connection, namespace: options.namespace });
    const fetchStarted = Date.now();
    const executions = await listExecutions(client);
    const listedIds = new Set(executions.map((e) => e.workflowId));
    const failures: Finding[] = options.expected
      .filter((id) => !listedIds.has(id))
      .map((id) => failure({ workflowId: id, runId: '-' }, 'history listed', new Error('not in the namespace\'s workflow list')));
    const fetchProgress = createProgress('chaos: fetching histories', executions.length);
    let deletedWarmUps = 0;
    const fetched = await mapPool(executions, options.concurrency, async (execution) => {
      try {
        return { ...execution, history: await fetchWithRetry(client, execution) };
      } catch (err) {
        if (await warmUpWasDeleted(client, execution)) deletedWarmUps += 1;
        else failures.push(failure(execution, 'history fetched', err));
        return undefined;
      } finally {
        fetchProgress.tick();
      }
    });
    fetchProgress.done();
    const histories = fetched.filter((h) => h !== undefined);
    const fetchSeconds = (Date.now() - fetchStarted) / 1000;

    const replayStarted = Date.now();
    const { codePath } = await prepareWorkflowBundle(serviceWorkflowBundleSource());
    const replayProgress = createProgress('chaos: replaying histories', histories.length);
    const replay = await replayHistories(codePath, histories, () => replayProgress.tick());
    replayProgress.done();
    return {
      listed: executions.length,
      replayed: replay.replayed,
      failures: [...failures, ...replay.failures],
      deletedWarmUps,
      fetchSeconds,
      replaySeconds: (Date.now() - replayStarted) / 1000,
    };
  } finally {
    await connection.close();
  }
}
