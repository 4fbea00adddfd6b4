import express, { Router } from 'express';
import type { Logger } from 'pino';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { MerchantEventBodySchema } from '../webhooks/event-body';
import type { DemoOrders } from './demo-orders';
import { ProblemError } from './problem';

/** Where the embedded default points MERCHANT_WEBHOOK_URL: the demo shop's own receiver. */
export const DEMO_WEBHOOK_PATH = '/demo/webhooks';

/**
 * The demo shop's webhook endpoint, written as a merchant would write theirs (docs/webhooks.md):
 * verify the Standard Webhooks signature over the raw body with the shared secret (during a
 * rotation, with either of the two it holds), then parse, then apply once per `webhook-id`, then
 * answer 2xx. Anything unverified is refused.
 */
export function createDemoReceiver({ secrets, orders, logger }: { secrets?: () => readonly string[]; orders: DemoOrders; logger: Logger }): Router {
  const router = Router();
  router.post(DEMO_WEBHOOK_PATH, express.text({ type: () => true, limit: '256kb' }), (req, res) => {
    if (!secrets) throw new ProblemError('not-found', 'MERCHANT_WEBHOOK_SECRET is not configured');
    const raw = typeof req.body === 'string' ? req.body : '';
    const payload = verifyWithAny(secrets(), raw, req.headers as Record<string, string>);
    const event = MerchantEventBodySchema.safeParse(payload);
    if (!event.success) throw new ProblemError('validation', 'webhook body is not a merchant event');
    const id = String(req.get('webhook-id'));
    const outcome = orders.receive(id, event.data, new Date().toISOString());
    logger.info({ id, type: event.data.type, merchantOrderNo: event.data.data.merchantOrderNo, outcome }, 'demo shop received a webhook');
    res.status(204).end();
  });
  return router;
}

function verifyWithAny(secrets: readonly string[], raw: string, headers: Record<string, string>): unknown {
  let failure: unknown;
  for (const secret of secrets) {
    try {
      return new Webhook(secret).verify(raw, headers);
    } catch (err) {
      failure = err;
    }
  }
  if (failure instanceof WebhookVerificationError) throw new ProblemError('bad-signature', `webhook: ${failure.message}`);
  throw failure;
}
