import type { OrderFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentInput } from '../../src/workflows/messages';

/** One payment of 12.50 USD (M1) and CodePay's facts about it, for the pure state tests. */
export const T0 = '2030-01-01T00:00:00.000Z';
export const T1 = '2030-01-01T00:01:00.000Z';
export const input: PaymentInput = { merchantOrderNo: 'M1', amountMinor: 1250, currency: 'USD', description: 'Tea', expiresInSeconds: 900 };

/** CodePay's record of M1 with `transStatus`; a paid one (2) carries the full paid amount. */
export const fact = (transStatus: number, extra: Partial<OrderFact> = {}): OrderFact => ({
  merchantOrderNo: 'M1',
  transNo: 'T9',
  transStatus,
  currency: 'USD',
  orderAmountMinor: 1250,
  ...(transStatus === TransStatus.SUCCESS ? { paidAmountMinor: 1250 } : {}),
  ...extra,
});
