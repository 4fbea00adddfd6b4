import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { REVIEW_DECISIONS } from '../workflows/messages';
import type { PaymentCommands } from './payment-commands';
import { paymentResponse } from '../views/payment-view';
import { jsonBody, params, parse } from './payments-router';
import { PaymentParamsSchema } from './payments-schemas';
import { budgeted } from './temporal-failures';

/** An operator's decision on a NEEDS_REVIEW payment (docs/operations.md §8). */
export const ReviewBodySchema = z.strictObject({
  decision: z
    .enum(REVIEW_DECISIONS)
    .describe(
      "accept_codepay_record: CodePay's record, queried again now, becomes final (paid with the right amount → PAID, refunded by a cancel → CANCELLED, closed unpaid → EXPIRED/CANCELLED/FAILED); close_as_failed: FAILED, only when CodePay holds no money for the order",
    ),
  reason: z.string().trim().min(1).max(500).describe('Why (ticket, what was checked); recorded with the decision and the operator'),
});

export type ReviewBody = z.infer<typeof ReviewBodySchema>;

export interface ReviewRouterDeps {
  commands: PaymentCommands;
  /** Operator keys only (requireOperatorKey): sets `res.locals.operator`. */
  auth: RequestHandler;
  /** All Temporal calls of one request end within this (→ 503 + Retry-After; the decision is safe to retry). */
  requestMs: number;
}

/** Operator actions on payments. */
export function createReviewRouter({ commands, auth, requestMs }: ReviewRouterDeps): Router {
  const router = Router();
  router.post('/v1/payments/:merchantOrderNo/review', auth, ...jsonBody, budgeted(requestMs, async (req, res) => {
    const { merchantOrderNo } = params(PaymentParamsSchema, req);
    const body = parse(ReviewBodySchema, req.body, 'request body');
    const operator = String(res.locals.operator);
    res.json(paymentResponse(await commands.review(merchantOrderNo, { ...body, operator })));
  }));
  return router;
}
