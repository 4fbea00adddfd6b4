import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { temporal as proto } from '@temporalio/proto';
import { z } from 'zod';
import { requireBinaryPath, TEMPORAL_CLI } from '../../src/tools/temporal-binaries';
import { devServerSearchAttributeArgs, PAYMENT_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { connectTestTemporal, TestTemporal } from '../harness/temporal';

const ROOT = path.resolve(__dirname, '../..');
const VALIDATE = path.join(ROOT, 'scripts/validate-compose.sh');
const SETUP_NAMESPACE = path.join(ROOT, 'deploy/temporal/setup-namespace.sh');
const run = promisify(execFile);

/** The parts of a resolved compose service these checks read. */
const ServiceSchema = z.object({
  build: z.unknown().optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  deploy: z.object({ replicas: z.number().int().optional() }).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  environment: z.record(z.string(), z.string().nullable()).optional(),
  secrets: z.array(z.object({ source: z.string(), target: z.string().optional() })).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  volumes: z.array(z.unknown()).optional(),
});
const ComposeSchema = z.object({
  services: z.record(z.string(), ServiceSchema),
  secrets: z.record(z.string(), z.object({ file: z.string() })).optional(),
});
type Service = z.infer<typeof ServiceSchema>;

function dockerComposePath(): string {
  const found = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  const file = found.stdout.trim();
  if (found.status !== 0 || !file) {
    throw new Error(
      'docker-compose is not installed: the compose file cannot be validated. ' +
        'Install the Debian package docker-compose (scripts/install-system-deps.sh does).',
    );
  }
  return file;
}

/**
 * The resolved configuration as JSON. Compose v1 (Python) has no JSON output, so its own
 * interpreter, which always has PyYAML, converts the YAML; Compose v2 prints JSON itself.
 */
function resolvedCompose(): z.infer<typeof ComposeSchema> {
  const firstLine = readFileSync(dockerComposePath(), 'latin1').split('\n', 1)[0] ?? '';
  const python = /^#!\s*(\S*python\S*)/.exec(firstLine)?.[1];
  const printed = spawnSync('bash', [VALIDATE, '--print', ...(python ? [] : ['--format', 'json'])], {
    encoding: 'utf8',
  });
  if (printed.status !== 0) throw new Error(`docker-compose config failed:\n${printed.stderr}`);
  let json = printed.stdout;
  if (python) {
    const converted = spawnSync(python, ['-c', 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
      input: printed.stdout,
      encoding: 'utf8',
    });
    if (converted.status !== 0) throw new Error(`YAML to JSON failed:\n${converted.stderr}`);
    json = converted.stdout;
  }
  return ComposeSchema.parse(JSON.parse(json));
}

function service(compose: z.infer<typeof ComposeSchema>, name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`service ${name} is missing`);
  return found;
}

/** `Name=Type` pairs of the payment search attributes, as the CLI spells them. */
const expectedSearchAttributes = devServerSearchAttributeArgs().filter((arg) => arg !== '--search-attribute');

