import { Client, Connection } from '@temporalio/client';
import { createProgress } from '../../src/tools/progress';
import { startServiceProcess } from '../../src/tools/service-process';
import { ceilingSignal, ceilingWorkflow } from './ceiling-workflow';
import { CEILING_READY_LINE, CEILING_TASK_QUEUE_ENV } from './ceiling-worker';
import { runClosedLoop } from './closed-loop';
import { cpuMsPer, cpuSnapshot } from './process-cpu';
import { LatencySummary, round, summarize } from './latency';
import type { RssSampler } from './rss-sampler';
import { throughput, Throughput } from './samples';

/** The bare-Temporal ceiling: N trivial workflows, each started, signalled and awaited, at concurrency C. */
export interface CeilingResult {
  count: number;
  concurrency: number;
  wallSeconds: number;
  workflowsPerSecond: number;
  /** Start → signal → completion seen by the client, per workflow. */
  workflowLatencyMs: LatencySummary;
  /** CPU ms per workflow of the server processes and the ceiling worker, over the closed loop. */
  cpuMsPerWorkflow: Record<string, number>;
  /** Workflows completed per second of the loop. */
  throughput: Throughput;
}

export async function runCeiling(args: {
  env: NodeJS.ProcessEnv;
  temporalAddress: string;
  namespace: string;
  count: number;
  concurrency: number;
  runId: string;
  rss: RssSampler;
  /** The Temporal server's processes (dev server, or cluster nodes and PostgreSQL). */
  serverPids: Map<string, number | undefined>;
  onOutput: (name: string, line: string) => void;
}): Promise<CeilingResult> {
  const taskQueue = `bench-ceiling-${args.runId}`;
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const worker = startServiceProcess({
    name: 'ceiling-worker',
    entry: 'scripts/bench/ceiling-worker.ts',
    env: { ...args.env, TEMPORAL_ADDRESS: args.temporalAddress, [CEILING_TASK_QUEUE_ENV]: taskQueue },
    onOutput: (name, line) => (line.includes(CEILING_READY_LINE) ? ready() : args.onOutput(name, line)),
  });
  const exited = worker.exited.then((code) => {
    throw new Error(`ceiling worker exited with code ${code}`);
  });
  const connection = await Connection.connect({ address: args.temporalAddress });
  try {
    await Promise.race([isReady, exited]);
    args.rss.watch('ceiling-worker', worker.child.pid);
    const client = new Client({ connection, namespace: args.namespace });
    const latencies: number[] = [];
    const completedAt: number[] = [];
    const progress = createProgress('ceiling', args.count);
    const pids = new Map([...args.serverPids, ['ceiling-worker', worker.child.pid]]);
    const cpuBefore = cpuSnapshot(pids);
    const loopStartedAt = Date.now();
    const wallMs = await Promise.race([
      exited,
      runClosedLoop(args.count, args.concurrency, async (i) => {
        const started = performance.now();
        const handle = await client.workflow.start(ceilingWorkflow, { taskQueue, workflowId: `ceiling-${args.runId}-${i}` });
        await handle.signal(ceilingSignal);
        await handle.result();
        latencies.push(performance.now() - started);
        completedAt.push(Date.now());
        progress.tick();
      }),
    ]);
    const cpuAfter = cpuSnapshot(pids);
    progress.done();
    return {
      count: args.count,
      concurrency: args.concurrency,
      wallSeconds: round(wallMs / 1000, 2),
      workflowsPerSecond: round(args.count / (wallMs / 1000), 1),
      workflowLatencyMs: summarize(latencies),
      cpuMsPerWorkflow: cpuMsPer(cpuBefore, cpuAfter, args.count),
      throughput: throughput(completedAt, loopStartedAt),
    };
  } finally {
    void exited.catch(() => undefined);
    await connection.close();
    await worker.stop();
  }
}
