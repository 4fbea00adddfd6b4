import { booksViolations, pickOverrides, type ClosingReport } from '../../scripts/chaos/books';
import { createPrng } from '../../scripts/chaos/prng';
import type { PaymentResponse } from '../../src/views/payment-response';

const view = (merchantOrderNo: string, status: string, refunds: unknown[] = []) => ({ merchantOrderNo, status, refunds }) as unknown as PaymentResponse;
const report = (exceptions: { merchantOrderNo: string; kind: string }[], status: ClosingReport['status'] = 'COMPLETED'): ClosingReport => ({ id: 'r', status, checked: 5, total: 5, matched: 3, pending: 0, exceptions });

describe('the chaos run’s closing reconciliation (scripts/chaos/books.ts)', () => {
  it('overrides only paid payments with nothing refunded, the same ones for the same seed', () => {
    const views = new Map([
      ['A', view('A', 'PAID')],
      ['B', view('B', 'PARTIALLY_REFUNDED', [{}])],
      ['C', view('C', 'PAID')],
      ['D', view('D', 'EXPIRED')],
      ['E', view('E', 'PAID', [{}])],
      ['F', undefined],
    ]);
    expect(pickOverrides(views, createPrng(7), 3)).toEqual(['A', 'C']);
    expect(pickOverrides(views, createPrng(7), 1)).toEqual(pickOverrides(views, createPrng(7), 1));
  });

  it('passes when every override is exactly one status exception and nothing else is an exception', () => {
    const chaos = new Set(['A', 'B', 'C']);
    expect(booksViolations(report([{ merchantOrderNo: 'A', kind: 'status' }, { merchantOrderNo: 'OTHER', kind: 'amount' }]), chaos, ['A'])).toEqual([]);
  });

  it('fails on a missed override, a wrong kind, an exception for an untouched payment, or a run that did not complete', () => {
    const chaos = new Set(['A', 'B', 'C']);
    const found = booksViolations(report([{ merchantOrderNo: 'B', kind: 'refund_status' }, { merchantOrderNo: 'C', kind: 'amount' }], 'FAILED'), chaos, ['A', 'C']);
    expect(found.map((f) => [f.merchantOrderNo, f.rule, f.actual])).toEqual([
      ['-', 'closing reconciliation completes', 'FAILED'],
      ['A', 'override found by the closing reconciliation', 'none'],
      ['C', 'override found by the closing reconciliation', 'amount'],
      ['B', 'no exception for an untouched payment', 'exception refund_status'],
    ]);
  });
});
