import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { createCodePayActivities } from '../../src/activities/codepay-activities';
import { createWebhookActivities } from '../../src/activities/webhook-activities';
import { loadConfig } from '../../src/config';
import { LiveFiles } from '../../src/secrets/live-file';
import { connectTestTemporal, createTestWorker, type TestTemporal } from '../harness/temporal';
import { waitFor } from '../harness/wait-for';
import { newWebhookSecret, type ReceivedAttempt, startWebhookReceiver, verifyBySpec, type WebhookReceiver } from '../support/webhook-receiver';
import { FakeCodePay } from '../workflows/fake-codepay';
import { paidPayment, type ScenarioContext } from '../workflows/scenarios';
import { replaceFile } from '../support/replace-file';

const headersOf = (a: ReceivedAttempt) => ({ 'webhook-id': a.id, 'webhook-timestamp': a.timestamp, 'webhook-signature': a.signature });
const verifiesUnder = (secret: string, a: ReceivedAttempt) => {
  let library = true;
  try {
    new Webhook(secret).verify(a.raw, headersOf(a));
  } catch {
    library = false;
  }
  return library && verifyBySpec(secret, headersOf(a), a.raw);
};

/** Issue 25: merchant webhooks signed with every secret in force, through the worker on the dev server. */
describe('merchant webhook secret rotation', () => {
  let temporal: TestTemporal;
  const receivers: WebhookReceiver[] = [];
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await temporal.close();
  });

  async function withWorker<T>(env: NodeJS.ProcessEnv, files: LiveFiles, body: (ctx: ScenarioContext) => Promise<T>): Promise<T> {
    const fake = new FakeCodePay();
    const webhooks = createWebhookActivities({ config: loadConfig({ MERCHANT_WEBHOOK_RETRY_SECONDS: '0.3', ...env }), client: temporal.client, files });
    const worker = await createTestWorker(temporal, { activities: { ...createCodePayActivities(fake), ...webhooks } });
    return worker.runUntil(body({ client: temporal.client, taskQueue: worker.options.taskQueue, fake }));
  }
  const deliveredOf = (receiver: WebhookReceiver, no: string) => receiver.delivered().filter((a) => a.body.data.merchantOrderNo === no);
  const paidAndDelivered = async (ctx: ScenarioContext, receiver: WebhookReceiver) => {
    const { input } = await paidPayment(ctx, { refundWindowMs: 60_000 });
    await waitFor(
      async () => deliveredOf(receiver, input.merchantOrderNo).map((a) => a.body.type),
      (types) => types.includes('payment.paid'),
      { timeoutMs: 15_000 },
    );
    return deliveredOf(receiver, input.merchantOrderNo);
  };

  it('with two secrets in MERCHANT_WEBHOOK_SECRET, every event the shop receives verifies under each of them', async () => {
    const [current, next] = [newWebhookSecret(), newWebhookSecret()];
    // The shop still knows only the current secret; the service signs with both.
    const receiver = await startWebhookReceiver(() => 204, current);
    receivers.push(receiver);
    const files = new LiveFiles();
    const received = await withWorker({ MERCHANT_WEBHOOK_URL: receiver.url, MERCHANT_WEBHOOK_SECRET: `${current} ${next}` }, files, (ctx) => paidAndDelivered(ctx, receiver));
    files.close();
    // At least once: an attempt whose answer came after the local attempt's deadline (a loaded machine) is sent again under its id.
    const events = [...new Map(received.map((a) => [a.id, a.body.type])).values()];
    expect(events).toEqual(['payment.awaiting_payment', 'payment.paid']);
    for (const attempt of received) {
      expect(attempt.signature.split(' ')).toEqual([expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/), expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/)]);
      expect({ current: verifiesUnder(current, attempt), next: verifiesUnder(next, attempt), other: verifiesUnder(newWebhookSecret(), attempt) }).toEqual({
        current: true,
        next: true,
        other: false,
      });
    }
  });

  it('MERCHANT_WEBHOOK_SECRET_FILE: a rotation is a file change, and a malformed file keeps the secrets in use', async () => {
    const [old, next] = [newWebhookSecret(), newWebhookSecret()];
    const dir = mkdtempSync(path.join(tmpdir(), 'webhook-secret-file-'));
    const file = path.join(dir, 'merchant-webhook-secret');
    const replace = (text: string) => replaceFile(file, text);
    writeFileSync(file, `${old}\n`);
    const receiver = await startWebhookReceiver(() => 204, old);
    receivers.push(receiver);
    const files = new LiveFiles({ pollMs: 200 });
    const live = () => files.statuses().find((s) => s.variable === 'MERCHANT_WEBHOOK_SECRET_FILE')!;
    await withWorker({ MERCHANT_WEBHOOK_URL: receiver.url, MERCHANT_WEBHOOK_SECRET_FILE: file }, files, async (ctx) => {
      const before = await paidAndDelivered(ctx, receiver);
      expect(before.every((a) => verifiesUnder(old, a) && !verifiesUnder(next, a))).toBe(true);

      // Step 1 of docs/webhooks.md: both secrets sign.
      replace(`# rotation in progress\n${old}\n${next}\n`);
      // Read now rather than wait for the poll: the status was already ok, so nothing would tell.
      files.checkAll();
      const during = await paidAndDelivered(ctx, receiver);
      expect(during.every((a) => verifiesUnder(old, a) && verifiesUnder(next, a))).toBe(true);

      // A half-written file: refused, both secrets still sign.
      replace(`${old}\nwhsec_\n`);
      await waitFor(async () => live(), (s) => !s.ok, { timeoutMs: 5_000 });
      expect(live().error).toBe('secret 2: expected whsec_<base64>');
      const refused = await paidAndDelivered(ctx, receiver);
      expect(refused.every((a) => verifiesUnder(old, a) && verifiesUnder(next, a))).toBe(true);

      // Step 3: the old secret is removed; the shop (knowing only it) no longer verifies.
      replace(`${next}\n`);
      await waitFor(async () => live(), (s) => s.ok, { timeoutMs: 5_000 });
      const { input } = await paidPayment(ctx, { refundWindowMs: 60_000 });
      await waitFor(
        async () => receiver.attempts.filter((a) => a.body.data.merchantOrderNo === input.merchantOrderNo),
        (attempts) => attempts.length > 0,
        { timeoutMs: 15_000 },
      );
      const after = receiver.attempts.filter((a) => a.body.data.merchantOrderNo === input.merchantOrderNo);
      expect(after.every((a) => verifiesUnder(next, a) && !verifiesUnder(old, a))).toBe(true);
    });
    files.close();
  });
});
