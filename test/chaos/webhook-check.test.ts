import type { PaymentResponse } from '../../src/views/payment-response';
import { checkWebhooks, expectedEvents, type Receipt } from '../../scripts/chaos/webhook-check';

const T = '2030-01-01T00:00:00.000Z';
/** A partly refunded payment as the API shows it: its log is what the check derives the events from. */
const view = (no: string): PaymentResponse =>
  ({
    merchantOrderNo: no,
    status: 'PARTIALLY_REFUNDED',
    events: [
      { at: T, type: 'created', message: 'created' },
      { at: T, type: 'transition', message: '', data: { from: 'CREATING', to: 'AWAITING_PAYMENT' } },
      { at: T, type: 'notified', message: '', data: { transStatus: 2 } },
      { at: T, type: 'transition', message: '', data: { from: 'AWAITING_PAYMENT', to: 'PAID' } },
      { at: T, type: 'refund', message: 'reserved', data: { refundNo: 'R1', amountMinor: 1 } },
      { at: T, type: 'refund', message: 'settled', data: { refundNo: 'R1', amountMinor: 1, status: 'SUCCEEDED' } },
      { at: T, type: 'transition', message: '', data: { from: 'PAID', to: 'PARTIALLY_REFUNDED' } },
    ],
  }) as unknown as PaymentResponse;

let order = 0;
const receipt = (no: string, seq: number, type: string, extra: Partial<Receipt> = {}): Receipt => ({ id: `evt_${no}_${seq}`, type, merchantOrderNo: no, verified: true, acked: true, order: order++, ...extra });
const all = (no: string) => [receipt(no, 1, 'payment.awaiting_payment'), receipt(no, 2, 'payment.paid'), receipt(no, 3, 'refund.succeeded'), receipt(no, 4, 'payment.partially_refunded')];

describe('chaos webhook check', () => {
  it('derives the events from the payment log in emission order, with their deterministic ids', () => {
    expect(expectedEvents(view('A'))).toEqual([
      { id: 'evt_A_1', type: 'payment.awaiting_payment' },
      { id: 'evt_A_2', type: 'payment.paid' },
      { id: 'evt_A_3', type: 'refund.succeeded' },
      { id: 'evt_A_4', type: 'payment.partially_refunded' },
    ]);
  });

  it('passes when every event was acknowledged in order, retries and repeats included', () => {
    const receipts = [receipt('A', 1, 'payment.awaiting_payment', { acked: false }), ...all('A'), receipt('A', 4, 'payment.partially_refunded')];
    const result = checkWebhooks(new Map([['A', view('A')]]), receipts);
    expect(result).toMatchObject({ expected: 4, delivered: 4, duplicates: 1, violations: [] });
  });

  it('flags a missing, an out-of-order, an invented, a mistyped and an unsigned event', () => {
    const [first, second, third, fourth] = all('A');
    // Arrival order is the array's order.
    const check = (receipts: Receipt[]) => checkWebhooks(new Map([['A', view('A')]]), receipts.map((r, i) => ({ ...r, order: i }))).violations.map((v) => v.rule);
    expect(check([first!, second!, third!])).toEqual(['webhook delivered at least once']);
    expect(check([first!, third!, second!, fourth!])).toEqual(['webhooks in order']);
    expect(check([...all('A'), receipt('A', 5, 'payment.refunded')])).toEqual(['webhook invented']);
    expect(check([first!, { ...second!, type: 'payment.cancelled' }, third!, fourth!])).toEqual(['webhook type']);
    expect(check([...all('A'), receipt('A', 2, 'payment.paid', { verified: false })])).toEqual(['webhook signed']);
    expect(check([...all('A'), ...all('B')])).toEqual(['webhook invented']);
  });

  it('flags a webhook id that named two events: another type, or the same type of another refund', () => {
    const [first, second, third, fourth] = all('A');
    const rules = (receipts: Receipt[]) => checkWebhooks(new Map([['A', view('A')]]), receipts.map((r, i) => ({ ...r, order: i }))).violations;
    // Issue 20: evt_3 handed over from a lost task as payment.cancelled, then sent again as the refund's event.
    const twoTypes = rules([first!, second!, { ...third!, type: 'payment.cancelled' }, third!, fourth!]);
    expect(twoTypes.map((v) => v.rule).sort()).toEqual(['webhook id names one event', 'webhook type']);
    expect(twoTypes.find((v) => v.rule === 'webhook id names one event')?.actual).toBe('payment.cancelled of A / refund.succeeded of A');
    const twoRefunds = rules([first!, second!, { ...third!, subject: 'R1' }, { ...third!, subject: 'R2' }, fourth!]);
    expect(twoRefunds.map((v) => v.rule)).toEqual(['webhook id names one event']);
    // The same event received again (a retry after a lost ack) names one event.
    expect(rules([first!, second!, { ...third!, subject: 'R1' }, { ...third!, subject: 'R1' }, fourth!])).toEqual([]);
  });

  it('lets an event redelivered on request after it failed arrive after later events, and only that one', () => {
    const [first, second, third, fourth] = all('A');
    const check = (receipts: Receipt[], redelivered: string[]) =>
      checkWebhooks(new Map([['A', view('A')]]), receipts.map((r, i) => ({ ...r, order: i })), new Set(redelivered)).violations.map((v) => v.rule);
    expect(check([first!, third!, fourth!, second!], [second!.id])).toEqual([]);
    expect(check([first!, third!, fourth!, second!], [])).toEqual(['webhooks in order']);
    expect(check([second!, first!, third!, fourth!], [third!.id])).toEqual(['webhooks in order']);
  });
});
