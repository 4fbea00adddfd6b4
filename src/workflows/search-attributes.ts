import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
