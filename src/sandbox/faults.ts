import { z } from 'zod';

/** Fault injection knobs of the control API (docs/design.md §5); rates are probabilities per event. */
const rate = z.number().min(0).max(1);
const delayMs = z.number().int().min(0).max(3_600_000);

export const FaultsSchema = z
  .object({
    /** An attempt to deliver a notification is silently not sent (the retry schedule goes on). */
    dropNotifications: rate,
    /** A delivered notification is sent a second time. */
    duplicateNotifications: rate,
    /** Each delivery waits a random time in [0, this] first, so notifications can reorder. */
    delayNotificationsMs: delayMs,
    /** `/api/entry` answers 502/503 without processing. */
    errorRate: rate,
    /** Added before `/api/entry` answers. */
    latencyMs: delayMs,
    /** `/api/entry` processes and commits, then never answers (timeout after commit). */
    timeoutRate: rate,
    /** A response or notification is signed with a key that is not the gateway's. */
    badSignatureRate: rate,
    /** New orders are paid automatically after this delay; 0 = off. */
    autoPayAfterMs: delayMs,
    /** A submitted refund completes after this delay. */
    refundDelayMs: delayMs,
  })
  .strict();
export type Faults = z.infer<typeof FaultsSchema>;

export const FaultsUpdateSchema = FaultsSchema.partial().strict();
export type FaultsUpdate = z.infer<typeof FaultsUpdateSchema>;

export const NO_FAULTS: Faults = {
  dropNotifications: 0,
  duplicateNotifications: 0,
  delayNotificationsMs: 0,
  errorRate: 0,
  latencyMs: 0,
  timeoutRate: 0,
  badSignatureRate: 0,
  autoPayAfterMs: 0,
  refundDelayMs: 0,
};
