import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { Stack } from '../../src/tools/stack';
import { waitFor } from '../harness/wait-for';
import { startE2eStack } from '../support/e2e-stack';
import { newWebhookSecret, type ReceivedAttempt, startWebhookReceiver, verifyBySpec, type WebhookReceiver } from '../support/webhook-receiver';
import { replaceFile } from '../support/replace-file';

/**
 * docs/operations.md §5 tried end to end: the processes `npm start` runs (sandbox, worker, API) with
 * the key files it generates under DATA_DIR/keys, each rotated by replacing a file, and no process
 * of ours restarted. (The sandbox, standing in for CodePay, is restarted once: that is CodePay
 * switching its own signing key.)
 */
describe('key and secret rotation by file, end to end', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  const keyFile = (name: string) => path.resolve(stack.config.dataDir, 'keys', name);
  const replace = (name: string, text: string) => replaceFile(keyFile(name), text);
  const pids = () => ['api', 'worker'].map((name) => stack.services.get(name as 'api' | 'worker')!.child.pid);
  const call = (key: string, method = 'GET', route = '/v1/payments?limit=1', body?: unknown) =>
    fetch(`${stack.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** A payment created, paid at the sandbox and PAID, with its merchant webhooks received. */
  const paidPayment = async (key: string, tag: string) => {
    const no = `E2EKEY${tag}${Date.now()}`;
    const created = await call(key, 'POST', '/v1/payments', { merchantOrderNo: no, amount: '5.00', currency: 'USD', description: 'Rotation' });
    expect(created.status).toBe(201);
    expect((await fetch(`${stack.sandboxUrl}/sandbox/orders/${no}/pay`, { method: 'POST' })).status).toBe(200);
    await waitFor(
      async () => ((await (await call(key, 'GET', `/v1/payments/${no}`)).json()) as { status: string }).status,
      (status) => status === 'PAID',
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    return waitFor(
      async () => receiver.attempts.filter((a) => a.body.data.merchantOrderNo === no),
      (attempts) => attempts.some((a) => a.body.type === 'payment.paid'),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  };
  const verifies = (secret: string, a: ReceivedAttempt) => {
    const headers = { 'webhook-id': a.id, 'webhook-timestamp': a.timestamp, 'webhook-signature': a.signature };
    try {
      new Webhook(secret).verify(a.raw, headers);
    } catch {
      return false;
    }
    return verifyBySpec(secret, headers, a.raw);
  };
  /** Files are re-read within 1 s (poll) or sooner (directory watch): 3 s leaves room on a busy machine. */
  const reread = () => new Promise((r) => setTimeout(r, 3_000));

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    stack = await startE2eStack({ MERCHANT_WEBHOOK_URL: receiver.url, MERCHANT_WEBHOOK_RETRY_SECONDS: '1' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  it('npm start wires its generated key files, not environment lists', () => {
    expect(stack.env).toMatchObject({
      API_KEYS_FILE: keyFile('api-key'),
      OPERATOR_API_KEYS_FILE: keyFile('operator-key'),
      MERCHANT_WEBHOOK_SECRET_FILE: keyFile('merchant-webhook-secret'),
      CODEPAY_PRIVATE_KEY_FILE: keyFile('merchant-private.pem'),
      CODEPAY_GATEWAY_PUBLIC_KEY_FILE: keyFile('gateway-public.pem'),
    });
    expect(stack.env.API_KEYS).toBeUndefined();
    expect(stack.env.MERCHANT_WEBHOOK_SECRET).toBeUndefined();
    expect(readFileSync(keyFile('api-key'), 'utf8')).toContain(stack.apiKey);
  });

  it('API key: a new key added, callers switched, the old one removed; within 15 s, no restart', async () => {
    const before = pids();
    const old = stack.apiKey;
    const next = 'sk_test_rotated_e2e_key_000000000001';
    replace('api-key', `${old} ${new Date(Date.now() + 3_600_000).toISOString()}\n${next}\n`);
    await waitFor(async () => (await call(next)).status, (s) => s === 200, { timeoutMs: 15_000, intervalMs: 200 });
    expect((await call(old)).status).toBe(200);
    const removed = Date.now();
    replace('api-key', `${next}\n`);
    await waitFor(async () => (await call(old)).status, (s) => s === 401, { timeoutMs: 15_000, intervalMs: 200 });
    expect(Date.now() - removed).toBeLessThan(15_000);
    expect((await call(next)).status).toBe(200);
    expect(pids()).toEqual(before);
  });

  it('webhook secret: both secrets sign every event during the switch, then only the new one', async () => {
    const key = 'sk_test_rotated_e2e_key_000000000001';
    const old = stack.merchantWebhookSecret;
    const next = newWebhookSecret();
    replace('merchant-webhook-secret', `${old}\n${next}\n`);
    await reread();
    const during = await paidPayment(key, 'WH1');
    expect(during.length).toBeGreaterThanOrEqual(2);
    for (const attempt of during) expect({ old: verifies(old, attempt), next: verifies(next, attempt) }).toEqual({ old: true, next: true });
    replace('merchant-webhook-secret', `${next}\n`);
    await reread();
    const after = await paidPayment(key, 'WH2');
    for (const attempt of after) expect({ old: verifies(old, attempt), next: verifies(next, attempt) }).toEqual({ old: false, next: true });
  });

  it('CodePay keys: the merchant key pair and the gateway key replaced by files; payments keep working', async () => {
    const key = 'sk_test_rotated_e2e_key_000000000001';
    const before = pids();
    const pem = () => {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return { privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    };
    // Merchant key: the new public key "uploaded" (the sandbox's copy), the new private key to the worker.
    const merchant = pem();
    replace('merchant-public.pem', merchant.publicPem);
    replace('merchant-private.pem', merchant.privatePem);
    await reread();
    await paidPayment(key, 'MK');

    // Gateway key: both keys listed in the one file, CodePay switches (the sandbox restarts with its new key), the old one removed.
    const gateway = pem();
    const oldGatewayPublic = readFileSync(keyFile('gateway-public.pem'), 'utf8');
    replace('gateway-public.pem', `${oldGatewayPublic}${gateway.publicPem}`);
    await reread();
    replace('gateway-private.pem', gateway.privatePem);
    await stack.restart('sandbox');
    await paidPayment(key, 'GK1');
    replace('gateway-public.pem', gateway.publicPem);
    await reread();
    await paidPayment(key, 'GK2');
    expect(pids()).toEqual(before);
  });
});
