import type { Logger } from 'pino';
import type { WireValue } from '../codepay/canonical';
import type { NotificationAttempt } from './ledger';
import type { Scheduler } from './scheduler';

/**
 * Delivers transaction result notifications like CodePay (docs/codepay-protocol.md §4.6): POST the signed flat
 * JSON to `notify_url`; delivered only on HTTP 200 with the body `success`, answered within 5 s;
 * otherwise retried after 5 s, 10 s, 15 s, 30 s, 60 s, 3 min, 10 min, 15 min, 30 min ×3, 3 h ×3
 * (15 attempts, ~12 h), each delay multiplied by `timeScale`. Every attempt is recorded.
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

interface Job {
  url: string;
  fields: Record<string, WireValue>;
  /** The record's attempt log (order or refund), appended to in place. */
  log: NotificationAttempt[];
  label: string;
}

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  send(url: string | undefined, fields: Record<string, WireValue>, log: NotificationAttempt[], label: string): void {
    if (!url) return;
    this.attempt({ url, fields, log, label }, 1);
  }

  private attempt(job: Job, attempt: number): void {
    const { delayNotificationsMs } = this.deps.faults();
    const jitter = delayNotificationsMs > 0 ? Math.floor(this.deps.random() * (delayNotificationsMs + 1)) : 0;
    this.deps.scheduler.after(jitter, async () => {
      const faults = this.deps.faults();
      if (this.deps.chance(faults.dropNotifications)) {
        this.record(job, { attempt, outcome: 'dropped' });
        this.retry(job, attempt);
        return;
      }
      const result = await this.post(job);
      this.record(job, { attempt, ...result });
      if (result.outcome !== 'acked') {
        this.retry(job, attempt);
      } else if (this.deps.chance(this.deps.faults().duplicateNotifications)) {
        this.record(job, { attempt, duplicate: true, ...(await this.post(job)) });
      }
    });
  }

  private retry(job: Job, attempt: number): void {
    const delaySeconds = RETRY_DELAYS_SECONDS[attempt - 1];
    if (delaySeconds === undefined) {
      this.deps.logger.warn({ notification: job.label, attempts: attempt }, 'notification retries exhausted');
      return;
    }
    this.deps.scheduler.after(Math.round(delaySeconds * 1000 * this.deps.timeScale), () => this.attempt(job, attempt + 1));
  }

  private async post(job: Job): Promise<Pick<NotificationAttempt, 'outcome' | 'httpStatus' | 'error'>> {
    try {
      const response = await fetch(job.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(this.deps.sign(job.fields)),
        signal: AbortSignal.any([AbortSignal.timeout(ACK_TIMEOUT_MS), this.deps.signal]),
      });
      const body = await response.text();
      const acked = response.status === 200 && body.trim() === 'success';
      return { outcome: acked ? 'acked' : 'rejected', httpStatus: response.status };
    } catch (err) {
      return { outcome: 'failed', error: (err as Error).name === 'TimeoutError' ? 'no answer within 5 s' : (err as Error).message };
    }
  }

  private record(job: Job, attempt: Omit<NotificationAttempt, 'at'>): void {
    if (this.deps.signal.aborted) return;
    job.log.push({ ...attempt, at: new Date(this.deps.now()).toISOString() });
    this.deps.logger.debug({ notification: job.label, ...attempt }, 'notification attempt');
  }
}
