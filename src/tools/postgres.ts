import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, statSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A private PostgreSQL server (Debian's packaged binaries) in its own data folder and port, with
 * password (SCRAM) authentication for every connection, run as a child process so it can be
 * stopped and restarted. PostgreSQL refuses to run as root, so under root (CI) it runs as the
 * `postgres` user the Debian package creates.
 */
export interface PostgresOptions {
  /** Holds `pgdata/` and the generated password file; kept across runs. */
  dir: string;
  port: number;
  user: string;
  onOutput?: (line: string) => void;
}

export interface Postgres {
  port: number;
  user: string;
  password: string;
  process(): ChildProcess;
  /** Fast shutdown (SIGINT), or SIGKILL to simulate a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

/** The newest PostgreSQL server binaries Debian installed. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const bin = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .find((dir) => existsSync(path.join(dir, 'postgres')));
  if (!bin) throw new Error('PostgreSQL is not installed; run `bash scripts/install-system-deps.sh --cluster`');
  return bin;
}

/**
 * The postgres user must reach pgdata through every folder above it, which may be root's 0700
 * temp dirs: grants them search (o+x, not listing) where it is missing.
 */
function allowTraversal(dir: string, log?: (line: string) => void): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(current, mode | 0o001);
      log?.(`granted other users search (o+x) on ${current} so that the postgres user reaches its data`);
    }
    if (current === path.dirname(current)) return;
  }
}

/** Under root: the uid/gid of the `postgres` user, which then owns the data folder. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid === 0) throw new Error('running as root needs the `postgres` user (Debian package postgresql)');
  return { uid, gid };
}

function command(bin: string, args: string[], user: { uid: number; gid: number } | undefined): [string, string[]] {
  return user ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', bin, ...args]] : [bin, args];
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = runAs();
  const pgdata = path.join(options.dir, 'pgdata');
  const passwordFile = path.join(options.dir, 'postgres-password');
  mkdirSync(options.dir, { recursive: true });
  if (user) allowTraversal(options.dir, options.onOutput);
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    rmSync(pgdata, { recursive: true, force: true });
    mkdirSync(pgdata, { mode: 0o700 });
    const pwfile = path.join(options.dir, '.initdb-password');
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (user) {
      chownSync(pgdata, user.uid, user.gid);
      chownSync(pwfile, user.uid, user.gid);
    }
    const initArgs = ['-D', pgdata, '-U', options.user, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '-E', 'UTF8', '--no-instructions'];
    const [cmd, args] = command(path.join(bin, 'initdb'), initArgs, user);
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  }

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const postgres: Postgres = {
    port: options.port,
    user: options.user,
    password,
    process: () => {
      if (!child) throw new Error('PostgreSQL is not running');
      return child;
    },
    async start() {
      // Two Temporal nodes × four services × their pools need more than the default 100.
      const serverArgs = ['-D', pgdata, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${pgdata}`, '-c', 'max_connections=400'];
      const [cmd, args] = command(path.join(bin, 'postgres'), serverArgs, user);
      const started = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => options.onOutput?.(line));
      started.stdout?.on('data', forward);
      started.stderr?.on('data', forward);
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      await waitUntilAccepting(bin, options.port, exited);
    },
    async stop(signal = 'SIGINT') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await postgres.start();
  return postgres;
}

/** Resolves once PostgreSQL accepts connections (`pg_isready`); fails if it exits first. */
async function waitUntilAccepting(bin: string, port: number, exited: Promise<void>, timeoutMs = 60_000): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`PostgreSQL on port ${port} exited while starting (see its log)`);
    if (spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`PostgreSQL on port ${port} not ready after ${timeoutMs} ms`);
}
