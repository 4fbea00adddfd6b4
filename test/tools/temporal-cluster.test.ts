import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clusterPorts, MAX_MEMBERSHIP_PORT, nodeEnv } from '../../src/tools/temporal-cluster';
import { parsePinnedVersion, pinnedTemporalVersion, serverCacheDir } from '../../src/tools/temporal-server-build';

const ROOT = path.resolve(__dirname, '../..');

describe('cluster port layout', () => {
  const ports = (p: ReturnType<typeof clusterPorts>) => [p.postgres, ...p.nodes.flatMap((n) => Object.values(n))];

  it('gives PostgreSQL the base and each node its own block, with no port used twice', () => {
    const layout = clusterPorts(17000, 3);
    expect(layout.postgres).toBe(17000);
    expect(layout.nodes.map((n) => n.frontendGrpc)).toEqual([17100, 17200, 17300]);
    expect(new Set(ports(layout)).size).toBe(ports(layout).length);
  });

  it('keeps membership ports below 32768 (Temporal stores them as SMALLINT) for a high base', () => {
    const layout = clusterPorts(54000, 2);
    expect(layout.nodes[0]!.frontendGrpc).toBe(54100);
    const membership = layout.nodes.flatMap((n) => [n.frontendMembership, n.historyMembership, n.matchingMembership, n.workerMembership]);
    expect(Math.max(...membership)).toBeLessThanOrEqual(MAX_MEMBERSHIP_PORT);
    expect(membership).toEqual([21334, 21336, 21338, 21340, 21434, 21436, 21438, 21440]);
    expect(new Set(ports(layout)).size).toBe(ports(layout).length);
  });

  it('hands the server its ports, database and shard count in the official image variables', () => {
    const node = clusterPorts(17000, 2).nodes[1]!;
    const env = nodeEnv(node, { port: 17000, user: 'temporal', password: 'pw' }, 64);
    expect(env).toMatchObject({ DB: 'postgres12', DB_PORT: '17000', POSTGRES_PWD: 'pw', NUM_HISTORY_SHARDS: '64', FRONTEND_GRPC_PORT: '17200', HISTORY_MEMBERSHIP_PORT: '17204' });
    expect(env.DYNAMIC_CONFIG_FILE_PATH).toBe(path.join(ROOT, 'deploy/temporal/dynamicconfig.yaml'));
  });
});

describe('the Temporal server version pin', () => {
  it('is read from one TEMPORAL_VERSION line', () => {
    expect(parsePinnedVersion('# comment\nTEMPORAL_VERSION=1.30.8\n')).toBe('1.30.8');
    expect(() => parsePinnedVersion('TEMPORAL_VERSION=latest\n')).toThrow(/TEMPORAL_VERSION/);
  });

  it('is the only place compose names the temporalio/server and admin-tools tags', () => {
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const tags = [...compose.matchAll(/image: temporalio\/(server|admin-tools):(.+)$/gm)].map((m) => m[2]);
    expect(tags).toHaveLength(3);
    for (const tag of tags) expect(tag).toBe('${TEMPORAL_VERSION:?set in .env}');
    expect(pinnedTemporalVersion(ROOT)).toMatch(/^1\.30\.\d+$/);
  });

  it('keys the per-user build cache by version', () => {
    expect(serverCacheDir('1.30.8', { XDG_CACHE_HOME: '/c' })).toBe('/c/codepay-temporal-server/1.30.8');
  });
});
