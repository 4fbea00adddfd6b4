/**
 * One reconciliation run over a window [from, to) (docs/design.md §11): pages of payments from
 * visibility, each page checked by one activity (CodePay queries paced and retried there), the
 * summary saved after each page so the API shows progress, continue-as-new before the history
 * grows, so 100,000 payments fit. It moves no money: a payment that disagrees gets the finding as
 * a signal and its own workflow moves it to NEEDS_REVIEW.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import { addBatch, previousUtcDay, progressLine, type ReportSummary } from '../reconciliation/report';
import { getReconciliationQuery, type ReconciliationInput } from './reconciliation-messages';

export const DEFAULT_RECONCILIATION_PAGE_SIZE = 200;
/** Well under Temporal's 10,240-event warning: 18 events a page, about 110 pages (22,000 payments) per run. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/** Set by Temporal on every scheduled run: the time it was due, also for a catch-up run started late. */
const ScheduledStartTimeKey = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);


const { countReconciliationPayments, listReconciliationPage, saveReconciliationSummary } = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { reconcileBatch } = proxyActivities<ReconciliationActivities>({
  // CodePay outages are ridden out inside the batch (heartbeating); a lost worker is noticed by the heartbeat.
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReportSummary> {
  const info = workflowInfo();
  const window = input.from && input.to ? { from: input.from, to: input.to } : previousUtcDay(info.typedSearchAttributes.get(ScheduledStartTimeKey) ?? info.startTime);
  let summary: ReportSummary = input.carried?.summary ?? {
    id: info.workflowId,
    status: 'RUNNING',
    ...window,
    trigger: input.trigger,
    startedAt: new Date().toISOString(),
    total: 0,
    checked: 0,
    matched: 0,
    pending: 0,
    exceptions: 0,
    totals: {},
  };
  const taskQueue = info.taskQueue;
  let batch = input.carried?.batch ?? 0;
  let pageToken = input.carried?.pageToken;
  setHandler(getReconciliationQuery, () => summary);
  const show = () => setCurrentDetails(progressLine(summary));
  show();

  try {
    if (!input.carried) {
      summary = { ...summary, total: await countReconciliationPayments({ ...window, taskQueue }) };
      await saveReconciliationSummary({ ...summary, begin: true });
      show();
    }
    const limit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
    for (;;) {
      const page = await listReconciliationPage({ ...window, taskQueue, pageSize: input.pageSize ?? DEFAULT_RECONCILIATION_PAGE_SIZE, pageToken });
      if (page.payments.length > 0) {
        batch += 1;
        summary = addBatch(summary, await reconcileBatch({ id: summary.id, batch, ...window, payments: page.payments }));
        await saveReconciliationSummary(summary);
        show();
      }
      if (!page.nextPageToken) break;
      pageToken = page.nextPageToken;
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit) {
        await continueAsNew<typeof reconciliationWorkflow>({ ...input, ...window, carried: { summary, batch, pageToken } });
      }
    }
    summary = { ...summary, status: 'COMPLETED', finishedAt: new Date().toISOString() };
    await saveReconciliationSummary(summary);
    show();
    return summary;
  } catch (error) {
    // Only a non-retryable failure (CodePay configuration, a rejected query) ends a run: say so in the report.
    if (!(error instanceof ApplicationFailure) && !(error instanceof ActivityFailure)) throw error;
    summary = { ...summary, status: 'FAILED', finishedAt: new Date().toISOString(), error: error.message };
    await saveReconciliationSummary(summary);
    show();
    throw error;
  }
}
