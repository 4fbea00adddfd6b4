import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-binaries';

/**
 * One of the service's processes (sandbox, worker, API), run from its TypeScript entry through
 * tsx as `npm run <name>` would, or from its compiled JavaScript in dist/ as the image does. Used
 * by `npm start`, the end-to-end tests, chaos and bench, which kill and restart them.
 */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServiceProcessOptions {
  name: string;
  /** Entry relative to the project root, e.g. `src/worker.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /**
   * tsx (default) transpiles the TypeScript entry; node runs its compiled twin under dist/
   * (`npm run build`), which starts a worker about twice as fast: tsx's hooks slow down loading
   * the SDK in the main thread and again in the workflow thread (docs/performance.md).
   */
  runtime?: ServiceRuntime;
  onOutput?: (name: string, line: string) => void;
}

export type ServiceRuntime = 'tsx' | 'node';

/** `src/worker.ts` → `dist/worker.js`: where `npm run build` (tsconfig.build.json) puts an entry. */
export function compiledEntry(entry: string): string {
  const match = /^src\/(.+)\.ts$/.exec(entry);
  if (!match) throw new Error(`${entry} is not under src/: it has no compiled twin in dist/`);
  return `dist/${match[1]}.js`;
}

/** The node arguments that run `entry` with `runtime`. */
export function serviceArgs(entry: string, runtime: ServiceRuntime): string[] {
  if (runtime === 'tsx') return ['--import', 'tsx', path.join(PROJECT_ROOT, entry)];
  const compiled = path.join(PROJECT_ROOT, compiledEntry(entry));
  if (!existsSync(compiled)) throw new Error(`${path.relative(PROJECT_ROOT, compiled)} is missing: run \`npm run build\` first`);
  return [compiled];
}

/**
 * Extra node flags for every service process, from SERVICE_NODE_ARGS (space-separated): e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a bench's stack (docs/performance.md), which
 * NODE_OPTIONS refuses.
 */
export function serviceNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const child = spawn(process.execPath, [...serviceNodeArgs(), ...serviceArgs(options.entry, options.runtime ?? 'tsx')], {
    cwd: PROJECT_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  const forward = (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line) options.onOutput?.(options.name, line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: options.name,
    child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `url` answers 2xx, or fails when the process exits or time runs out. */
export async function waitForHttp(url: string, service?: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${service?.name} exited before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
