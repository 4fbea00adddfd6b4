import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { devServerSearchAttributeArgs } from '../workflows/search-attributes';
import { waitForTemporal } from './dev-server';
import { postgresBinDir, startPostgres, type Postgres } from './postgres';
import type { ExternalTemporal } from './stack';
import { requireBinaryPath, PROJECT_ROOT, TEMPORAL_CLI } from './temporal-binaries';
import { ensureTemporalServer, pinnedTemporalVersion, type TemporalServerInstall } from './temporal-server-build';

/**
 * The production engine on one machine: PostgreSQL plus N `temporal-server` processes, each
 * running all four roles (frontend, history, matching, worker) on its own ports, which find each
 * other through the `cluster_membership` table and share the history shards between them. Set up
 * by the same deploy/temporal/*.sh scripts as docker-compose.yml. `npm run cluster` runs it; the
 * CI cluster tier, chaos and bench start it and kill/restart its nodes and its database.
 */
export interface ClusterOptions {
  nodes: number;
  /** PostgreSQL on portBase, node i's ports from portBase + 100 × i (see clusterPorts). */
  portBase: number;
  /** PostgreSQL's data and the nodes' logs; kept, so a second run resumes the same cluster. */
  dataDir: string;
  /** Fixed when the database is created (docs/operations.md, "History shards"). */
  historyShards?: number;
  /** Created with the payment search attributes (default `default`). */
  namespace?: string;
  say?: (line: string) => void;
  onOutput?: (name: string, line: string) => void;
}

export const DEFAULT_HISTORY_SHARDS = 64;

export interface NodePorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

export interface ClusterPorts {
  postgres: number;
  nodes: NodePorts[];
}

/**
 * Temporal's SQL schema keeps a member's port in a SMALLINT (cluster_membership.rpc_port), so
 * membership ports must stay below 32768: above that the node dies with "value out of range for
 * type smallint". A port base above 32767 puts them 32768 lower (54000 → 21232).
 */
export const MAX_MEMBERSHIP_PORT = 32_767;

/** PostgreSQL on `portBase`; node i (1-based) on portBase + 100·i + 0…8 (membership ports maybe lower, see above). */
export function clusterPorts(portBase: number, nodes: number): ClusterPorts {
  const membershipShift = portBase + 100 * nodes + 8 > MAX_MEMBERSHIP_PORT ? 32_768 : 0;
  return {
    postgres: portBase,
    nodes: Array.from({ length: nodes }, (_, i) => {
      const base = portBase + 100 * (i + 1);
      const membership = base - membershipShift;
      return {
        frontendGrpc: base,
        frontendHttp: base + 1,
        frontendMembership: membership + 2,
        historyGrpc: base + 3,
        historyMembership: membership + 4,
        matchingGrpc: base + 5,
        matchingMembership: membership + 6,
        workerGrpc: base + 7,
        workerMembership: membership + 8,
      };
    }),
  };
}

