import type { MerchantEvent, PaymentStatus, PaymentView } from '../../src/workflows/messages';
import {
  DELIVERY_RECORD_LIMIT,
  deliveryViews,
  emptyDeliveryState,
  enqueue,
  isFinished,
  nextDelivery,
  recordAttempt,
  redeliver,
  versions,
  waitBeforeAttempt,
} from '../../src/workflows/webhook-delivery-state';
import { merchantEventStamp, recordedVersion } from '../../src/workflows/merchant-events';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const SCHEDULE = [5_000, 60_000];

const event = (seq: number, status: PaymentStatus = 'PAID'): MerchantEvent => ({
  id: `evt_M1_${seq}`,
  seq,
  type: `payment.${status.toLowerCase()}` as MerchantEvent['type'],
  timestamp: T0,
  payment: { merchantOrderNo: 'M1', status } as PaymentView,
});
const ok = { delivered: true, status: 204 };
const fail = { delivered: false, status: 500, error: 'HTTP 500' };

describe('webhook delivery state', () => {
  it('queues in sequence order whatever order the batches arrive in, and ignores a repeated id', () => {
    let state = enqueue(emptyDeliveryState(), [event(2)]);
    state = enqueue(state, [event(1), event(2)]);
    expect(state.records.map((r) => r.event.id)).toEqual(['evt_M1_1', 'evt_M1_2']);
    expect(enqueue(state, [event(1)])).toBe(state);
  });

  it('one at a time, in order: the next event waits until the earlier one is delivered', () => {
    let state = enqueue(emptyDeliveryState(), [event(1), event(2)]);
    expect(nextDelivery(state)?.event.seq).toBe(1);
    state = recordAttempt(state, 'evt_M1_1', fail, at(0), SCHEDULE);
    expect(nextDelivery(state)?.event.seq).toBe(1);
    state = recordAttempt(state, 'evt_M1_1', ok, at(5), SCHEDULE);
    expect(nextDelivery(state)?.event.seq).toBe(2);
  });

  it('retries on the schedule, then marks the event failed and moves on', () => {
    let state = enqueue(emptyDeliveryState(), [event(1), event(2)]);
    state = recordAttempt(state, 'evt_M1_1', fail, at(0), SCHEDULE);
    expect(deliveryViews(state)[0]).toMatchObject({ status: 'failing', attempts: 1, lastStatus: 500, lastError: 'HTTP 500', nextAttemptAt: at(5) });
    expect(waitBeforeAttempt(nextDelivery(state)!, at(1))).toBe(4_000);
    state = recordAttempt(state, 'evt_M1_1', { delivered: false, error: 'no answer within 10 s' }, at(5), SCHEDULE);
    expect(deliveryViews(state)[0]).toMatchObject({ status: 'failing', attempts: 2, nextAttemptAt: at(65) });
    state = recordAttempt(state, 'evt_M1_1', fail, at(65), SCHEDULE);
    expect(deliveryViews(state)[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(deliveryViews(state)[0]!.nextAttemptAt).toBeUndefined();
    expect(nextDelivery(state)?.event.seq).toBe(2);
  });

  it('a delivered event records when and how it was answered', () => {
    const state = recordAttempt(enqueue(emptyDeliveryState(), [event(1)]), 'evt_M1_1', ok, at(3), SCHEDULE);
    expect(deliveryViews(state)).toEqual([
      { eventId: 'evt_M1_1', type: 'payment.paid', timestamp: T0, status: 'delivered', attempts: 1, lastStatus: 204, lastError: undefined, lastAttemptAt: at(3), nextAttemptAt: undefined, deliveredAt: at(3) },
    ]);
  });

  it('redelivery sends a settled event again right away, with a fresh schedule; an unknown one is added', () => {
    let state = recordAttempt(enqueue(emptyDeliveryState(), [event(1)]), 'evt_M1_1', ok, at(0), SCHEDULE);
    state = redeliver(state, event(1));
    expect(deliveryViews(state)[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(waitBeforeAttempt(nextDelivery(state)!, at(0))).toBe(0);
    expect(redeliver(emptyDeliveryState(), event(4)).records.map((r) => r.event.id)).toEqual(['evt_M1_4']);
  });

  it('is finished only when nothing is left to send and the payment is final', () => {
    let state = enqueue(emptyDeliveryState(), [event(1, 'PAID')]);
    state = recordAttempt(state, 'evt_M1_1', ok, at(0), SCHEDULE);
    expect(isFinished(state)).toBe(false);
    state = enqueue(state, [event(2, 'REFUNDED')]);
    expect(isFinished(state)).toBe(false);
    state = recordAttempt(state, 'evt_M1_2', ok, at(1), SCHEDULE);
    expect(isFinished(state)).toBe(true);
  });

  it('keeps a bounded number of settled records, counting the dropped ones, never dropping unsent ones', () => {
    let state = emptyDeliveryState();
    for (let seq = 1; seq <= DELIVERY_RECORD_LIMIT + 5; seq += 1) {
      state = enqueue(state, [event(seq)]);
      if (seq <= 10) state = recordAttempt(state, `evt_M1_${seq}`, ok, at(seq), SCHEDULE);
    }
    expect(state.records).toHaveLength(DELIVERY_RECORD_LIMIT);
    expect(state.omitted).toBe(5);
    expect(state.records[0]!.event.seq).toBe(6);
    expect(state.records.filter((r) => r.status === 'pending')).toHaveLength(DELIVERY_RECORD_LIMIT - 5);
  });

  describe('one id, one event (issue 20, defect 3)', () => {
    // evt_M1_3 handed over from a workflow task that was then lost, and the one the retried task recorded.
    const lost: MerchantEvent = { ...event(3, 'CANCELLED'), timestamp: at(1) };
    const recorded: MerchantEvent = { ...event(3, 'PAID'), type: 'refund.failed', refundNo: 'R1', timestamp: at(12) };

    it('a second version of a known id joins the record and is tried at once; a repeat of either changes nothing', () => {
      let state = enqueue(emptyDeliveryState(), [lost]);
      state = recordAttempt(state, lost.id, { delivered: false, error: 'not recorded' }, at(2), SCHEDULE);
      expect(waitBeforeAttempt(nextDelivery(state)!, at(2))).toBe(5_000);
      state = enqueue(state, [recorded]);
      const record = nextDelivery(state)!;
      expect(versions(record)).toEqual([lost, recorded]);
      expect(waitBeforeAttempt(record, at(12))).toBe(0);
      expect(enqueue(state, [lost, recorded])).toBe(state);
    });

    it('the attempt keeps only the version it found recorded and sent', () => {
      let state = enqueue(emptyDeliveryState(), [lost, recorded]);
      state = recordAttempt(state, lost.id, { delivered: true, status: 204, sent: 1 }, at(13), SCHEDULE);
      expect(state.records).toEqual([expect.objectContaining({ event: recorded, status: 'delivered' })]);
      expect(state.records[0]!.others).toBeUndefined();
      // Delivered: a late copy of the lost version is not taken in again.
      expect(enqueue(state, [lost])).toBe(state);
      expect(deliveryViews(state)[0]).toMatchObject({ eventId: 'evt_M1_3', type: 'refund.failed' });
    });

    it('picks the version the payment recorded, by id, type and refund; none when it recorded another or nothing', () => {
      expect(recordedVersion([lost, recorded], [merchantEventStamp(event(2)), merchantEventStamp(recorded)])).toBe(1);
      expect(recordedVersion([lost], [merchantEventStamp(event(2)), merchantEventStamp(recorded)])).toBeUndefined();
      expect(recordedVersion([lost], [merchantEventStamp(event(2))])).toBeUndefined();
    });

    it('a replayed payment stamps the same event with another workflow time: still the recorded one (chaos, seed 1)', () => {
      expect(recordedVersion([recorded], [merchantEventStamp({ ...recorded, timestamp: at(13) })])).toBe(0);
      // …and a copy handed over again with that time is not a second version.
      const state = enqueue(emptyDeliveryState(), [recorded]);
      expect(enqueue(state, [{ ...recorded, timestamp: at(13) }])).toBe(state);
    });

    it('a payment is not taken for finished on a version it never recorded', () => {
      const state = enqueue(emptyDeliveryState(), [event(1), lost, recorded]);
      const settled = recordAttempt(recordAttempt(state, 'evt_M1_1', ok, at(4), []), lost.id, { delivered: false, error: 'not recorded' }, at(4), []);
      expect(nextDelivery(settled)).toBeUndefined();
      expect(isFinished(settled)).toBe(false);
    });
  });
});
