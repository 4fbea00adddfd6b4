import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair, type TypedSearchAttributes } from '@temporalio/common';
import type { PaymentState } from './payment-state';

/** Custom search attributes of docs/design.md §2.6; every payment transition upserts them. */
export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const MerchantOrderNoKey = defineSearchAttributeKey('MerchantOrderNo', SearchAttributeType.KEYWORD);
export const CodePayTransNoKey = defineSearchAttributeKey('CodePayTransNo', SearchAttributeType.KEYWORD);
export const AmountMinorKey = defineSearchAttributeKey('AmountMinor', SearchAttributeType.INT);
export const CurrencyKey = defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD);
/** When the payment was created (first run's start), for the payments list's date filters. */
export const PaymentCreatedAtKey = defineSearchAttributeKey('PaymentCreatedAt', SearchAttributeType.DATETIME);

export const PAYMENT_SEARCH_ATTRIBUTES = [
  PaymentStatusKey,
  MerchantOrderNoKey,
  CodePayTransNoKey,
  AmountMinorKey,
  CurrencyKey,
  PaymentCreatedAtKey,
] as const;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime' };
  return PAYMENT_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}

/** What the payment workflow keeps indexed and compares before each upsert. */
export interface PublishedPayment {
  status?: string;
  transNo?: string;
  /** Set once the static attributes (order number, amount, currency, creation time) are indexed. */
  amount?: number;
}

/**
 * What the start indexes (the API's start): the payment as its first workflow task
 * finds it, `CREATING`, so that task upserts nothing, and listable by creation time before it.
 * `CREATING` stays true while CodePay's create is retried (operations.md: PaymentsStuckCreating);
 * the create's end upserts `AWAITING_PAYMENT` or `FAILED` (docs/design.md §2.6).
 */
export function paymentStartSearchAttributes(payment: { merchantOrderNo: string; amountMinor: number; currency: string }, createdAt: Date): SearchAttributePair[] {
  return [
    { key: PaymentStatusKey, value: 'CREATING' },
    { key: MerchantOrderNoKey, value: payment.merchantOrderNo },
    { key: AmountMinorKey, value: payment.amountMinor },
    { key: CurrencyKey, value: payment.currency },
    { key: PaymentCreatedAtKey, value: createdAt },
  ];
}

/**
 * What the run found indexed at its start: the API's start sets every static attribute
 * and `CREATING`, a continued run inherits its predecessor's. Nothing is upserted twice then.
 */
export function publishedAtStart(attributes: TypedSearchAttributes): PublishedPayment {
  const statics = [MerchantOrderNoKey, CurrencyKey, PaymentCreatedAtKey].every((key) => attributes.get(key) !== undefined);
  return { status: attributes.get(PaymentStatusKey), transNo: attributes.get(CodePayTransNoKey), amount: statics ? attributes.get(AmountMinorKey) : undefined };
}

/**
 * What to upsert after a step: only the attributes that differ from what is indexed (each upsert
 * is a history event), and what is indexed afterwards.
 */
export function searchAttributeUpdates(published: PublishedPayment, state: PaymentState): { updates: SearchAttributeUpdatePair[]; published: PublishedPayment } {
  const updates: SearchAttributeUpdatePair[] = [];
  if (published.status !== state.status) updates.push({ key: PaymentStatusKey, value: state.status });
  if (state.codepayTransNo !== undefined && published.transNo !== state.codepayTransNo) updates.push({ key: CodePayTransNoKey, value: state.codepayTransNo });
  if (published.amount === undefined) {
    updates.push(
      { key: MerchantOrderNoKey, value: state.merchantOrderNo },
      { key: AmountMinorKey, value: state.amountMinor },
      { key: CurrencyKey, value: state.currency },
      { key: PaymentCreatedAtKey, value: new Date(state.createdAt) },
    );
  }
  return { updates, published: { status: state.status, transNo: state.codepayTransNo, amount: state.amountMinor } };
}
