/**
 * Human-readable text for the Temporal Web UI. Pure and free of SDK runtime imports, so the API
 * can set the static summary/details when it starts a payment and the workflow can refresh its
 * current details on every transition.
 */
import { toDecimalString } from '../codepay/money';
import type { PaymentRequest } from './messages';
import type { PaymentState } from './payment-state';

const money = (minor: number, currency: string) => `${toDecimalString(minor, currency)} ${currency}`;

export function paymentStaticSummary(input: Pick<PaymentRequest, 'merchantOrderNo' | 'amountMinor' | 'currency'>): string {
  return `CodePay payment ${input.merchantOrderNo} · ${money(input.amountMinor, input.currency)}`;
}

export function paymentStaticDetails(input: PaymentRequest): string {
  const lines = [
    `**Order** ${input.merchantOrderNo}`,
    `**Amount** ${money(input.amountMinor, input.currency)}`,
    `**Description** ${input.description}`,
    `**Expires after** ${input.expiresInSeconds} s`,
  ];
  if (input.payMethodId) lines.push(`**Pay method** ${input.payMethodId}`);
  return lines.join('\n\n');
}

export function paymentCurrentDetails(state: PaymentState): string {
  const parts = [`**${state.status}**`];
  if (state.paidAmountMinor > 0) parts.push(`paid ${money(state.paidAmountMinor, state.currency)}`);
  if (state.refundedAmountMinor > 0) parts.push(`refunded ${money(state.refundedAmountMinor, state.currency)}`);
  const pending = state.refunds.filter((r) => r.status === 'PENDING').length;
  if (pending > 0) parts.push(`${pending} refund(s) in flight`);
  if (state.codepayTransNo) parts.push(`CodePay trans ${state.codepayTransNo}`);
  const resolution = state.review?.resolution;
  if (resolution) parts.push(`reviewed by ${resolution.operator} (${resolution.decision}): ${resolution.reason}`);
  else if (state.review) parts.push(`review: ${state.review.reason}`);
  if (state.error) parts.push(`error ${state.error.code}: ${state.error.message}`);
  parts.push(`updated ${state.updatedAt}`);
  return parts.join(' · ');
}

export function refundStaticSummary(input: { refundNo: string; merchantOrderNo: string; amountMinor: number; currency: string }): string {
  return `CodePay refund ${input.refundNo} of ${input.merchantOrderNo} · ${money(input.amountMinor, input.currency)}`;
}