/** The official image's variables (the server's embedded config template reads them). */
export function nodeEnv(ports: NodePorts, db: { port: number; user: string; password: string }, historyShards: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    DB: 'postgres12',
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(db.port),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    NUM_HISTORY_SHARDS: String(historyShards),
    DYNAMIC_CONFIG_FILE_PATH: path.join(PROJECT_ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'),
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

export interface ClusterNode {
  index: number;
  frontend: string;
  process: ChildProcess;
}

export interface TemporalCluster {
  version: string;
  /** Node 1's frontend: what TEMPORAL_ADDRESS points at. */
  address: string;
  nodes: ClusterNode[];
  postgres: Postgres;
  /** Stops node i (1-based) with `signal` (SIGKILL: a crash) and waits for it to exit. */
  stopNode(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node i again and waits until its frontend answers and it has rejoined. */
  startNode(index: number): Promise<void>;
  restartPostgres(): Promise<void>;
  /** Server process ids by name (`temporal-node-1`, …, `postgres`), for CPU figures. */
  pids(): Map<string, number | undefined>;
  stop(): Promise<void>;
}

const DB_USER = 'temporal';

export async function startTemporalCluster(options: ClusterOptions): Promise<TemporalCluster> {
  const say = options.say ?? (() => undefined);
  const output = options.onOutput ?? (() => undefined);
  const historyShards = options.historyShards ?? DEFAULT_HISTORY_SHARDS;
  const ports = clusterPorts(options.portBase, options.nodes);
  const install = await ensureTemporalServer(pinnedTemporalVersion(), say);

  say(`starting PostgreSQL on 127.0.0.1:${ports.postgres} (data ${path.join(options.dataDir, 'postgres')})`);
  const postgres = await startPostgres({ dir: path.join(options.dataDir, 'postgres'), port: ports.postgres, user: DB_USER, onOutput: (line) => output('postgres', line) });
  const nodes: ClusterNode[] = [];
  const exits = new Map<number, Promise<void>>();
  const db = { port: postgres.port, user: postgres.user, password: postgres.password };

  const stopNode = async (index: number, signal: NodeJS.Signals = 'SIGTERM') => {
    const node = nodes[index - 1];
    if (!node || node.process.exitCode !== null || node.process.signalCode !== null) return;
    node.process.kill(signal);
    const timer = setTimeout(() => node.process.kill('SIGKILL'), 20_000);
    await exits.get(index);
    clearTimeout(timer);
  };
  const launch = (index: number): ClusterNode => {
    const nodePorts = ports.nodes[index - 1]!;
    const child = spawn(install.server, ['start'], { env: nodeEnv(nodePorts, db, historyShards), stdio: ['ignore', 'pipe', 'pipe'] });
    const name = `temporal-node-${index}`;
    const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => output(name, line));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    exits.set(index, new Promise((resolve) => child.once('exit', () => resolve())));
    const node = { index, frontend: `127.0.0.1:${nodePorts.frontendGrpc}`, process: child };
    nodes[index - 1] = node;
    return node;
  };
  const ready = async (node: ClusterNode) => {
    const exited = exits.get(node.index)!.then(() => {
      throw new Error(`temporal-server node ${node.index} exited while starting (code ${node.process.exitCode}); see its log`);
    });
    await Promise.race([waitForTemporal(node.frontend, 120_000), exited]);
    void exited.catch(() => undefined);
  };

  const cluster: TemporalCluster = {
    version: install.version,
    address: `127.0.0.1:${ports.nodes[0]!.frontendGrpc}`,
    nodes,
    postgres,
    stopNode,
    async startNode(index) {
      const node = launch(index);
      await ready(node);
      await waitForMembership(db, ports.nodes.length);
    },
    async restartPostgres() {
      await postgres.stop();
      await postgres.start();
    },
    pids() {
      const pids = new Map<string, number | undefined>(nodes.map((n) => [`temporal-node-${n.index}`, n.process.pid]));
      pids.set('postgres', postgres.process().pid);
      return pids;
    },
    async stop() {
      await Promise.all(nodes.map((n) => stopNode(n.index)));
      await postgres.stop();
    },
  };

  try {
    say('creating the Temporal databases and schemas (deploy/temporal/setup-schema.sh)');
    runDeployScript('setup-schema.sh', install, {
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(db.port),
      POSTGRES_USER: db.user,
      POSTGRES_PWD: db.password,
    });
    say(`starting ${options.nodes} temporal-server ${install.version} nodes (${historyShards} history shards)`);
    // Node 1 alone first: on a new database every node would try to write the cluster metadata,
    // and all but one die on the duplicate key.
    await ready(launch(1));
    await Promise.all(ports.nodes.slice(1).map((_, i) => ready(launch(i + 2))));
    say('waiting for every node to join the membership ring');
    await waitForMembership(db, ports.nodes.length);
    say('creating the namespace and the search attributes (deploy/temporal/setup-namespace.sh)');
    runDeployScript('setup-namespace.sh', install, {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
      PAYMENT_SEARCH_ATTRIBUTES: devServerSearchAttributeArgs().filter((a) => a !== '--search-attribute').join(' '),
    });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Runs one of deploy/temporal/*.sh as the admin-tools image would, with the built tools on PATH. */
function runDeployScript(script: string, install: TemporalServerInstall, env: NodeJS.ProcessEnv): void {
  const tools = [path.dirname(install.sqlTool), path.dirname(requireBinaryPath(TEMPORAL_CLI))];
  const result = spawnSync('sh', [path.join(PROJECT_ROOT, 'deploy', 'temporal', script)], {
    env: { PATH: [...tools, process.env.PATH].join(path.delimiter), HOME: process.env.HOME, TEMPORAL_SCHEMA_DIR: install.schemaDir, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`deploy/temporal/${script} failed:\n${result.stdout}${result.stderr}`);
}

/** Members that sent a heartbeat lately, per role (1 frontend, 2 history, 3 matching, 4 worker); the table keeps UTC times without a zone. */
const LIVE_MEMBERS_SQL = `SELECT role, count(DISTINCT rpc_port) FROM cluster_membership WHERE last_heartbeat > (now() AT TIME ZONE 'UTC') - interval '20 seconds' GROUP BY role`;

/** Live members per role in the cluster_membership table. */
function membersByRole(db: { port: number; user: string; password: string }): Map<number, number> {
  const result = spawnSync(
    path.join(postgresBinDir(), 'psql'),
    ['-h', '127.0.0.1', '-p', String(db.port), '-U', db.user, '-d', 'temporal', '-At', '-F', ' ', '-c', LIVE_MEMBERS_SQL],
    { env: { ...process.env, PGPASSWORD: db.password }, encoding: 'utf8' },
  );
  const counts = new Map<number, number>();
  if (result.status !== 0) return counts;
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const [role, count] = line.split(' ').map(Number);
    counts.set(role!, count!);
  }
  return counts;
}

async function waitForMembership(db: { port: number; user: string; password: string }, nodes: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let counts = new Map<number, number>();
  while (Date.now() < deadline) {
    counts = membersByRole(db);
    if ([1, 2, 3, 4].every((role) => (counts.get(role) ?? 0) >= nodes)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the nodes did not all join within ${timeoutMs} ms (members by role: ${JSON.stringify([...counts])})`);
}

/** Where chaos and bench runs put their cluster: 6000 above their --base-port (clear of the stack's ports). */
export const RUN_CLUSTER_PORT_OFFSET = 6000;

/**
 * The cluster as a stack's Temporal: a restart SIGKILLs the last node (a crash, while node 1,
 * which the clients dial, keeps serving) and starts it again; the database restart is PostgreSQL's.
 */
export function clusterAsExternalTemporal(cluster: TemporalCluster): ExternalTemporal {
  const last = cluster.nodes.length;
  return {
    address: cluster.address,
    async restart() {
      await cluster.stopNode(last, 'SIGKILL');
      await cluster.startNode(last);
    },
    restartDatabase: () => cluster.restartPostgres(),
    pids: () => cluster.pids(),
  };
}
