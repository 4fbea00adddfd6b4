import { randomBytes } from 'node:crypto';
import express, { type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config';
import { toMinorUnits } from '../codepay/money';
import { cspNonce } from '../web/security-headers';
import { amountLimitIssue } from '../amount-limit';
import { DemoOrders } from './demo-orders';
import { errorPage, returnPage, shopPage } from './demo-pages';
import { createDemoReceiver } from './demo-receiver';
import type { PaymentCommands } from './payment-commands';
import { AmountSchema, amountIssue, toPaymentRequest } from './payments-schemas';
import { ProblemError } from './problem';
import { budgeted } from './temporal-failures';

/**
 * The demo shop (a merchant's H5 checkout in miniature). Its checkout runs on the server and calls
 * the payment commands directly, so no API key ever reaches the browser; the browser only learns
 * the cashier URL (303) and, on return, the status of the demo's own orders, which move only on
 * the signed merchant webhooks its receiver verifies (demo-receiver.ts).
 */
export const DEMO_CURRENCIES = ['USD', 'EUR', 'JPY'] as const;
const DEMO_ORDER_NO = /^DEMO[A-Z0-9]{6,28}$/;

const CheckoutFormSchema = z.object({ amount: AmountSchema, currency: z.enum(DEMO_CURRENCIES) });
const DemoOrderNoSchema = z.string().regex(DEMO_ORDER_NO);

export interface DemoRouterDeps {
  commands: PaymentCommands;
  config: Pick<Config, 'publicBaseUrl' | 'payments'>;
  /** What the demo shop verifies webhooks with: the merchant webhook secrets in force. */
  webhookSecrets?: () => readonly string[];
  logger: Logger;
  orders?: DemoOrders;
  /** All Temporal calls of one request end within this. */
  requestMs: number;
}

function demoOrderNo(): string {
  return `DEMO${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toUpperCase();
}

export function createDemoRouter({ commands, config, webhookSecrets, logger, requestMs, orders = new DemoOrders() }: DemoRouterDeps): Router {
  const router = Router();
  router.use(createDemoReceiver({ secrets: webhookSecrets, orders, logger }));
  const budget = (handler: RequestHandler) => budgeted(requestMs, handler);
  const base = config.publicBaseUrl.replace(/\/+$/, '');

  router.get('/demo', (_req, res) => {
    res.type('html').send(shopPage(cspNonce(res), { currencies: DEMO_CURRENCIES }));
  });

  router.post('/demo/checkout', express.urlencoded({ extended: false, limit: '4kb' }), budget(async (req, res) => {
    const form = CheckoutFormSchema.safeParse(req.body ?? {});
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const issue = form.success
      ? (amountIssue(form.data.amount, form.data.currency) ??
        amountLimitIssue(config.payments.maxAmount, toMinorUnits(form.data.amount, form.data.currency), form.data.currency))
      : 'enter an amount such as 9.90';
    if (!form.success || issue) {
      const amount = typeof raw.amount === 'string' ? raw.amount : undefined;
      res.status(400).type('html').send(shopPage(cspNonce(res), { currencies: DEMO_CURRENCIES, amount, error: `Amount: ${issue}` }));
      return;
    }
    const merchantOrderNo = demoOrderNo();
    const request = toPaymentRequest(
      {
        merchantOrderNo,
        amount: form.data.amount,
        currency: form.data.currency,
        description: 'Demo tea shop order',
        returnUrl: `${base}/demo/return?merchant_order_no=${merchantOrderNo}`,
      },
      config.payments.defaultExpiresSeconds,
    );
    try {
      const { payment: result } = await commands.start(request);
      if (result.status === 'FAILED' || !result.cashierUrl) {
        const reason = result.error ? `CodePay refused the order: [${result.error.code}] ${result.error.message}` : 'CodePay did not issue a cashier URL';
        res.status(502).type('html').send(errorPage(cspNonce(res), reason));
        return;
      }
      orders.add({ merchantOrderNo, amount: form.data.amount, currency: form.data.currency });
      logger.info({ merchantOrderNo, outcome: 'redirected' }, 'demo checkout');
      res.redirect(303, result.cashierUrl);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      // Ours to retry (Temporal out of reach, starts at capacity); anything else is CodePay's answer.
      const unavailable = err.kind === 'temporal-unavailable' || err.kind === 'overloaded';
      if (unavailable) res.set('Retry-After', String(err.retryAfterSeconds));
      res.status(unavailable ? 503 : 502).type('html').send(errorPage(cspNonce(res), err.message));
    }
  }));

  router.get('/demo/return', budget(async (req, res) => {
    const no = DemoOrderNoSchema.safeParse(req.query.merchant_order_no);
    if (!no.success) {
      res.status(404).type('html').send(errorPage(cspNonce(res), 'Unknown demo order'));
      return;
    }
    const order = orders.get(no.data);
    if (!order) {
      res.status(404).type('html').send(errorPage(cspNonce(res), 'Unknown demo order'));
      return;
    }
    res.type('html').send(returnPage(cspNonce(res), order));
  }));

  /** The shop's own order, read-only and only for the demo's order numbers: never a window onto real payments. */
  router.get('/demo/status/:merchantOrderNo', (req, res) => {
    const no = DemoOrderNoSchema.safeParse(req.params.merchantOrderNo);
    const order = no.success ? orders.get(no.data) : undefined;
    if (!order) throw new ProblemError('payment-not-found', 'not an order of the demo shop');
    res.json(order);
  });

  return router;
}
