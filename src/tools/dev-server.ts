import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';
import { requireBinaryPath, TEMPORAL_CLI } from './temporal-binaries';

/**
 * The Temporal CLI's dev server as a child process, persisted to a SQLite file so payments survive
 * a restart (npm start, chaos and bench runs; the jest harness uses @temporalio/testing instead).
 */
/**
 * The embedded default's SQLite settings (npm start, and what the bench measures unless told
 * otherwise): WAL cuts the dev server's CPU per payment by a third or more (docs/performance.md); it
 * survives process crashes and may only lose the last commits on a power cut, fine for the
 * embedded default (production runs Temporal on PostgreSQL).
 */
export const EMBEDDED_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=WAL', 'synchronous=NORMAL'];

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort?: number;
  /** No Web UI (benchmarks). */
  headless?: boolean;
  ip?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** e.g. `journal_mode=WAL`, `synchronous=NORMAL` (see bench). */
  sqlitePragmas?: string[];
  /** The server's Prometheus /metrics (otherwise a random port): the bench reads its latencies. */
  metricsPort?: number;
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function devServerArgs(options: DevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--port',
    String(options.port),
    '--ip',
    options.ip ?? '127.0.0.1',
    '--log-level',
    options.logLevel ?? 'warn',
    ...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort ?? options.port + 1000)]),
    '--ui-disable-news-fetch',
    ...devServerSearchAttributeArgs(),
    // As deploy/temporal/dynamicconfig.yaml: an activity scheduled by a workflow task goes back to the worker in that task's answer.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    ...(options.sqlitePragmas ?? []).flatMap((p) => ['--sqlite-pragma', p]),
    ...(options.metricsPort === undefined ? [] : ['--metrics-port', String(options.metricsPort)]),
  ];
}

export async function waitForTemporal(address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} not ready after ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const child = spawn(requireBinaryPath(TEMPORAL_CLI), devServerArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((line) => options.onOutput?.(line));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${options.ip ?? '127.0.0.1'}:${options.port}`;
  const ready = waitForTemporal(address);
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited.then((code) => code)]);
  if (outcome !== 'ready') throw new Error(`temporal dev server exited with code ${outcome} before it was ready`);
  return {
    address,
    uiUrl: options.headless ? undefined : `http://localhost:${options.uiPort ?? options.port + 1000}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
