import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type ApiStack, startApiStack, TEST_API_KEY } from './support/api-stack';

/**
 * Random requests against the HTTP surface (merchant API, webhook, demo, sandbox /api/entry and
 * cashier): random methods, paths (malformed percent-encoding included), headers, encodings and
 * bodies, some of them valid. Properties: no answer is a 5xx, and nothing changes without a valid
 * request — every order at the gateway belongs to a create the API answered 201 (or a demo
 * checkout it answered 303), and no notification is ever accepted. Fixed seed, bounded time: CI.
 */
const SEED = 20261128;
const NUM_RUNS = 400;
const TIME_LIMIT_MS = 60_000;

interface FuzzRequest {
  target: 'api' | 'sandbox';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_\-*@]{1,40}$/),
  fc.constantFrom('%E0%A4%A', '%ff', '%', '%00', '..', '%2e%2e', 'a%2Fb', '%C0%AF', '%F0%9F%8D%B5'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.webSegment(),
);

const apiPath = fc.oneof(
  fc.constantFrom('/v1/payments', '/webhooks/codepay', '/demo/checkout', '/demo', '/healthz', '/readyz', '/openapi.json', '/metrics', '/'),
  segment.map((s) => `/v1/payments/${s}`),
  segment.map((s) => `/v1/payments/${s}/cancel`),
  segment.map((s) => `/v1/payments/${s}/refunds`),
  fc.tuple(segment, segment).map(([a, b]) => `/v1/payments/${a}/refunds/${b}`),
  segment.map((s) => `/demo/status/${s}`),
  segment.map((s) => `/demo/return?merchant_order_no=${s}`),
  fc.tuple(fc.webPath(), fc.webQueryParameters()).map(([p, q]) => `/${p.replace(/^\/+/, '')}?${q}`),
);
const sandboxPath = fc.oneof(fc.constant('/api/entry'), segment.map((s) => `/api/entry/${s}`), segment.map((s) => `/cashier/${s}`), segment.map((s) => `/cashier/${s}/pay`));

/** Valid more often than not, so that some creates succeed and the ledger check means something. */
const mostly = <T>(valid: T, arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary });
const paymentBody = fc.record(
  {
    merchantOrderNo: fc.stringMatching(/^FZ[A-Z0-9]{4,12}$/),
    amount: fc.oneof(fc.constantFrom('1.00', '1.00', '0', '12.345', '-1', '1e3', '90071992547409.91', '1000000.01', ' 1.00'), fc.stringMatching(/^\d{1,7}(\.\d{1,3})?$/)),
    currency: mostly('USD', fc.constantFrom('JPY', 'KWD', 'XXX', 'usd')),
    description: mostly('Green tea', fc.string({ maxLength: 140 })),
    returnUrl: mostly('https://shop.example/back', fc.oneof(fc.webUrl(), fc.string())),
    expiresInSeconds: mostly<unknown>(900, fc.oneof(fc.integer(), fc.constant('900'))),
    shopper: mostly<unknown>({ os: 'IOS' }, fc.object()),
  },
  { requiredKeys: ['merchantOrderNo', 'amount', 'currency', 'description'] },
);
const refundBody = fc.record({ refundNo: segment, amount: fc.stringMatching(/^\d{1,4}(\.\d{1,2})?$/), reason: fc.string() }, { requiredKeys: [] });
const demoForm = fc.record({ amount: fc.oneof(fc.constant('1.00'), fc.string()), currency: fc.constantFrom('USD', 'JPY', 'GBP', '') }).map((f) => new URLSearchParams(f).toString());
const signedLooking = fc
  .dictionary(fc.constantFrom('sign', 'sign_type', 'app_id', 'merchant_no', 'merchant_order_no', 'trans_status', 'order_amount', 'paid_amount', 'price_currency'), fc.string())
  .map((o) => JSON.stringify(o));

const text = fc.oneof(
  paymentBody.map((b) => JSON.stringify(b)),
  refundBody.map((b) => JSON.stringify(b)),
  demoForm,
  signedLooking,
  fc.json(),
  fc.string({ maxLength: 300 }),
);
const body: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: text.map((t) => new TextEncoder().encode(t)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
);

const encoded = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((t) => new TextEncoder().encode(t));

