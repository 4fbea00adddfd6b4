import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createExpiryWarnings } from '../../src/api/api-keys';
import { createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import { LiveFiles } from '../../src/secrets/live-file';
import { parseApiKeyList } from '../../src/secrets/api-key-list';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, listen } from './support/api-stack';
import { replaceFile } from '../support/replace-file';

const hex = (key: string) => createHash('sha256').update(key).digest('hex');
const id = (key: string) => hex(key).slice(0, 12);
const PLAIN = 'sk_live_rotation_plain_0001';
const EXPIRED = 'sk_live_rotation_expired_0002';
const DIGESTED = 'sk_live_rotation_digest_0003';
const NEXT = 'sk_live_rotation_next_0004';
const OPERATOR = 'op_live_rotation_operator_0005';
const IN_THREE_DAYS = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();

/**
 * Issue 25's "Done when", against the real app and the run's dev server: API_KEYS_FILE holding a
 * plain key, an expired key and a sha256: digest; then replaced by rename, with no restart.
 */
describe('API key files (in-process app, real dev server)', () => {
  let temporal: TestTemporal;
  let server: Awaited<ReturnType<typeof listen>>;
  let files: LiveFiles;
  const dir = mkdtempSync(path.join(tmpdir(), 'api-key-files-'));
  const keyFile = path.join(dir, 'api-keys');
  const operatorFile = path.join(dir, 'operator-keys');
  const logged: { fields: Record<string, unknown>; message: string }[] = [];

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    writeFileSync(
      keyFile,
      [
        '# merchant keys of the rotation test',
        PLAIN,
        `${EXPIRED} 2026-01-01T00:00:00Z`,
        `sha256:${hex(DIGESTED)} ${IN_THREE_DAYS}`,
      ].join('\n'),
    );
    writeFileSync(operatorFile, `${OPERATOR}\n`);
    const record = (fields: Record<string, unknown>, message: string) => logged.push({ fields, message });
    // The default poll (1 s): the test measures what the service does, not a test-only setting.
    files = new LiveFiles({ logger: { info: record, error: record } });
    const gatewayKeys = [generateTestKeyPair().publicKey];
    server = await listen((url) =>
      createApp({
        config: { ...apiConfig(url, 'api-key-files'), apiKeys: [], operatorApiKeys: [], apiKeyFiles: { merchant: keyFile, operator: operatorFile } },
        clients: { temporal: temporal.client },
        gatewayPublicKeys: () => gatewayKeys,
        files,
        logger: pino({ enabled: false }),
        metrics: createApiMetrics({ processMetrics: false }),
      }),
    );
  });
  afterAll(async () => {
    files?.close();
    await server?.close();
    await temporal?.close();
  });

  const list = (key: string) => fetch(`${server.url}/v1/payments?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  const answer = async (key: string) => {
    const response = await list(key);
    return { status: response.status, body: (await response.json()) as unknown, challenge: response.headers.get('www-authenticate') };
  };
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const readiness = async () => (await (await fetch(`${server.url}/readyz`)).json()) as { secretFiles: unknown[] };

  it('takes the plain key and the digest, refuses the expired key with the same 401 as an unknown key', async () => {
    expect((await answer(PLAIN)).status).toBe(200);
    expect((await answer(DIGESTED)).status).toBe(200);
    const expired = await answer(EXPIRED);
    const unknown = await answer('sk_live_nobody_knows_this');
    expect(expired.status).toBe(401);
    expect(expired).toEqual(unknown);
    expect(expired.challenge).toBe('Bearer realm="codepay-payments"');
    // The digest line is not itself a key.
    expect((await answer(`sha256:${hex(DIGESTED)}`)).status).toBe(401);
  });

  it('reads operator keys from their file: a merchant key is forbidden there (even if also listed as an operator key), an unknown one unauthorized', async () => {
    const review = (key: string) =>
      fetch(`${server.url}/v1/payments/NO-SUCH-PAYMENT/review`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'close_as_failed', reason: 'rotation test' }),
      });
    expect((await review(PLAIN)).status).toBe(403);
    expect((await review('op_live_nobody')).status).toBe(401);
    // Past the key check: the payment does not exist.
    expect((await review(OPERATOR)).status).toBe(404);
    // A merchant key copied into the operator file stays a merchant key.
    replaceFile(operatorFile, `${OPERATOR}\n${PLAIN}\n`);
    files.checkAll();
    expect(files.statuses().find((s) => s.variable === 'OPERATOR_API_KEYS_FILE')).toMatchObject({ ok: true });
    expect((await review(PLAIN)).status).toBe(403);
    expect((await review(OPERATOR)).status).toBe(404);
  });

  it('shows each expiring key by id: a gauge of seconds left (negative once expired), and each file as taken', async () => {
    const text = await metrics();
    const seconds = (key: string) => Number(new RegExp(`api_key_expiry_seconds\\{key_id="${id(key)}",role="merchant"\\} (-?\\d+)`).exec(text)?.[1]);
    expect(seconds(DIGESTED)).toBeGreaterThan(3 * 24 * 3600 - 120);
    expect(seconds(DIGESTED)).toBeLessThanOrEqual(3 * 24 * 3600);
    expect(seconds(EXPIRED)).toBeLessThan(0);
    // No expiry, no series.
    expect(text).not.toContain(id(PLAIN));
    expect(text).toContain(`secret_file_last_reload_successful{variable="API_KEYS_FILE",file="${keyFile}"} 1`);
    expect(text).not.toContain('sk_live');
  });

  it('replaced by rename with one new key: the new key works and the old ones fail within 15 s, with no restart', async () => {
    const started = Date.now();
    replaceFile(keyFile, `${NEXT}\n`);
    let newWorks = false;
    let oldFails = false;
    while (Date.now() - started < 15_000 && !(newWorks && oldFails)) {
      newWorks = (await list(NEXT)).status === 200;
      oldFails = (await list(PLAIN)).status === 401 && (await list(DIGESTED)).status === 401;
      if (!(newWorks && oldFails)) await new Promise((r) => setTimeout(r, 100));
    }
    const tookMs = Date.now() - started;
    expect({ newWorks, oldFails }).toEqual({ newWorks: true, oldFails: true });
    expect(tookMs).toBeLessThan(15_000);
    expect(logged).toContainEqual({ fields: { variable: 'API_KEYS_FILE', file: keyFile }, message: 'secret file reloaded' });
  });

  it('keeps the last good keys when the file is malformed, and says so in the log, /metrics and /readyz', async () => {
    replaceFile(keyFile, `${NEXT}\nsk_live_half_written 2027-13-45\n`);
    const refused = { variable: 'API_KEYS_FILE', file: keyFile, ok: false, error: 'line 2: the expiry is not an ISO-8601 instant with an offset (2027-01-31T00:00:00Z)' };
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !JSON.stringify((await readiness()).secretFiles).includes('"ok":false')) await new Promise((r) => setTimeout(r, 100));
    expect((await readiness()).secretFiles).toContainEqual(refused);
    expect((await list(NEXT)).status).toBe(200);
    expect((await list('sk_live_half_written')).status).toBe(401);
    expect(await metrics()).toContain(`secret_file_last_reload_successful{variable="API_KEYS_FILE",file="${keyFile}"} 0`);
    expect(logged).toContainEqual({ fields: { variable: 'API_KEYS_FILE', file: keyFile, error: refused.error }, message: 'secret file refused: keeping the last good value' });
    expect(JSON.stringify(logged)).not.toContain('sk_live');

    replaceFile(keyFile, `${NEXT}\n`);
    const fixedBy = Date.now() + 15_000;
    while (Date.now() < fixedBy && JSON.stringify((await readiness()).secretFiles).includes('"ok":false')) await new Promise((r) => setTimeout(r, 100));
    expect((await readiness()).secretFiles).toContainEqual({ variable: 'API_KEYS_FILE', file: keyFile, ok: true });
  });
});

describe('API key expiry warnings', () => {
  it('warns of a key within 7 days of its expiry and of an expired one, once a day each, by id', () => {
    const now = Date.parse('2026-12-06T00:00:00Z');
    const merchant = parseApiKeyList(['sk_in_eight_days 2026-12-14T00:00:00Z', 'sk_in_three_days 2026-12-09T00:00:00Z', 'sk_no_expiry']);
    const operator = parseApiKeyList(['op_expired_key 2026-12-01T00:00:00Z']);
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const warn = createExpiryWarnings({ merchant: { current: () => merchant }, operator: { current: () => operator } }, {
      warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    });
    warn(now);
    expect(warnings).toEqual([
      {
        fields: { keyId: id('sk_in_three_days'), role: 'merchant', expiresAt: '2026-12-09T00:00:00.000Z', secondsLeft: 3 * 24 * 3600 },
        message: 'API key expires within 7 days: rotate it',
      },
      {
        fields: { keyId: id('op_expired_key'), role: 'operator', expiresAt: '2026-12-01T00:00:00.000Z', secondsLeft: -5 * 24 * 3600 },
        message: 'API key has expired and is refused: remove it from its list',
      },
    ]);
    warn(now + 3600 * 1000);
    expect(warnings).toHaveLength(2);
    // A day later: again, and the eight-day key has entered its last week.
    warn(now + 24 * 3600 * 1000 + 1);
    expect(warnings.map((w) => w.fields.keyId)).toEqual([id('sk_in_three_days'), id('op_expired_key'), id('sk_in_eight_days'), id('sk_in_three_days'), id('op_expired_key')]);
    expect(JSON.stringify(warnings)).not.toContain('sk_');
  });
});
