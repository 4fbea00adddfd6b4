import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import { encodeCursor } from '../../src/api/list-cursor';
import { listPayments, visibilityQuery } from '../../src/api/payments-list';
import { type Problem, ProblemError } from '../../src/api/problem';
import { connectTestTemporal, type TestTemporal, uniqueTaskQueue } from '../harness/temporal';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, listen, TEST_API_KEY } from './support/api-stack';

/**
 * `GET /v1/payments` at its edges (docs/design.md §4), against the run's dev server with no worker:
 * listing needs only visibility. Every Temporal list call is counted, to see which inputs reach it.
 */
describe('GET /v1/payments: cursors and dates at the edge', () => {
  const logs: Array<Record<string, unknown>> = [];
  const logStream = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  const cursorSecret = randomBytes(32).toString('base64url');
  let temporal: TestTemporal;
  let server: Awaited<ReturnType<typeof listen>>;
  let listCalls: jest.SpyInstance;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    listCalls = jest.spyOn(temporal.client.workflowService, 'listWorkflowExecutions');
    server = await listen((url) =>
      createApp({
        config: apiConfig(url, uniqueTaskQueue('edges'), { cursors: { secret: cursorSecret } }),
        clients: { temporal: temporal.client },
        gatewayPublicKeys: () => [generateTestKeyPair().publicKey],
        logger: pino({ level: 'debug' }, logStream),
        metrics: createApiMetrics({ processMetrics: false }),
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await temporal?.close();
  });
  beforeEach(() => {
    logs.length = 0;
    listCalls.mockClear();
  });

  const list = async (query: string) => {
    const started = Date.now();
    const response = await fetch(`${server.url}/v1/payments?${query}`, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    return { status: response.status, body: (await response.json()) as Problem, retryAfter: response.headers.get('retry-after'), ms: Date.now() - started };
  };
  /** pino levels: 40 warn, 50 error. A client's mistake is never logged as our error, nor with a stack. */
  const expectQuietLogs = () => {
    for (const entry of logs) {
      expect(entry.level as number).toBeLessThanOrEqual(40);
      expect(JSON.stringify(entry)).not.toContain('"stack"');
    }
  };
  const fieldsOf = (problem: Problem) => problem.errors?.map((e) => e.field);

  it('refuses a cursor built from the filters without the server key: 400 at once, Temporal not asked', async () => {
    // What anyone could build before cursors were signed: an unkeyed digest of the query and any token.
    const q = createHash('sha256').update(visibilityQuery({})).digest('base64url').slice(0, 16);
    const forged = Buffer.from(JSON.stringify({ q, t: Buffer.from('garbage').toString('base64') })).toString('base64url');
    const answer = await list(`limit=1&cursor=${forged}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'cursor', message: 'not a cursor this API issued' }]);
    expect(listCalls).not.toHaveBeenCalled();
    // Generous: the unsigned cursor cost 5.4–6.1 s of retries; refusing it needs no round trip at all.
    expect(answer.ms).toBeLessThan(1_000);
    expectQuietLogs();
  });

  it('refuses a cursor signed with another key', async () => {
    const other = encodeCursor(Buffer.from(randomBytes(32)), visibilityQuery({}), Buffer.from('garbage'));
    const answer = await list(`limit=1&cursor=${other}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'cursor', message: 'not a cursor this API issued' }]);
    expect(listCalls).not.toHaveBeenCalled();
  });

  it('turns what Temporal refuses as invalid (INVALID_ARGUMENT) into a 400 problem, asked once, not retried', async () => {
    // Unvalidated filters straight to listPayments: the date Temporal cannot parse that the schema now stops.
    const filters = { createdAfter: '0000-01-01T00:00:00+01:00', limit: 1 };
    const refused = await listPayments(temporal.client, 'default', filters, { requestMs: 3_500 }, () => Buffer.from(cursorSecret)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).kind).toBe('validation');
    expect((refused as ProblemError).detail).toContain('Temporal refused the request as invalid');
    expect(listCalls).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['createdAfter', '0000-01-01T00:00:00+01:00'],
    ['createdBefore', '9999-12-31T23:30:00-01:00'],
    ['createdAfter', '-000001-01-01T00:00:00Z'],
  ])('refuses %s=%s, outside the 4-digit years of UTC, with a 400 naming it before Temporal', async (field, value) => {
    const answer = await list(`${field}=${encodeURIComponent(value)}`);
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toEqual([field]);
    expect(listCalls).not.toHaveBeenCalled();
    expectQuietLogs();
  });

  it.each([
    ['createdAfter', '0000-01-01T00:00:00Z'],
    ['createdBefore', '9999-12-31T23:59:59.999Z'],
    ['createdAfter', '0000-01-01T00:00:00-01:00'],
  ])('lists with %s=%s, the range\'s own ends', async (field, value) => {
    const answer = await list(`${field}=${encodeURIComponent(value)}&limit=1`);
    expect(answer.status).toBe(200);
    expect(listCalls).toHaveBeenCalledTimes(1);
  });

  it('names an unknown query parameter, not the body', async () => {
    const answer = await list('colour=red&status=PAID');
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toEqual(['colour']);
    expect(listCalls).not.toHaveBeenCalled();
  });
});
