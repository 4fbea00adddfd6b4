/**
 * The ceiling's worker process: the bench's trivial workflow (ceiling-workflow.ts, bundled on its
 * own) on its own task queue, on the same dev server and with the same worker settings as the
 * payment worker (src/worker.ts reads the same three config values), so the comparison isolates
 * what the payment workflow itself costs. Started by the bench as a separate process, as the
 * payment worker is.
 */
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';

export const CEILING_TASK_QUEUE_ENV = 'BENCH_CEILING_TASK_QUEUE';
export const CEILING_READY_LINE = 'ceiling worker running';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = process.env[CEILING_TASK_QUEUE_ENV];
  if (!taskQueue) throw new Error(`${CEILING_TASK_QUEUE_ENV} is required`);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: path.join(__dirname, 'ceiling-workflow.ts'),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  process.stdout.write(`${CEILING_READY_LINE}\n`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`ceiling worker failed: ${error.message}\n`);
    process.exit(1);
  });
}
