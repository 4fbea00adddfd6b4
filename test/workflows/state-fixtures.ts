/** One payment and CodePay's facts about it, shared by the pure state tests. */
import type { OrderFact } from '../../src/codepay/model';
import { TransStatus } from '../../src/codepay/trans-status';
import type { PaymentInput } from '../../src/workflows/messages';
import { applyOrderFact, initialPaymentState, markOrderCreated, type PaymentState } from '../../src/workflows/payment-state';

export const T0 = '2030-01-01T00:00:00.000Z';
export const T1 = '2030-01-01T00:01:00.000Z';
export const input: PaymentInput = { merchantOrderNo: 'M1', amountMinor: 1250, currency: 'USD', description: 'Tea', expiresInSeconds: 900 };

export const fact = (transStatus: number, extra: Partial<OrderFact> = {}): OrderFact => ({
  merchantOrderNo: 'M1',
  transNo: 'T9',
  transStatus,
  currency: 'USD',
  orderAmountMinor: 1250,
  ...(transStatus === TransStatus.SUCCESS ? { paidAmountMinor: 1250 } : {}),
  ...extra,
});

export const created = (): PaymentState => initialPaymentState(input, T0);
export const awaiting = (): PaymentState => markOrderCreated(created(), 'https://cashier/1', T0).state;
export const paid = (): PaymentState => applyOrderFact(awaiting(), fact(TransStatus.SUCCESS), 'notification', T1).state;
