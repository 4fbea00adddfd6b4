import { percentile } from '../../src/tools/progress';
import { throughput } from './samples';

/**
 * The webhook run second by second (by send time): the acknowledgement p99 of the notifications sent
 * in each second beside the CodePay calls the worker made in it, so a tail can be matched with the
 * work competing with it (the open payments' polls come in waves: they were opened together).
 */
export interface WebhookSeconds {
  /** Epoch ms of second 0 (the loop's start). */
  startedAtMs: number;
  sent: number[];
  ackP99Ms: (number | null)[];
  codepayCalls: number[];
}

export function webhookSeconds(acks: readonly { sentAtMs: number; ackMs: number }[], callsAtMs: readonly number[], startedAtMs: number): WebhookSeconds {
  const bySecond: number[][] = [];
  for (const { sentAtMs, ackMs } of acks) {
    const second = Math.max(0, Math.floor((sentAtMs - startedAtMs) / 1000));
    while (bySecond.length <= second) bySecond.push([]);
    bySecond[second]!.push(ackMs);
  }
  const calls = throughput(callsAtMs.filter((at) => at >= startedAtMs && at < startedAtMs + bySecond.length * 1000), startedAtMs).perSecond;
  while (calls.length < bySecond.length) calls.push(0);
  return {
    startedAtMs,
    sent: bySecond.map((s) => s.length),
    ackP99Ms: bySecond.map((s) => {
      const p99 = percentile(s, 99);
      return p99 === undefined ? null : Math.round(p99 * 10) / 10;
    }),
    codepayCalls: calls,
  };
}
