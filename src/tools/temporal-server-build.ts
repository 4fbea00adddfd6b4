import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-binaries';

/**
 * The real Temporal server (`temporal-server`, `temporal-sql-tool` and the PostgreSQL schema
 * files) of the version pinned in `.env`, built from source with `go install` once per user and
 * version into ~/.cache/codepay-temporal-server/<version>/, which later clones and CI runs reuse.
 */
export interface TemporalServerInstall {
  version: string;
  dir: string;
  server: string;
  sqlTool: string;
  /** Holds postgresql/v12/{temporal,visibility}, as /etc/temporal/schema in the admin-tools image. */
  schemaDir: string;
}

/** `TEMPORAL_VERSION=1.30.8` from the project's `.env`, the one pin shared with docker-compose.yml. */
export function parsePinnedVersion(dotEnv: string): string {
  const match = /^TEMPORAL_VERSION=(\d+\.\d+\.\d+)\s*$/m.exec(dotEnv);
  if (!match) throw new Error('.env has no TEMPORAL_VERSION=<major.minor.patch> line');
  return match[1]!;
}

export function pinnedTemporalVersion(root: string = PROJECT_ROOT): string {
  return parsePinnedVersion(readFileSync(path.join(root, '.env'), 'utf8'));
}

export function serverCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'codepay-temporal-server', version);
}

function installAt(dir: string, version: string): TemporalServerInstall {
  return {
    version,
    dir,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: path.join(dir, 'schema'),
  };
}

const MODULE = 'go.temporal.io/server';

/** Returns the cached build, or builds it (about 8 min cold on 2 cores), reporting progress. */
export async function ensureTemporalServer(version: string, say: (line: string) => void): Promise<TemporalServerInstall> {
  const dir = serverCacheDir(version);
  const install = installAt(dir, version);
  if ([install.server, install.sqlTool, path.join(install.schemaDir, 'postgresql', 'v12')].every((f) => existsSync(f))) return install;

  const go = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(`building temporal-server ${version} needs Go (https://go.dev/dl; the module's go.mod names the minimum version): ${go.error?.message ?? go.stderr}`);
  }
  const staging = `${dir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'bin'), { recursive: true });
  say(`building temporal-server ${version} with go install into ${dir} (once per version; ~8 min cold on 2 cores)`);
  await goInstall(version, path.join(staging, 'bin'), say);
  renameSync(path.join(staging, 'bin', 'server'), path.join(staging, 'bin', 'temporal-server'));
  renameSync(path.join(staging, 'bin', 'sql'), path.join(staging, 'bin', 'temporal-sql-tool'));
  const moduleDir = path.join(go.stdout.trim(), `${MODULE}@v${version}`);
  cpSync(path.join(moduleDir, 'schema', 'postgresql'), path.join(staging, 'schema', 'postgresql'), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  say(`temporal-server ${version} built`);
  return install;
}

function goInstall(version: string, gobin: string, say: (line: string) => void): Promise<void> {
  const child = spawn('go', ['install', '-v', `${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/tools/sql@v${version}`], {
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const started = Date.now();
  let packages = 0;
  const tail: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (!line.startsWith('go: downloading')) packages += 1;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  const ticker = setInterval(() => say(`  building… ${Math.round((Date.now() - started) / 1000)} s, ${packages} packages compiled`), 15_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go install of temporal-server ${version} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}
