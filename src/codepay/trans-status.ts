/** CodePay's `trans_status` (docs/codepay-protocol.md §6). Unknown values are kept, never taken as a verdict. */
export const TransStatus = {
  CREATED: 9,
  PAYING: 0,
  CLOSED: 1,
  SUCCESS: 2,
  CANCELLED: 3,
} as const;
export type KnownTransStatus = (typeof TransStatus)[keyof typeof TransStatus];

/** Accepts a number or a string of digits; anything else is not a status. */
export function parseTransStatus(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,3}$/.test(value)) return Number(value);
  return undefined;
}

export function isFinalTransStatus(status: number): boolean {
  return status === TransStatus.CLOSED || status === TransStatus.SUCCESS || status === TransStatus.CANCELLED;
}
