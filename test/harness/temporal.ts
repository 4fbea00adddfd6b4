import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createWebhookActivities, type WebhookActivities } from '../../src/activities/webhook-activities';
import { BUNDLE_PATH_ENV, DEV_SERVER_ADDRESS_ENV } from './env-names';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (test/harness/global-setup.ts)`);
  return value;
}

export interface TestTemporal {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Connects to the run's shared dev server; call `close` in afterAll. */
export async function connectTestTemporal(): Promise<TestTemporal> {
  const address = required(DEV_SERVER_ADDRESS_ENV);
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** The merchant webhook activities with no endpoint configured: payments emit, nothing is sent. */
export function webhooksOff(connection: NativeConnection): WebhookActivities {
  return createWebhookActivities({ config: { merchantWebhooks: { secrets: [], retryScheduleMs: [] } }, client: new Client({ connection }) });
}

/** Creates a worker on a fresh task queue with the run's shared bundle (merchant webhooks off unless `activities` bring them). */
export async function createTestWorker(
  temporal: Pick<TestTemporal, 'nativeConnection'>,
  options: Omit<WorkerOptions, 'connection' | 'taskQueue' | 'workflowBundle' | 'workflowsPath'> & { taskQueue?: string },
): Promise<Worker> {
  return Worker.create({
    connection: temporal.nativeConnection,
    workflowBundle: { codePath: required(BUNDLE_PATH_ENV) },
    ...options,
    activities: { ...webhooksOff(temporal.nativeConnection), ...options.activities },
    taskQueue: options.taskQueue ?? uniqueTaskQueue(),
  });
}
