import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../config';
import {
  getMerchantEventQuery,
  getWebhookDeliveriesQuery,
  merchantWebhooksWorkflowId,
  paymentWorkflowId,
  redeliverMerchantEventSignal,
  webhookRedeliveredSignal,
  type MerchantEvent,
  type WebhookDeliveryView,
  type WebhookRedelivery,
} from '../workflows/messages';
// Type only, and started by name: the API process never loads workflow code.
import type { merchantWebhookWorkflow } from '../workflows';
import { translate, translateWrite, type TemporalTimeouts } from './payment-commands';
import { ProblemError } from './problem';
import { withDeadline } from './temporal-failures';
import { readWorkflowState } from './workflow-reads';

/**
 * The merchant webhook side of a payment, read from and sent to its delivery workflow
 * `webhooks-<merchantOrderNo>` (docs/webhooks.md). A payment without one (webhooks off, or nothing
 * emitted yet) simply has no deliveries.
 */
export class WebhookDeliveries {
  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'temporal' | 'merchantWebhooks'>,
    private readonly timeouts: Pick<TemporalTimeouts, 'requestMs' | 'signalMs'>,
  ) {}

  async list(merchantOrderNo: string): Promise<WebhookDeliveryView[]> {
    try {
      return await this.read(merchantOrderNo, (handle) => handle.query(getWebhookDeliveriesQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return [];
      throw translate(err);
    }
  }

  /**
   * For the payment view: the deliveries, or undefined when they cannot be read in time. The
   * delivery workflow's state must never cost the merchant the payment itself.
   */
  async listIfAvailable(merchantOrderNo: string): Promise<WebhookDeliveryView[] | undefined> {
    try {
      return await this.list(merchantOrderNo);
    } catch {
      // Whatever the delivery workflow's trouble (unreachable, or its query failing), the merchant
      // still gets the payment; `webhooks` is then left out of the view.
      return undefined;
    }
  }

  /**
   * Sends one event again from a fresh retry schedule; a finished delivery workflow starts a new run
   * for it. An operator's redelivery is also noted in the payment's log, while the payment is open.
   */
  async redeliver(merchantOrderNo: string, eventId: string, operator?: string): Promise<WebhookDeliveryView> {
    const event = await this.findEvent(merchantOrderNo, eventId);
    if (!event) throw new ProblemError('event-not-found', `payment ${merchantOrderNo} has no webhook event ${eventId}`);
    const found = event;
    await withDeadline(this.client, this.timeouts.signalMs, () =>
      this.client.workflow.signalWithStart<typeof merchantWebhookWorkflow, [MerchantEvent]>('merchantWebhookWorkflow', {
        workflowId: merchantWebhooksWorkflowId(merchantOrderNo),
        taskQueue: this.config.temporal.taskQueue,
        args: [{ merchantOrderNo, retryScheduleMs: this.config.merchantWebhooks.retryScheduleMs }],
        signal: redeliverMerchantEventSignal,
        signalArgs: [found],
        staticSummary: `Webhooks of payment ${merchantOrderNo}`,
      }),
    ).catch((err: unknown) => {
      throw translateWrite(err, `event ${eventId} may have been queued again; a retry sends it again under the same webhook-id, which receivers dedupe`);
    });
    if (operator) await this.noteRedelivery(merchantOrderNo, { eventId: event.id, operator });
    return { eventId: event.id, type: event.type, timestamp: event.timestamp, status: 'pending', attempts: 0 };
  }

  private async noteRedelivery(merchantOrderNo: string, redelivery: WebhookRedelivery): Promise<void> {
    const payment = this.client.workflow.getHandle(paymentWorkflowId(merchantOrderNo));
    await withDeadline(this.client, this.timeouts.signalMs, () => payment.signal(webhookRedeliveredSignal, redelivery)).catch((err: unknown) => {
      // A closed payment takes no signal: the redelivery is done, and the API's log names the operator.
      if (err instanceof WorkflowNotFoundError) return;
      throw translateWrite(err, `event ${redelivery.eventId} was queued again, its note in the payment's log may be missing; no retry needed`);
    });
  }

  /**
   * The event in the current delivery run, else in an earlier one: a run completes once its payment
   * is final and a later event or redelivery starts a new run, so the payment's events are spread
   * over its runs (each queryable until the namespace's retention).
   */
  private async findEvent(merchantOrderNo: string, eventId: string): Promise<MerchantEvent | null> {
    try {
      const current = await this.read(merchantOrderNo, (handle) => handle.query(getMerchantEventQuery, eventId));
      if (current) return current;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw translate(err);
    }
    const workflowId = merchantWebhooksWorkflowId(merchantOrderNo);
    let runs: string[];
    try {
      runs = [];
      // The order number is validated (letters, digits, _ - * @): nothing to escape in the query.
      for await (const run of this.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    } catch (err) {
      throw translate(err);
    }
    for (const runId of runs) {
      const handle = this.client.workflow.getHandle(workflowId, runId);
      const found = await readWorkflowState(this.client, handle, this.timeouts.requestMs, () => handle.query(getMerchantEventQuery, eventId), { resultIsState: false });
      if (found) return found;
    }
    return null;
  }

  private read<T>(merchantOrderNo: string, call: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>): Promise<T> {
    const handle = this.client.workflow.getHandle(merchantWebhooksWorkflowId(merchantOrderNo));
    // The delivery workflow's result is not its deliveries: a closed one is queried (replayed) too.
    return readWorkflowState(this.client, handle, this.timeouts.requestMs, () => call(handle), { resultIsState: false });
  }
}
