import type { KeyObject } from 'node:crypto';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import express, { type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { parseNotification, type NotificationRecipient } from '../codepay/notification';
import type { CodePayNotification } from '../codepay/model';
import { codepayNotificationSignal, paymentWorkflowId, refundWorkflowId } from '../workflows/messages';
import type { ApiMetrics, WebhookResult, WebhookStage } from './metrics';
import { tagActiveSpanWithOrder } from '../telemetry/spans';
import { ProblemError } from './problem';
import { type Lap, startLaps } from './stage-laps';
import { budgeted, isClosedWorkflow, isTemporalUnavailable, withDeadline } from './temporal-failures';

/** A notification is a few hundred bytes; CodePay never sends anything near this. */
export const WEBHOOK_BODY_LIMIT = '64kb';
export const WEBHOOK_PATH = '/webhooks/codepay';

export interface WebhookRouterDeps {
  client: Client;
  /** CodePay's keys in force now (re-read from their files while running). */
  gatewayPublicKeys: () => KeyObject[];
  logger: Logger;
  metrics: ApiMetrics;
  /** Empty: any source. Compared with `req.ip`, so it follows the app's `trust proxy` setting. */
  allowedIps: readonly string[];
  signalTimeoutMs: number;
  /** All Temporal calls of one delivery end within this. */
  requestMs: number;
  /** Our merchant: notifications for any other (or naming none) change nothing. */
  recipient: NotificationRecipient;
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) and `1.2.3.4` are the same caller. */
export const normalizeIp = (ip: string) => ip.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();

/** Where a notification goes: the payment's workflow, or the refund's child workflow. */
export function notificationTarget(notification: CodePayNotification): string {
  return notification.kind === 'payment'
    ? paymentWorkflowId(notification.fact.merchantOrderNo)
    : refundWorkflowId(notification.fact.refundNo);
}

/** The payment a refund notification names, when the refund's own workflow does not exist. */
export function foreignRefundTarget(notification: CodePayNotification): string | undefined {
  if (notification.kind !== 'refund' || !notification.fact.origMerchantOrderNo) return undefined;
  return paymentWorkflowId(notification.fact.origMerchantOrderNo);
}

/**
 * docs/design.md §3: CodePay → verified notification, bound to our merchant → signal. `success` is answered only after
 * Temporal accepted the signal (durable from then on); every other answer makes CodePay retry, so
 * nothing is lost. A notification never starts a workflow.
 *
 * A workflow that exists but is closed gets `success`: its state is final and was reconciled by
 * the workflow itself (it queries CodePay before closing), so a retrying CodePay would only repeat
 * a stale fact for 12 hours. It is logged as a warning with the fact for an operator to see.
 */
export function createWebhookRouter(deps: WebhookRouterDeps): Router {
  const { client, gatewayPublicKeys, logger, metrics, signalTimeoutMs, requestMs } = deps;
  const router = Router();
  const count = (result: WebhookResult) => metrics.webhookOutcomes.inc({ result });
  const allowed = new Set(deps.allowedIps.map(normalizeIp));
  const observeStage = (stage: WebhookStage, seconds: number) => metrics.webhookStages.observe({ stage }, seconds);
  const laps = (res: express.Response) => res.locals.webhookLaps as Lap<WebhookStage>;

  /** Starts the request's stage stopwatch; `respond` ends when the answer is written, whatever it is. */
  const stopwatch: RequestHandler = (_req, res, next) => {
    const lap = startLaps(observeStage);
    res.locals.webhookLaps = lap;
    res.once('finish', () => lap('respond'));
    next();
  };

  const allowList: RequestHandler = (req, _res, next) => {
    if (allowed.size === 0 || allowed.has(normalizeIp(req.ip ?? ''))) return next();
    count('forbidden');
    logger.warn({ ip: req.ip, outcome: 'forbidden' }, 'webhook from a source outside the allow-list');
    next(new ProblemError('forbidden', 'source address is not allowed to notify'));
  };

  /**
   * Temporal out of reach → 503 (CodePay retries); anything else is a bug and stays a 500. The signal
   * may have been taken all the same: harmless, a workflow applies a repeated notification once.
   */
  const unavailable = (err: unknown, log: Logger): unknown => {
    if (!isTemporalUnavailable(err)) return err;
    count('temporal_unavailable');
    log.error({ outcome: 'temporal_unavailable', err: (err as Error).message }, 'Temporal unreachable; CodePay will retry');
    return new ProblemError('temporal-unavailable', 'the notification may have been taken; CodePay retries it, and a repeat is applied once', { outcome: 'unknown' });
  };

  const raw = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });
  const rawBody: RequestHandler = (req, res, next) =>
    raw(req, res, (err?: unknown) => {
      if (err && typeof err === 'object' && 'type' in err && err.type === 'entity.too.large') {
        count('too_large');
        logger.warn({ outcome: 'too_large' }, 'webhook body over the limit');
      }
      next(err);
    });

  /** Signals the payment a refund made outside the service; its workflow confirms with CodePay before recording anything. */
  async function signalPayment(workflowId: string, notification: CodePayNotification, log: Logger, res: express.Response): Promise<void> {
    const handle = client.workflow.getHandle(workflowId);
    try {
      await withDeadline(client, signalTimeoutMs, () => handle.signal(codepayNotificationSignal, notification));
      count('acked');
      log.info({ outcome: 'acked', payment: workflowId }, 'refund under an unknown number signalled to its payment');
      res.type('text/plain').send('success');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw unavailable(err, log);
      const closed = await withDeadline(client, signalTimeoutMs, () => isClosedWorkflow(handle)).catch((describeErr: unknown) => {
        throw unavailable(describeErr, log);
      });
      if (!closed) {
        count('unknown_order');
        throw new ProblemError('not-found', `no workflow for the refund nor its payment ${workflowId}`);
      }
      count('closed');
      log.warn({ outcome: 'closed', fact: notification.fact, payment: workflowId }, 'refund made outside the service for a closed payment: acknowledged, not applied');
      res.type('text/plain').send('success');
    }
  }

  router.post(WEBHOOK_PATH, stopwatch, allowList, rawBody, budgeted(requestMs, async (req, res) => {
    const lap = laps(res);
    lap('receive');
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const parsed = parseNotification(body, req.get('content-type'), gatewayPublicKeys(), deps.recipient, lap);
    if (!parsed.ok) {
      count(parsed.reason);
      logger.warn({ outcome: parsed.reason, detail: parsed.detail }, 'webhook rejected');
      // Another merchant's notification: 403, never `success` (nothing was applied), so CodePay keeps
      // it as undelivered and retries; if our CODEPAY_APP_ID/MERCHANT_NO were wrong, nothing is lost.
      if (parsed.reason === 'foreign_merchant') throw new ProblemError('foreign-merchant', parsed.detail);
      throw parsed.reason === 'bad_signature'
        ? new ProblemError('bad-signature', parsed.detail)
        : new ProblemError('validation', parsed.detail, { errors: [{ field: 'body', message: parsed.detail }] });
    }
    const { notification, merchantOrderNo } = parsed;
    tagActiveSpanWithOrder(merchantOrderNo);
    const workflowId = notificationTarget(notification);
    const log = logger.child({ merchantOrderNo, kind: notification.kind, transStatus: notification.fact.transStatus, workflowId });
    const handle = client.workflow.getHandle(workflowId);
    try {
      await withDeadline(client, signalTimeoutMs, () => handle.signal(codepayNotificationSignal, notification));
      lap('signal');
      count('acked');
      log.info({ outcome: 'acked' }, 'notification signalled');
      res.type('text/plain').send('success');
    } catch (err) {
      lap('signal');
      if (err instanceof WorkflowNotFoundError) {
        let closed: boolean;
        try {
          closed = await withDeadline(client, signalTimeoutMs, () => isClosedWorkflow(handle));
        } catch (describeErr) {
          throw unavailable(describeErr, log);
        }
        if (closed) {
          count('closed');
          log.warn({ outcome: 'closed', fact: notification.fact }, 'notification for a closed workflow acknowledged, not applied');
          res.type('text/plain').send('success');
          return;
        }
        // A refund number we never issued (CodePay's merchant portal): a claim for its payment to confirm.
        const payment = foreignRefundTarget(notification);
        if (payment) {
          await signalPayment(payment, notification, log, res);
          return;
        }
        count('unknown_order');
        log.warn({ outcome: 'unknown_order' }, 'notification for an unknown order');
        throw new ProblemError('not-found', `no workflow for ${notification.kind} ${merchantOrderNo}`);
      }
      throw unavailable(err, log);
    }
  }));

  return router;
}
