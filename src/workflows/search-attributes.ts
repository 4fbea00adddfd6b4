import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes of docs/design.md §2.6; every payment transition upserts them. */
export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const MerchantOrderNoKey = defineSearchAttributeKey('MerchantOrderNo', SearchAttributeType.KEYWORD);
export const CodePayTransNoKey = defineSearchAttributeKey('CodePayTransNo', SearchAttributeType.KEYWORD);
export const AmountMinorKey = defineSearchAttributeKey('AmountMinor', SearchAttributeType.INT);
export const CurrencyKey = defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD);

export const PAYMENT_SEARCH_ATTRIBUTES = [
  PaymentStatusKey,
  MerchantOrderNoKey,
  CodePayTransNoKey,
  AmountMinorKey,
  CurrencyKey,
] as const;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
  return PAYMENT_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}
