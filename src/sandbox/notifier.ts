import type { Logger } from 'pino';
import type { WireValue } from '../codepay/canonical';
import type { NotificationAttempt, PendingNotification } from './ledger';
import type { Scheduler } from './scheduler';

/**
 * Delivers transaction result notifications like CodePay (docs/codepay-protocol.md §4.6): POST the signed flat
 * JSON to `notify_url`; delivered only on HTTP 200 with the body `success`, answered within 5 s;
 * otherwise retried after 5 s, 10 s, 15 s, 30 s, 60 s, 3 min, 10 min, 15 min, 30 min ×3, 3 h ×3
 * (15 attempts, ~12 h), each delay multiplied by `timeScale`. Every attempt is recorded, and the
 * next one is kept on its record (`pendingNotification`) and saved, so a restarted sandbox resumes
 * the schedule where it stopped (`resume`).
 */
export const RETRY_DELAYS_SECONDS = [5, 10, 15, 30, 60, 180, 600, 900, 1800, 1800, 1800, 10_800, 10_800, 10_800];
const ACK_TIMEOUT_MS = 5000;

export interface NotifierFaults {
  dropNotifications: number;
  duplicateNotifications: number;
  delayNotificationsMs: number;
}

export interface NotifierDeps {
  scheduler: Scheduler;
  timeScale: number;
  faults: () => NotifierFaults;
  chance: (rate: number) => boolean;
  random: () => number;
  now: () => number;
  /** Signs each attempt afresh, so the bad-signature fault is drawn per attempt. */
  sign: (fields: Record<string, WireValue>) => Record<string, WireValue>;
  logger: Logger;
  /** Aborted on close: no delivery outlives the sandbox. */
  signal: AbortSignal;
}

/** The order or refund a notification is about: its attempt log and its next attempt. */
export interface NotificationOwner {
  notifications: NotificationAttempt[];
  pendingNotification?: PendingNotification;
}

export interface NotificationJob {
  owner: NotificationOwner;
  label: string;
  /** Saves the owner (the journal), after every attempt and schedule change. */
  save: () => void;
}

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  send(url: string | undefined, fields: Record<string, string>, job: NotificationJob): void {
    if (!url) return;
    this.schedule(job, { url, fields, attempt: 1, dueAt: this.deps.now() });
  }

  /** Continues a schedule saved before a restart; an attempt that was due runs now. */
  resume(job: NotificationJob): void {
    const pending = job.owner.pendingNotification;
    if (pending) this.schedule(job, pending);
  }

  private schedule(job: NotificationJob, pending: PendingNotification): void {
    job.owner.pendingNotification = pending;
    job.save();
    this.deps.scheduler.after(pending.dueAt - this.deps.now(), () => this.attempt(job, pending));
  }

  private attempt(job: NotificationJob, pending: PendingNotification): void {
    const { delayNotificationsMs } = this.deps.faults();
    const jitter = delayNotificationsMs > 0 ? Math.floor(this.deps.random() * (delayNotificationsMs + 1)) : 0;
    const attempt = pending.attempt;
    this.deps.scheduler.after(jitter, async () => {
      const faults = this.deps.faults();
      if (this.deps.chance(faults.dropNotifications)) {
        this.record(job, { attempt, outcome: 'dropped' });
        this.retry(job, pending);
        return;
      }
      const result = await this.post(pending);
      if (this.deps.signal.aborted) return;
      this.record(job, { attempt, ...result });
      if (result.outcome !== 'acked') {
        this.retry(job, pending);
        return;
      }
      delete job.owner.pendingNotification;
      job.save();
      if (this.deps.chance(this.deps.faults().duplicateNotifications)) {
        const duplicate = await this.post(pending);
        this.record(job, { attempt, duplicate: true, ...duplicate });
        job.save();
      }
    });
  }

  private retry(job: NotificationJob, pending: PendingNotification): void {
    const delaySeconds = RETRY_DELAYS_SECONDS[pending.attempt - 1];
    if (delaySeconds === undefined) {
      this.deps.logger.warn({ notification: job.label, attempts: pending.attempt }, 'notification retries exhausted');
      delete job.owner.pendingNotification;
      job.save();
      return;
    }
    const dueAt = this.deps.now() + Math.round(delaySeconds * 1000 * this.deps.timeScale);
    this.schedule(job, { ...pending, attempt: pending.attempt + 1, dueAt });
  }

  private async post(pending: PendingNotification): Promise<Pick<NotificationAttempt, 'outcome' | 'httpStatus' | 'error'>> {
    try {
      const response = await fetch(pending.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(this.deps.sign(pending.fields)),
        signal: AbortSignal.any([AbortSignal.timeout(ACK_TIMEOUT_MS), this.deps.signal]),
      });
      const body = await response.text();
      const acked = response.status === 200 && body.trim() === 'success';
      return { outcome: acked ? 'acked' : 'rejected', httpStatus: response.status };
    } catch (err) {
      return { outcome: 'failed', error: (err as Error).name === 'TimeoutError' ? 'no answer within 5 s' : (err as Error).message };
    }
  }

  private record(job: NotificationJob, attempt: Omit<NotificationAttempt, 'at'>): void {
    if (this.deps.signal.aborted) return;
    job.owner.notifications.push({ ...attempt, at: new Date(this.deps.now()).toISOString() });
    this.deps.logger.debug({ notification: job.label, ...attempt }, 'notification attempt');
  }
}
