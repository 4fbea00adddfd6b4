/** The reconciliation workflow's contract (docs/design.md §11), shared by the workflow, the API and the schedule. */
import { defineQuery } from '@temporalio/workflow';
import type { ReconciliationTrigger, ReportSummary } from '../reconciliation/report';

export const RECONCILIATION_WORKFLOW_TYPE = 'reconciliationWorkflow';

export interface ReconciliationInput {
  /** The window; absent on the schedule's runs, which take the UTC day before their scheduled time. */
  from?: string;
  to?: string;
  trigger: ReconciliationTrigger;
  pageSize?: number;
  carried?: { summary: ReportSummary; batch: number; pageToken?: string };
  continueAsNewAfterEvents?: number;
}

export const getReconciliationQuery = defineQuery<ReportSummary>('getReconciliation');