/** A known route with its method and a body of its kind: most requests reach a handler. */
const knownRoute = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ target: fc.constant('api' as const), method: fc.constant('POST'), path: fc.constant('/v1/payments'), body: encoded(paymentBody.map((b) => JSON.stringify(b))) }),
  },
  fc.record({ target: fc.constant('api' as const), method: fc.constant('GET'), path: segment.map((s) => `/v1/payments/${s}`) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('POST'), path: segment.map((s) => `/v1/payments/${s}/cancel`) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('POST'), path: segment.map((s) => `/v1/payments/${s}/refunds`), body: encoded(refundBody.map((b) => JSON.stringify(b))) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('GET'), path: fc.tuple(segment, segment).map(([a, b]) => `/v1/payments/${a}/refunds/${b}`) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('POST'), path: fc.constant('/webhooks/codepay'), body: encoded(signedLooking) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('POST'), path: fc.constant('/demo/checkout'), body: encoded(demoForm) }),
  fc.record({ target: fc.constant('api' as const), method: fc.constant('GET'), path: segment.map((s) => `/demo/status/${s}`) }),
  fc.record({ target: fc.constant('sandbox' as const), method: fc.constant('POST'), path: fc.constant('/api/entry'), body }),
  fc.record({ target: fc.constant('sandbox' as const), method: fc.constantFrom('GET', 'POST'), path: sandboxPath, body }),
);
const anyRoute = fc.oneof(
  fc.record({ target: fc.constant('api' as const), path: apiPath }),
  fc.record({ target: fc.constant('sandbox' as const), path: sandboxPath }),
).chain((r) => fc.record({ target: fc.constant(r.target), path: fc.constant(r.path), method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), body }));

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.oneof({ weight: 3, arbitrary: knownRoute }, { weight: 1, arbitrary: anyRoute }),
    authorization: mostly<string | undefined>(`Bearer ${TEST_API_KEY}`, fc.constantFrom(undefined, 'Bearer nope', 'Basic c2s6eA==', 'Bearer ', `bearer  ${TEST_API_KEY} x`)),
    contentType: mostly<string | undefined>(
      'matching',
      fc.constantFrom(
      undefined,
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=utf-16',
      'application/json; charset=bogus',
      'multipart/form-data; boundary=x',
      '*/*',
    )),
    encoding: mostly<string | undefined>(undefined, fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-bogus', 'gzip, br')),
    compress: fc.boolean(),
    forwardedFor: fc.option(fc.oneof(fc.ipV4(), fc.string({ maxLength: 20 })), { nil: undefined }),
    dropBody: fc.boolean(),
  })
  .map(({ route, ...r }) => {
    const headers: Record<string, string> = {};
    if (r.authorization) headers.authorization = r.authorization;
    const matching = route.path === '/demo/checkout' ? 'application/x-www-form-urlencoded' : 'application/json';
    if (r.contentType) headers['content-type'] = r.contentType === 'matching' ? matching : r.contentType;
    if (r.encoding) headers['content-encoding'] = r.encoding;
    if (r.forwardedFor) headers['x-forwarded-for'] = r.forwardedFor;
    let payload = route.method === 'GET' || route.method === 'HEAD' || !('body' in route) || (r.dropBody && r.contentType !== 'matching') ? undefined : route.body;
    // Sometimes the body really is encoded as declared: valid requests in disguise.
    if (payload && r.compress && r.encoding === 'gzip') payload = gzipSync(payload);
    if (payload && r.compress && r.encoding === 'br') payload = brotliCompressSync(payload);
    return { target: route.target, method: route.method, path: route.path, headers, body: payload };
  });

describe('HTTP fuzz (fixed seed, bounded time)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack({ demo: true });
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const ledgerOrders = async () => ((await (await stack.sandbox('GET', '/sandbox/ledger')).json()) as { orders: { merchantOrderNo: string }[] }).orders.map((o) => o.merchantOrderNo);

  it('never answers 5xx and changes nothing without a valid request', async () => {
    const before = new Set(await ledgerOrders());
    const created = new Set<string>();
    let demoCheckouts = 0;
    let sent = 0;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const base = r.target === 'api' ? stack.apiUrl : stack.sandboxUrl;
        let response: Response;
        try {
          response = await fetch(`${base}${r.path}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' });
        } catch (err) {
          // fetch itself refuses a few combinations (e.g. a forbidden header value): nothing was sent.
          if (err instanceof TypeError && !(err.cause instanceof Error && 'code' in err.cause)) return;
          throw err;
        }
        const answer = await response.text();
        sent += 1;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${r.method} ${r.target}${r.path}`;
        expect({ where, status: response.status, serverError: response.status >= 500 }).toEqual({ where, status: response.status, serverError: false });
        if (r.target === 'api' && r.path === '/webhooks/codepay') expect(answer).not.toBe('success');
        if (r.target === 'api' && r.method === 'POST' && r.path === '/v1/payments' && response.status === 201) {
          created.add((JSON.parse(answer) as { merchantOrderNo: string }).merchantOrderNo);
        }
        if (r.target === 'api' && r.method === 'POST' && r.path === '/demo/checkout' && response.status === 303) demoCheckouts += 1;
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true },
    );

    const fresh = (await ledgerOrders()).filter((no) => !before.has(no));
    const fromDemo = fresh.filter((no) => no.startsWith('DEMO'));
    expect(fresh.filter((no) => !no.startsWith('DEMO')).sort()).toEqual([...created].sort());
    expect(fromDemo).toHaveLength(demoCheckouts);
    // The run reached the handlers, not only the 404 of a bad path.
    expect(sent).toBeGreaterThan(50);
    expect(created.size).toBeGreaterThan(0);
  }, TIME_LIMIT_MS + 60_000);
});
