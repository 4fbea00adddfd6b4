import { unreachableTemporal } from '../support/unreachable-temporal';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import type { Problem } from '../../src/api/problem';
import { withSignature } from '../../src/codepay/signing';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, listen, TEST_API_KEY, TEST_OPERATOR_KEY } from './support/api-stack';
import { paidFields } from './support/notification-fields';

/**
 * The API against a Temporal that accepts TCP connections and never answers (a frozen server,
 * as after SIGSTOP): client mistakes must still be 4xx problems decided before Temporal, and
 * every route that needs Temporal must give up with a 503 + Retry-After within 5 s.
 */
const PROBLEM = 'urn:codepay-temporal:problem:';

async function frozenTemporal(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('API hardening (Temporal frozen)', () => {
  const gateway = generateTestKeyPair();
  const logs: Array<Record<string, unknown>> = [];
  const logStream = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  let temporal: Awaited<ReturnType<typeof frozenTemporal>>;
  let connection: Connection;
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    temporal = await frozenTemporal();
    connection = unreachableTemporal(temporal.address);
    server = await listen((url) =>
      createApp({
        config: apiConfig(url, 'unused'),
        clients: { temporal: new Client({ connection }) },
        gatewayPublicKeys: () => [gateway.publicKey],
        logger: pino({ level: 'debug' }, logStream),
        metrics: createApiMetrics({ processMetrics: false }),
        demo: { cashierUrl: 'http://127.0.0.1:9' },
      }),
    );
  });
  afterAll(async () => {
    await server.close();
    await connection.close();
    await temporal.close();
  });
  beforeEach(() => {
    logs.length = 0;
  });

  const auth = { authorization: `Bearer ${TEST_API_KEY}` };
  const call = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}) => {
    const started = Date.now();
    const response = await fetch(`${server.url}${path}`, { method, headers: init.headers, body: init.body, redirect: 'manual' });
    const text = await response.text();
    return { response, status: response.status, text, ms: Date.now() - started };
  };
  const problemOf = (text: string) => JSON.parse(text) as Problem;
  /** pino levels: 40 warn, 50 error. */
  const expectQuietLogs = () => {
    for (const entry of logs) {
      expect(entry.level as number).toBeLessThanOrEqual(40);
      expect(JSON.stringify(entry)).not.toContain('"stack"');
    }
  };

  describe('client mistakes are 4xx problems, logged without stacks', () => {
    it.each([
      ['GET', '/v1/payments/%E0%A4%A'],
      ['GET', '/v1/payments/%ff'],
      ['GET', '/v1/payments/ORDER1/refunds/%ff'],
      ['POST', '/v1/payments/%E0%A4%A/cancel'],
      ['GET', '/demo/status/%ff'],
    ])('%s %s (malformed percent-encoding) → 400', async (method, path) => {
      for (const headers of [{}, auth]) {
        const answer = await call(method, path, { headers });
        expect(answer.status).toBe(400);
        expect(answer.response.headers.get('content-type')).toContain('application/problem+json');
        expect(problemOf(answer.text)).toMatchObject({ type: `${PROBLEM}validation`, status: 400, instance: path });
      }
      expectQuietLogs();
    });

    const bodyRoutes: Array<[string, Record<string, string>]> = [
      ['/v1/payments', { ...auth, 'content-type': 'application/json' }],
      ['/v1/payments/ORDER1/refunds', { ...auth, 'content-type': 'application/json' }],
      ['/webhooks/codepay', { 'content-type': 'application/json' }],
      ['/demo/checkout', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    it.each(bodyRoutes.flatMap(([path, headers]) => ['gzip', 'br', 'deflate', 'x-bogus'].map((encoding) => [path, encoding, headers] as const)))(
      'POST %s with a bogus Content-Encoding: %s → 4xx',
      async (path, encoding, headers) => {
        const answer = await call('POST', path, { headers: { ...headers, 'content-encoding': encoding }, body: '{"amount":"1.00"}' });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expectQuietLogs();
      },
    );
  });

  describe('query strings are never echoed', () => {
    it('a key in the query string is not repeated in the 401 problem or the logs', async () => {
      const secret = 'sk_live_leaked_in_the_url_0123456789';
      const answer = await call('GET', `/v1/payments/x?api_key=${secret}`);
      expect(answer.status).toBe(401);
      expect(problemOf(answer.text).instance).toBe('/v1/payments/x');
      expect(answer.text).not.toContain(secret);
      const notFound = await call('GET', `/nope?token=${secret}`);
      expect(notFound.status).toBe(404);
      expect(notFound.text).not.toContain(secret);
      expect(JSON.stringify(logs)).not.toContain(secret);
    });
  });

  describe('security headers', () => {
    it.each([
      ['GET', '/v1/payments/x', {}],
      ['GET', '/v1/payments/%ff', auth],
      ['GET', '/demo', {}],
      ['GET', '/healthz', {}],
      ['GET', '/openapi.json', {}],
    ])('%s %s: nosniff, CSP with frame-ancestors, no x-powered-by, no-store', async (method, path, headers) => {
      const { response } = await call(method, path, { headers });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('the demo page runs its inline style and script only by nonce', async () => {
      const { response, text } = await call('GET', '/demo');
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).not.toContain('unsafe-inline');
      expect(text).toContain(`<style nonce="${nonce}">`);
    });
  });

  describe('a frozen Temporal costs at most 5 s and a 503 with Retry-After', () => {
    const signedNotification = JSON.stringify(withSignature(paidFields('FROZEN1'), gateway.privateKey));
    const json = { ...auth, 'content-type': 'application/json' };
    const operatorJson = { authorization: `Bearer ${TEST_OPERATOR_KEY}`, 'content-type': 'application/json' };
    /**
     * The last column is the problem's `outcome`: `unknown` where the write itself was sent and may
     * have been taken (docs/design.md §4), absent where the call that timed out was a read, before
     * any write (the refund and the redelivery read the payment first). No problem body: `-`.
     */
    const routes: Array<[string, string, { headers?: Record<string, string>; body?: string }, 'unknown' | undefined | '-']> = [
      ['POST', '/v1/payments', { headers: json, body: JSON.stringify({ merchantOrderNo: 'FROZEN1', amount: '1.00', currency: 'USD', description: 'x' }) }, 'unknown'],
      ['GET', '/v1/payments/FROZEN1', { headers: auth }, undefined],
      ['POST', '/v1/payments/FROZEN1/cancel', { headers: auth }, 'unknown'],
      ['POST', '/v1/payments/FROZEN1/refunds', { headers: json, body: JSON.stringify({ refundNo: 'RFROZEN1', amount: '1.00' }) }, undefined],
      ['GET', '/v1/payments/FROZEN1/refunds/RFROZEN1', { headers: auth }, undefined],
      ['POST', '/webhooks/codepay', { headers: { 'content-type': 'application/json' }, body: signedNotification }, 'unknown'],
      ['POST', '/demo/checkout', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'amount=1.00&currency=USD' }, '-'],
      ['GET', '/v1/payments?status=PAID', { headers: auth }, undefined],
      ['POST', '/v1/payments/FROZEN1/events/evt_FROZEN1_1/redeliver', { headers: auth }, undefined],
      ['POST', '/v1/payments/FROZEN1/review', { headers: operatorJson, body: JSON.stringify({ decision: 'close_as_failed', reason: 'x' }) }, 'unknown'],
      ['POST', '/v1/reconciliations', { headers: operatorJson, body: JSON.stringify({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }) }, 'unknown'],
      ['GET', '/readyz', {}, '-'],
    ];

    it('every route that needs Temporal answers 503 with Retry-After in under 5 s; a write that was sent says its outcome is unknown', async () => {
      const answers = await Promise.all(routes.map(async ([method, path, init, outcome]) => ({ route: `${method} ${path}`, outcome, ...(await call(method, path, init)) })));
      for (const answer of answers) {
        expect({ route: answer.route, status: answer.status, retryAfter: answer.response.headers.get('retry-after') }).toEqual({
          route: answer.route,
          status: 503,
          retryAfter: expect.stringMatching(/^\d+$/),
        });
        expect(answer.ms).toBeLessThan(5_000);
        if (answer.outcome === '-') continue;
        const problem = problemOf(answer.text);
        expect({ route: answer.route, type: problem.type, outcome: problem.outcome }).toEqual({ route: answer.route, type: `${PROBLEM}temporal-unavailable`, outcome: answer.outcome });
        // A write that may have been taken says how to retry it without doing it twice.
        if (answer.outcome === 'unknown') expect(problem.detail).toMatch(/may have been .*; (retry|a retry|CodePay)/);
      }
    }, 20_000);

    it('routes that do not need Temporal still answer at once', async () => {
      for (const path of ['/healthz', '/openapi.json', '/metrics', '/demo']) {
        const answer = await call('GET', path);
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(1_000);
      }
    });
  });

  describe('amount ceiling', () => {
    it('refuses an amount over the configured maximum with a 400 naming it, before Temporal', async () => {
      const answer = await call('POST', '/v1/payments', {
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ merchantOrderNo: 'HUGE1', amount: '90071992547409.91', currency: 'USD', description: 'x' }),
      });
      expect(answer.status).toBe(400);
      const problem = problemOf(answer.text);
      expect(problem.errors).toEqual([{ field: 'amount', message: expect.stringContaining('at most 1000000.00 USD') }]);
      expect(answer.ms).toBeLessThan(1_000);
    });
  });
});
