import { createStartAdmission, StartAbandoned, StartRefused } from '../../src/api/start-admission';

/** A clock the test moves by hand, so the service-time estimate is exact. */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Left waiting when a test ends: refused after its maxWaitMs, which nobody awaits. */
const left = (entering: Promise<unknown>) => void entering.catch(() => 'refused later');

const refusal = async (entering: Promise<unknown>) => {
  const err = await entering.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartRefused);
  return err as StartRefused;
};

describe('start admission', () => {
  it('admits up to `concurrency` at once and hands each freed slot to the oldest waiter', async () => {
    const admission = createStartAdmission({ concurrency: 2, queue: 5, maxWaitMs: 10_000 });
    const first = await admission.enter();
    await admission.enter();
    const order: string[] = [];
    const third = admission.enter().then((release) => (order.push('third'), release));
    const fourth = admission.enter().then((release) => (order.push('fourth'), release));
    expect([admission.inFlight, admission.queued]).toEqual([2, 2]);
    first();
    first(); // a second call frees nothing more
    (await third)();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
    expect([admission.inFlight, admission.queued]).toEqual([1, 0]);
  });

  it('refuses at once when the queue is full, with a Retry-After of at least 1 s', async () => {
    const admission = createStartAdmission({ concurrency: 1, queue: 1, maxWaitMs: 10_000 });
    await admission.enter();
    left(admission.enter());
    const refused = await refusal(admission.enter());
    expect(refused.reason).toBe('queue-full');
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(admission.queued).toBe(1);
  });

  it('refuses at once a start expected to wait longer than maxWaitMs, from the measured service time', async () => {
    const clock = manualClock();
    const admission = createStartAdmission({ concurrency: 2, queue: 100, maxWaitMs: 1_000 }, clock.now);
    // Two starts that held their slot 800 ms each: the estimate is 800 ms per start, 400 ms per slot.
    const a = await admission.enter();
    const b = await admission.enter();
    clock.advance(800);
    a();
    b();
    await admission.enter();
    await admission.enter();
    // Queue positions 0 and 1 wait ≈ 400 and 800 ms: queued. Position 2 would wait ≈ 1200 ms: refused.
    left(admission.enter());
    left(admission.enter());
    const refused = await refusal(admission.enter());
    expect(refused.reason).toBe('expected-wait');
    expect(refused.retryAfterSeconds).toBe(1);
    expect(admission.queued).toBe(2);
  });

  it('refuses a start still queued after maxWaitMs, and takes it out of the queue', async () => {
    const admission = createStartAdmission({ concurrency: 1, queue: 5, maxWaitMs: 30 });
    const held = await admission.enter();
    const refused = await refusal(admission.enter());
    expect(refused.reason).toBe('waited-too-long');
    expect(admission.queued).toBe(0);
    held();
    expect(admission.inFlight).toBe(0);
  });

  it('drops a queued start whose client went away: it never gets a slot', async () => {
    const admission = createStartAdmission({ concurrency: 1, queue: 5, maxWaitMs: 10_000 });
    const held = await admission.enter();
    const gone = new AbortController();
    const abandoned = admission.enter(gone.signal).then(
      () => 'admitted',
      (e: unknown) => e,
    );
    const next = admission.enter();
    gone.abort();
    expect(await abandoned).toBeInstanceOf(StartAbandoned);
    held();
    (await next)();
    expect([admission.inFlight, admission.queued]).toEqual([0, 0]);
    await expect(admission.enter(gone.signal)).rejects.toBeInstanceOf(StartAbandoned);
  });
});
