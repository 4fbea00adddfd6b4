import { planPayments } from '../../scripts/chaos/plan';
import { createFaultGate } from '../../scripts/chaos/process-faults';
import { createPrng } from '../../scripts/chaos/prng';

describe('chaos storm faults', () => {
  it('plans cancel storms, refund+cancel races and review storms, each with a kill 30–80 ms after its burst', () => {
    const plans = planPayments(600, 97, createPrng(97), 60);
    for (const kind of ['cancelStorm', 'refundCancelRace', 'reviewStorm'] as const) {
      const storms = plans.filter((p) => p.kind === kind);
      expect(storms.length).toBeGreaterThan(5);
      for (const p of storms) {
        expect(p.killDelayMs).toBeGreaterThanOrEqual(30);
        expect(p.killDelayMs).toBeLessThanOrEqual(80);
        expect(p.stormSize).toBeGreaterThanOrEqual(2);
      }
    }
    const race = plans.find((p) => p.kind === 'refundCancelRace')!;
    expect(race.refunds).toHaveLength(1);
    expect(race.refunds[0]!.amountMinor).toBeLessThan(race.amountMinor);
    expect(plans.filter((p) => p.kind === 'pay').every((p) => p.killDelayMs === 0 && p.stormSize === 1)).toBe(true);
  });

  it('runs one process fault at a time and skips a timed one while another is queued or running', async () => {
    const gate = createFaultGate();
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = gate.run(() => held.then(() => void order.push('first')));
    const second = gate.run(async () => void order.push('second'));
    expect(gate.tryRun(async () => void order.push('timed'))).toBeUndefined();
    release();
    await Promise.all([first, second]);
    const timed = gate.tryRun(async () => void order.push('timed'));
    expect(timed).toBeDefined();
    await timed;
    expect(order).toEqual(['first', 'second', 'timed']);
  });
});