describe('docker-compose.yml', () => {
  it('passes `docker-compose config -q` through scripts/validate-compose.sh', () => {
    dockerComposePath();
    const result = spawnSync('bash', [VALIDATE], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  describe('resolved', () => {
    let compose: z.infer<typeof ComposeSchema>;
    beforeAll(() => {
      compose = resolvedCompose();
    });

    it('runs Prometheus on the alert rules, Jaeger for the services\' OTLP and Grafana with the dashboard', () => {
      expect(service(compose, 'prometheus').volumes).toContainEqual(expect.stringMatching(/deploy\/prometheus:\/etc\/prometheus:ro$/));
      expect(service(compose, 'grafana').volumes).toContainEqual(expect.stringMatching(/deploy\/grafana\/dashboards:\/var\/lib\/grafana\/dashboards:ro$/));
      expect(service(compose, 'grafana').volumes).toContainEqual(expect.stringMatching(/deploy\/grafana\/provisioning:\/etc\/grafana\/provisioning:ro$/));
      expect(service(compose, 'jaeger').image).toMatch(/^jaegertracing\/all-in-one:/);
      for (const name of ['api', 'worker', 'sandbox']) expect({ name, endpoint: service(compose, name).environment?.OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ name, endpoint: 'http://jaeger:4318' });
    });

    it('runs two worker replicas', () => {
      expect(service(compose, 'worker').deploy?.replicas).toBe(2);
    });

    it('builds the worker, API and sandbox from the one image, each with its command', () => {
      const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
      expect(Object.fromEntries(ours.map(([name, s]) => [name, s.command]))).toEqual({
        worker: ['node', 'dist/worker.js'],
        api: ['node', 'dist/api/server.js'],
        sandbox: ['node', 'dist/sandbox/server.js'],
      });
      expect(new Set(ours.map(([, s]) => s.image)).size).toBe(1);
    });

    it('binds our containers to every interface (the processes default to loopback)', () => {
      for (const name of ['api', 'worker', 'sandbox']) {
        expect({ name, bindHost: service(compose, name).environment?.BIND_HOST }).toEqual({ name, bindHost: '0.0.0.0' });
      }
    });

    it('gives every service of ours a healthcheck on its own endpoint', () => {
      const probe = (name: string) => service(compose, name).healthcheck?.test.join(' ');
      expect(probe('api')).toContain('http://127.0.0.1:3000/healthz');
      expect(probe('sandbox')).toContain('http://127.0.0.1:3100/sandbox/keys');
      expect(probe('worker')).toContain(`http://127.0.0.1:${service(compose, 'worker').environment?.WORKER_METRICS_PORT}/metrics`);
    });

    it('waits for healthy or completed dependencies that can report it', () => {
      for (const [name, s] of Object.entries(compose.services)) {
        for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
          const target = service(compose, dependency);
          if (condition === 'service_healthy') expect({ name, dependency, healthcheck: !!target.healthcheck }).toEqual({ name, dependency, healthcheck: true });
          else expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_completed_successfully' });
        }
      }
      for (const name of ['worker', 'api']) {
        expect(service(compose, name).depends_on?.['temporal-admin']?.condition).toBe('service_completed_successfully');
      }
    });

    it('mounts keys as secret files and never inlines one', () => {
      const secrets = compose.secrets ?? {};
      for (const [name, s] of Object.entries(compose.services)) {
        const mounted = new Set((s.secrets ?? []).map((m) => `/run/secrets/${m.target ?? m.source}`));
        for (const [key, value] of Object.entries(s.environment ?? {})) {
          if (!/(_KEY_FILE|_KEYS_FILE|_SECRET_FILE)$/.test(key)) continue;
          // Empty means unset, as in src/config.ts.
          for (const file of (value ?? '').split(',').map((f) => f.trim()).filter(Boolean)) {
            expect({ name, key, file, mounted: mounted.has(file) }).toEqual({ name, key, file, mounted: true });
          }
        }
        for (const m of s.secrets ?? []) expect(secrets).toHaveProperty(m.source);
      }
      // Only the workers sign: the API verifies notifications and needs no merchant private key.
      expect(service(compose, 'api').secrets?.map((m) => m.source)).toEqual(['codepay_gateway_public_key', 'api_keys', 'operator_api_keys', 'api_cursor_secret']);
      // One cursor key for every API replica: a cursor one replica signed works on the others.
      expect(service(compose, 'api').environment?.API_CURSOR_SECRET_FILE).toBe('/run/secrets/api_cursor_secret');
      // API keys and the webhook secret are files too (re-read while running), never env files.
      expect(service(compose, 'worker').environment?.MERCHANT_WEBHOOK_SECRET_FILE).toBe('/run/secrets/merchant_webhook_secret');
      for (const s of Object.values(compose.services)) expect(s.environment?.API_KEYS ?? s.environment?.MERCHANT_WEBHOOK_SECRET).toBeUndefined();
      const texts = [readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), JSON.stringify(compose)];
      for (const text of texts) {
        expect(text).not.toMatch(/-----BEGIN [A-Z ]*KEY-----/);
        // A bare base64 DER key (keys.ts accepts those) is hundreds of base64 characters long.
        expect(text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
      }
    });

    it('keeps secrets out of the image build context', () => {
      const rules = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
      expect(rules[0]).toBe('**');
      expect(rules.filter((r) => r.startsWith('!') && /secret|\.pem|\.env/.test(r))).toEqual([]);
    });

    it('has the admin step register exactly the payment search attributes', () => {
      const admin = service(compose, 'temporal-admin');
      expect(admin.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
      expect(admin.entrypoint).toEqual(['/bin/sh', '/deploy/setup-namespace.sh']);
      expect(admin.volumes).toContainEqual(expect.stringMatching(/deploy\/temporal\/setup-namespace\.sh:\/deploy\/setup-namespace\.sh:ro$/));
      const declared = (admin.environment?.PAYMENT_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean);
      expect(declared.sort()).toEqual([...expectedSearchAttributes].sort());
      expect(declared).toHaveLength(PAYMENT_SEARCH_ATTRIBUTES.length);
    });

    it('pins every image tag, the Dockerfile base image too', () => {
      // prom/prometheus tags carry a `v`.
      const pinned = /^[a-z0-9/._-]+:v?\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?$/;
      for (const [name, s] of Object.entries(compose.services)) {
        if (s.build !== undefined) continue;
        expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(pinned) });
      }
      const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
      expect(/^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1]).toMatch(pinned);
    });
  });
});

describe('deploy/temporal/setup-namespace.sh against a real Temporal server', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  const setUp = (namespace: string, attributes = expectedSearchAttributes) =>
    run('sh', [SETUP_NAMESPACE], {
      env: {
        PATH: `${path.dirname(requireBinaryPath(TEMPORAL_CLI))}:${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: namespace,
        NAMESPACE_RETENTION: '24h',
        PAYMENT_SEARCH_ATTRIBUTES: attributes.join(' '),
      },
    });

  it('creates the namespace and registers the search attributes, and is safe to re-run', async () => {
    const namespace = `deploy-test-${randomUUID()}`;
    const first = await setUp(namespace);
    expect(first.stdout).toContain(`namespace ${namespace} created`);
    const rerun = await setUp(namespace);
    expect(rerun.stdout).toContain(`namespace ${namespace} exists`);
    expect(rerun.stdout).not.toContain('created');

    const { customAttributes } = await temporal.client.connection.operatorService.listSearchAttributes({ namespace });
    const IndexedValueType = proto.api.enums.v1.IndexedValueType;
    expect(customAttributes).toEqual(
      Object.fromEntries(
        PAYMENT_SEARCH_ATTRIBUTES.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
      ),
    );
  }, 120_000);

  it('fails when an attribute exists with another type', async () => {
    const namespace = `deploy-test-${randomUUID()}`;
    await setUp(namespace);
    await expect(setUp(namespace, ['AmountMinor=Keyword'])).rejects.toMatchObject({ code: 1 });
  }, 120_000);
});
