/**
 * Which of the payment workflow's behaviour changes a run has, in as few history events as
 * possible (docs/performance.md, "Fewer events per payment").
 *
 * Each `patched()` that returns true costs a run two events: its marker and the SDK's upsert of
 * `TemporalChangeVersion`. A run started since `lean-history` records that one patch and has every
 * earlier change without asking for it; a run started before replays asking for each patch where
 * it always did, so its history keeps replaying. Changes after `lean-history` are patched as usual.
 */
import { patched } from '@temporalio/workflow';

export const LEAN_HISTORY_PATCH = 'lean-history';

export interface HistoryVersion {
  /** Started since `lean-history`: CodePay calls as local activities, search attributes only where they differ. */
  readonly lean: boolean;
  /** Whether the run has the change patched as `patchId` (always, for a lean run). */
  has(patchId: string): boolean;
}

/** Call first in the workflow, before anything else records a command. */
export function historyVersion(): HistoryVersion {
  const lean = patched(LEAN_HISTORY_PATCH);
  return { lean, has: (patchId) => lean || patched(patchId) };
}
