import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitForWorkerPolling } from '../../src/tools/worker-readiness';
import { startStack, Stack } from '../../src/tools/stack';
import { DEV_SERVER_ADDRESS_ENV, E2E_TEMPORAL_ADDRESS_ENV, E2E_WORKER_PROCESSES_ENV } from '../harness/env-names';
import { uniqueTaskQueue } from '../harness/temporal';
import { freePort } from './free-port';

/**
 * The real processes (sandbox, worker, API) on free ports, against the run's shared dev server
 * (or the cluster named by E2E_TEMPORAL_ADDRESS, with E2E_WORKER_PROCESSES workers), with a fresh
 * DATA_DIR (its own generated keys) and a task queue of their own.
 */
export async function startE2eStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const [apiPort, sandboxPort] = [await freePort(), await freePort()];
  const output: string[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'e2e-')),
    TEMPORAL_ADDRESS: process.env[E2E_TEMPORAL_ADDRESS_ENV] || process.env[DEV_SERVER_ADDRESS_ENV],
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('e2e'),
    API_PORT: String(apiPort),
    SANDBOX_PORT: String(sandboxPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    SANDBOX_PUBLIC_URL: `http://127.0.0.1:${sandboxPort}`,
    SANDBOX_NOTIFY_TIME_SCALE: '0.01',
    PAYMENT_POLL_SCHEDULE_SECONDS: '1,1,2',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  try {
    const workers = Number(process.env[E2E_WORKER_PROCESSES_ENV] ?? 1);
    const stack = await startStack({ env, workers, onOutput: (name, line) => output.push(`[${name}] ${line}`) });
    // The API answers before the worker has bundled the workflows and polls; a first payment in
    // that gap waits for it (and on a busy machine may run into the API's 503 deadline).
    await waitForWorkerPolling(stack).catch(async (err: unknown) => {
      await stack.stop();
      throw err;
    });
    return stack;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${output.slice(-40).join('\n')}`);
  }
}

/** A small fetch wrapper for the merchant API with the stack's key. */
export function apiClient(stack: Stack) {
  return async function api<T = Record<string, unknown>>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}
