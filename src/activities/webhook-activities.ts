/**
 * Merchant webhooks as activities (docs/webhooks.md). `emitMerchantEvents` is the payment workflow's
 * local activity: it signal-with-starts the payment's delivery workflow and returns, so the
 * payment never waits on the merchant. `deliverMerchantEvent` first asks the payment which version
 * of the event its recorded history holds (a query: it sees only completed workflow tasks, and
 * waits for one in flight), then makes one signed POST attempt of that version with a 10 s
 * timeout; it reports the answer instead of throwing, and the delivery workflow decides.
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { LiveFiles } from '../secrets/live-file';
import { recordedVersion } from '../workflows/merchant-events';
import { getMerchantEventStampsQuery, merchantEventsSignal, merchantWebhooksWorkflowId, paymentWorkflowId, type MerchantEvent } from '../workflows/messages';
import type { AttemptResult, MerchantWebhookInput } from '../workflows/webhook-delivery-state';
import { merchantEventBody } from '../webhooks/event-body';
import { merchantWebhookSigner } from '../webhooks/webhook-signer';
import { HttpTimeoutError, httpPost, type HttpPost } from '../net/http-post';
import { inClientSpan, ORDER_NO_ATTRIBUTE, withTraceHeaders } from '../telemetry/spans';

export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

export interface WebhookActivities {
  /** `opening`: the payment's first batch, which starts its delivery workflow with the events as input. */
  emitMerchantEvents(events: MerchantEvent[], opening?: boolean): Promise<void>;
  /** `versions`: what was handed over under one id, the first first (delivery-state `versions`). */
  deliverMerchantEvent(versions: MerchantEvent[]): Promise<AttemptResult>;
}

export interface WebhookActivityDeps {
  config: Pick<Config, 'merchantWebhooks'>;
  client: Client;
  /** How attempts are sent (tests); node:http(s) with keep-alive by default. */
  post?: HttpPost;
  /** The process's live files: MERCHANT_WEBHOOK_SECRET_FILE is re-read through them. */
  files?: LiveFiles;
}

export function createWebhookActivities({ config, client, post = httpPost, files }: WebhookActivityDeps): WebhookActivities {
  const { url, retryScheduleMs } = config.merchantWebhooks;
  const signer = merchantWebhookSigner(config.merchantWebhooks, files);
  return {
    async emitMerchantEvents(events, opening = false) {
      // No endpoint configured: the merchant hears nothing and nothing piles up.
      if (!url || events.length === 0) return;
      const merchantOrderNo = events[0]!.payment.merchantOrderNo;
      // Started by name: activities never load workflow code.
      const options = { workflowId: merchantWebhooksWorkflowId(merchantOrderNo), taskQueue: Context.current().info.taskQueue, staticSummary: `Webhooks of payment ${merchantOrderNo}` };
      const input: MerchantWebhookInput = { merchantOrderNo, retryScheduleMs };
      type Delivery = (input: MerchantWebhookInput) => Promise<void>;
      if (opening) {
        // The first batch as the start's input: one signal event less in the delivery's history.
        try {
          await client.workflow.start<Delivery>('merchantWebhookWorkflow', { ...options, args: [{ ...input, events }], workflowIdConflictPolicy: 'FAIL' });
          return;
        } catch (error) {
          // Started already (this batch's earlier attempt, from a task that was then lost): signal it.
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }
      await client.workflow.signalWithStart<Delivery, [MerchantEvent[]]>('merchantWebhookWorkflow', { ...options, args: [input], signal: merchantEventsSignal, signalArgs: [events] });
    },

    async deliverMerchantEvent(versions) {
      if (!url || !signer) return { delivered: false, error: 'MERCHANT_WEBHOOK_URL or MERCHANT_WEBHOOK_SECRET is not configured' };
      const first = versions[0]!;
      let sent: number | undefined;
      try {
        const stamps = await client.workflow.getHandle(paymentWorkflowId(first.payment.merchantOrderNo)).query(getMerchantEventStampsQuery);
        sent = recordedVersion(versions, stamps);
      } catch (error) {
        return { delivered: false, error: `payment not readable: ${describe(error)}` };
      }
      if (sent === undefined) return { delivered: false, error: `event ${first.id} is not (yet) in the payment's recorded history` };
      const event = versions[sent]!;
      const body = JSON.stringify(merchantEventBody(event));
      const sentAt = new Date();
      // The merchant's host only: a URL's path or query may carry the merchant's own token.
      const attributes = { 'merchant_webhook.event_type': event.type, 'merchant_webhook.event_id': event.id, [ORDER_NO_ATTRIBUTE]: event.payment.merchantOrderNo, 'server.address': new URL(url).host };
      return inClientSpan('merchant webhook POST', attributes, async (span) => {
        try {
          // A redirect is not a delivery (node:http follows none): the merchant must configure the final URL.
          const response = await post(url, {
            headers: withTraceHeaders({
              'content-type': 'application/json',
              'user-agent': 'codepay-temporal-webhooks/1',
              'webhook-id': event.id,
              'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
              'webhook-signature': signer.sign(event.id, sentAt, body),
            }),
            body,
            timeoutMs: WEBHOOK_ATTEMPT_TIMEOUT_MS,
            readBody: false,
          });
          const delivered = response.status >= 200 && response.status < 300;
          span.setAttribute('http.response.status_code', response.status);
          return { delivered, sent, status: response.status, ...(delivered ? {} : { error: `HTTP ${response.status}` }) };
        } catch (error) {
          return { delivered: false, sent, error: error instanceof HttpTimeoutError ? `no answer within ${WEBHOOK_ATTEMPT_TIMEOUT_MS / 1000} s` : describe(error) };
        }
      });
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
