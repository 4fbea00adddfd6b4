import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';
import type { Config } from '../config';
import { amountLimitIssue } from '../amount-limit';
import { wantsCsv } from './csv';
import type { PaymentStartOutcome, ApiMetrics } from './metrics';
import type { PaymentCommands } from './payment-commands';
import { ListPaymentsQuerySchema, type ListPaymentsQuery, type PaymentList } from './payments-list';
import { paymentResponse, refundResponse, startPaymentResponse } from '../views/payment-view';
import {
  CreatePaymentBodySchema,
  CreateRefundBodySchema,
  EventParamsSchema,
  PaymentParamsSchema,
  RefundParamsSchema,
  toPaymentRequest,
} from './payments-schemas';
import { tagActiveSpanWithOrder } from '../telemetry/spans';
import { ProblemError, validationProblem } from './problem';
import { budgeted } from './temporal-failures';
import type { WebhookDeliveries } from './webhook-deliveries';

/** Merchant API bodies are small; anything bigger is a mistake or an attack. */
export const JSON_BODY_LIMIT = '16kb';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, where);
  return result.data;
}

export const jsonBody: RequestHandler[] = [
  express.json({ limit: JSON_BODY_LIMIT }),
  (req, _res, next) => {
    next(req.is('application/json') ? undefined : new ProblemError('unsupported-media-type', 'send Content-Type: application/json'));
  },
];

export const params = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params, 'path');

export interface PaymentsRouterDeps {
  commands: PaymentCommands;
  config: Pick<Config, 'payments'>;
  metrics: ApiMetrics;
  auth: RequestHandler;
  deliveries: WebhookDeliveries;
  list: (filters: ListPaymentsQuery) => Promise<PaymentList>;
  /** Streams every payment matching the filters as CSV (payments-csv.ts). */
  exportCsv: (filters: ListPaymentsQuery, res: Response) => Promise<void>;
  /** All Temporal calls of one request end within this (→ 503 + Retry-After). */
  requestMs: number;
}

/** Aborts when the client's connection closes before its answer was written (a queued start is then never sent). */
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) gone.abort();
  });
  return gone.signal;
}

/** docs/design.md §4: `/v1/payments…`, every route behind the API key. */
export function createPaymentsRouter({ commands, config, metrics, auth, deliveries, list, exportCsv, requestMs }: PaymentsRouterDeps): Router {
  const router = Router();
  const budget = (handler: RequestHandler) => budgeted(requestMs, handler);
  const count = (outcome: PaymentStartOutcome) => metrics.paymentsStarted.inc({ outcome });

  // The start's Temporal budget begins once it is admitted (PaymentCommands.start), not on arrival.
  router.post('/v1/payments', auth, ...jsonBody, async (req, res) => {
    const parsed = CreatePaymentBodySchema.safeParse(req.body);
    if (!parsed.success) {
      count('invalid');
      throw validationProblem(parsed.error);
    }
    const request = toPaymentRequest(parsed.data, config.payments.defaultExpiresSeconds);
    tagActiveSpanWithOrder(request.merchantOrderNo);
    const overLimit = amountLimitIssue(config.payments.maxAmount, request.amountMinor, request.currency);
    if (overLimit) {
      count('invalid');
      throw new ProblemError('validation', `amount: ${overLimit}`, { errors: [{ field: 'amount', message: overLimit }] });
    }
    let outcome;
    try {
      outcome = await commands.start(request, clientGone(res));
    } catch (err) {
      if (err instanceof ProblemError && err.kind === 'payload-mismatch') count('conflict');
      if (err instanceof ProblemError && err.kind === 'overloaded') count('overloaded');
      throw err;
    }
    const { created, payment } = outcome;
    // The order's creation was refused (no cashier URL); a payment that failed later answers 200 with its status.
    if (payment.status === 'FAILED' && !payment.cashierUrl) {
      count('rejected');
      const code = payment.error?.code;
      throw new ProblemError('gateway-rejected', payment.error ? `[${payment.error.code}] ${payment.error.message}` : 'the order failed', { code });
    }
    count(created ? 'created' : 'existing');
    res.status(created ? 201 : 200).json(startPaymentResponse(payment, request));
  });

  router.get('/v1/payments', auth, budget(async (req, res) => {
    const filters = parse(ListPaymentsQuerySchema, req.query, 'query');
    if (wantsCsv((types) => req.accepts(types))) return exportCsv(filters, res);
    res.json(await list(filters));
  }));

  router.get('/v1/payments/:merchantOrderNo', auth, budget(async (req, res) => {
    const { merchantOrderNo } = params(PaymentParamsSchema, req);
    const [view, webhooks] = await Promise.all([commands.get(merchantOrderNo), deliveries.listIfAvailable(merchantOrderNo)]);
    res.json({ ...paymentResponse(view), ...(webhooks ? { webhooks } : {}) });
  }));

  router.post('/v1/payments/:merchantOrderNo/events/:eventId/redeliver', auth, budget(async (req, res) => {
    const { merchantOrderNo, eventId } = params(EventParamsSchema, req);
    res.status(202).json(await deliveries.redeliver(merchantOrderNo, eventId));
  }));

  router.post('/v1/payments/:merchantOrderNo/cancel', auth, budget(async (req, res) => {
    const { merchantOrderNo } = params(PaymentParamsSchema, req);
    res.json(paymentResponse(await commands.cancel(merchantOrderNo)));
  }));

  router.post('/v1/payments/:merchantOrderNo/refunds', auth, ...jsonBody, budget(async (req, res) => {
    const { merchantOrderNo } = params(PaymentParamsSchema, req);
    const body = parse(CreateRefundBodySchema, req.body, 'request body');
    const { created, refund, currency } = await commands.refundAmount(merchantOrderNo, body);
    res.status(created ? 201 : 200).json(refundResponse(refund, currency));
  }));

  router.get('/v1/payments/:merchantOrderNo/refunds/:refundNo', auth, budget(async (req, res) => {
    const { merchantOrderNo, refundNo } = params(RefundParamsSchema, req);
    const payment = await commands.get(merchantOrderNo);
    const refund = payment.refunds.find((r) => r.refundNo === refundNo);
    if (!refund) throw new ProblemError('refund-not-found', `payment ${merchantOrderNo} has no refund ${refundNo}`);
    res.json(refundResponse(refund, payment.currency));
  }));

  return router;
}
