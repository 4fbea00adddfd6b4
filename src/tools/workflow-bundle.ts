/**
 * A prebuilt workflow bundle, keyed by what it is built from. Bundling the workflows (webpack +
 * swc) costs the worker 8–18 s at every start on a busy 2-core machine; a bundle built once by
 * `npm run build:workflows` (and by the first start after any change) makes a start read one file.
 *
 * The key is a hash of every source file the bundle can import (the whole source tree, since
 * workflows import from codepay/) and of the installed SDK version, so an edited workflow can never
 * run from a stale bundle: a changed key simply misses and the bundle is built again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_TRACING_INTERCEPTORS } from '../telemetry/temporal-tracing';

const SOURCE_EXTENSIONS = new Set(['.ts', '.js']);

export interface WorkflowBundleSource {
  /** The module that exports the workflows (src/workflows/index.ts, or dist/workflows/index.js). */
  workflowsPath: string;
  /** Folders whose files the key covers: every source tree the workflows can import from. */
  sourceRoots: string[];
  /** Where bundles are kept. */
  cacheDir: string;
  /** Workflow interceptor modules bundled in (the traced bundle: telemetry/temporal-tracing.ts). */
  interceptorModules?: string[];
}

/**
 * The default for the running service: its own workflows, cached under node_modules/.cache;
 * `traced` adds the OpenTelemetry workflow interceptors (a second bundle, used when tracing is on).
 */
export function serviceWorkflowBundleSource({ traced = false }: { traced?: boolean } = {}): WorkflowBundleSource {
  const sourceRoot = path.resolve(__dirname, '..');
  return {
    workflowsPath: require.resolve('../workflows'),
    sourceRoots: [sourceRoot],
    cacheDir: process.env.WORKFLOW_BUNDLE_CACHE_DIR ?? path.resolve(sourceRoot, '..', 'node_modules', '.cache', 'codepay-workflows'),
    interceptorModules: traced ? [WORKFLOW_TRACING_INTERCEPTORS] : [],
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return SOURCE_EXTENSIONS.has(path.extname(entry.name)) && !entry.name.endsWith('.d.ts') ? [full] : [];
    })
    .sort();
}

/** The bundle's key: the SDK version and every source file's path and content. */
export function workflowBundleKey(source: Pick<WorkflowBundleSource, 'workflowsPath' | 'sourceRoots' | 'interceptorModules'>): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string };
  hash.update(`sdk ${sdk.version}\nentry ${path.relative(source.sourceRoots[0] ?? '', source.workflowsPath)}\n`);
  for (const module of source.interceptorModules ?? []) hash.update(`interceptors ${path.relative(source.sourceRoots[0] ?? '', module)}\n`);
  source.sourceRoots.forEach((root, index) => {
    for (const file of sourceFiles(root)) {
      hash.update(`${index}:${path.relative(root, file)}\n`);
      hash.update(readFileSync(file));
    }
  });
  return hash.digest('hex').slice(0, 24);
}

export interface PreparedBundle {
  codePath: string;
  /** False when this call had to build it. */
  cached: boolean;
}

/** The bundle's file for the current sources: read from the cache, or built and cached now. */
export async function prepareWorkflowBundle(source: WorkflowBundleSource): Promise<PreparedBundle> {
  const codePath = path.join(source.cacheDir, `workflows-${workflowBundleKey(source)}.js`);
  if (existsSync(codePath)) return { codePath, cached: true };
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath: source.workflowsPath,
    workflowInterceptorModules: source.interceptorModules,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  mkdirSync(source.cacheDir, { recursive: true });
  // Write-then-rename: a worker starting beside this one never reads half a bundle.
  const partial = `${codePath}.${process.pid}.partial`;
  writeFileSync(partial, bundle.code);
  renameSync(partial, codePath);
  return { codePath, cached: false };
}

/** Both bundles, so that turning tracing on (OTEL_* env) costs no build at the worker's start. */
async function main(): Promise<void> {
  for (const traced of [false, true]) {
    const started = Date.now();
    const { codePath, cached } = await prepareWorkflowBundle(serviceWorkflowBundleSource({ traced }));
    process.stdout.write(`workflow bundle${traced ? ' (traced)' : ''} ${cached ? 'up to date' : 'built'}: ${codePath} (${Date.now() - started} ms)\n`);
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`workflow bundle failed: ${error.message}\n`);
    process.exit(1);
  });
}
