/**
 * `npm run cluster -- [--nodes N] [--port-base P] [--data DIR] [--history-shards S]`: PostgreSQL
 * and N real temporal-server nodes forming one cluster (src/tools/temporal-cluster.ts). Prints
 * `NODE <i> pid=<pid> frontend=<host:port>` per node, then `TEMPORAL_ADDRESS=<node 1>`, and
 * stops everything on SIGINT/SIGTERM. Progress and logs' locations go to stderr.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_HISTORY_SHARDS, startTemporalCluster, type TemporalCluster } from '../../src/tools/temporal-cluster';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';

export const ClusterCliSchema = z.object({
  nodes: z.coerce.number().int().min(1).max(9),
  portBase: z.coerce.number().int().min(1024).max(64_000),
  data: z.string().min(1),
  historyShards: z.coerce.number().int().min(1).max(16_384),
});

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '2' },
      'port-base': { type: 'string', default: '17000' },
      data: { type: 'string', default: path.join(PROJECT_ROOT, '.data', 'cluster') },
      'history-shards': { type: 'string', default: String(DEFAULT_HISTORY_SHARDS) },
    },
    strict: true,
  });
  return ClusterCliSchema.parse({ nodes: values.nodes, portBase: values['port-base'], data: path.resolve(values.data), historyShards: values['history-shards'] });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const say = (line: string) => void process.stderr.write(`cluster: ${line}\n`);
  const logDir = path.join(options.data, 'logs');
  mkdirSync(logDir, { recursive: true });
  say(`data in ${options.data}, logs in ${logDir}`);
  // A signal while starting stops everything as soon as the start has finished (nothing orphaned).
  const state: { cluster?: TemporalCluster; stopping: boolean } = { stopping: false };
  const stop = async (signal: string) => {
    if (state.stopping && signal !== 'started') return;
    state.stopping = true;
    if (!state.cluster) {
      say(`${signal}: stopping once the start has finished`);
      return;
    }
    say(`${signal === 'started' ? 'interrupted' : signal}: stopping the nodes and PostgreSQL`);
    await state.cluster.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const cluster = await startTemporalCluster({
    nodes: options.nodes,
    portBase: options.portBase,
    dataDir: options.data,
    historyShards: options.historyShards,
    namespace: process.env.TEMPORAL_NAMESPACE,
    say,
    onOutput: (name, line) => appendFileSync(path.join(logDir, `${name}.log`), `${line}\n`),
  });
  state.cluster = cluster;
  if (state.stopping) return stop('started');
  for (const node of cluster.nodes) {
    process.stdout.write(`NODE ${node.index} pid=${node.process.pid} frontend=${node.frontend}\n`);
    void new Promise((resolve) => node.process.once('exit', resolve)).then(() => {
      if (!state.stopping) say(`node ${node.index} exited (code ${node.process.exitCode ?? node.process.signalCode}); the others go on`);
    });
  }
  process.stdout.write(`TEMPORAL_ADDRESS=${cluster.address}\n`);
  say(`ready: temporal-server ${cluster.version}, PostgreSQL on 127.0.0.1:${cluster.postgres.port}. Ctrl-C stops it.`);
  say(`  run the service against it: TEMPORAL_ADDRESS=${cluster.address} npm start`);
}

main().catch((err: Error) => {
  process.stderr.write(`cluster failed: ${err.message}\n`);
  process.exit(1);
});
