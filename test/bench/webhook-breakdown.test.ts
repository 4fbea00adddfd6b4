import { createApiMetrics, WEBHOOK_STAGES } from '../../src/api/metrics';
import { startLaps } from '../../src/api/stage-laps';
import { labelValues, seriesSum } from '../../scripts/bench/histogram-buckets';
import { parseBenchArgs } from '../../scripts/bench/options';
import { settled } from '../../scripts/bench/webhook';
import { webhookBreakdown } from '../../scripts/bench/webhook-latency';
import { webhookSeconds } from '../../scripts/bench/webhook-seconds';

describe('stage laps', () => {
  it('gives each stage the time since the previous lap, in seconds, so the stages add up to the whole', () => {
    let clock = 1000;
    const seen: [string, number][] = [];
    const lap = startLaps<string>((stage, seconds) => seen.push([stage, seconds]), () => clock);
    clock += 2;
    lap('decode');
    clock += 0.5;
    lap('verify');
    clock += 120;
    lap('signal');
    expect(seen).toEqual([
      ['decode', 0.002],
      ['verify', 0.0005],
      ['signal', 0.12],
    ]);
  });
});

describe('webhook breakdown from /metrics scrapes', () => {
  const apiScrape = async (observe: (m: ReturnType<typeof createApiMetrics>) => void) => {
    const metrics = createApiMetrics({ processMetrics: false });
    const before = await metrics.registry.metrics();
    observe(metrics);
    return { before, after: `${await metrics.registry.metrics()}\nnodejs_eventloop_lag_p99_seconds 0.0125\nnodejs_eventloop_lag_max_seconds 0.2` };
  };

  it('reports every stage of the API histogram with its mean and bucket-bound p99, counting only what came between the scrapes', async () => {
    const api = await apiScrape((m) => {
      for (let i = 0; i < 99; i += 1) m.webhookStages.observe({ stage: 'signal' }, 0.004);
      m.webhookStages.observe({ stage: 'signal' }, 0.8);
      m.webhookStages.observe({ stage: 'verify' }, 0.0002);
    });
    const breakdown = webhookBreakdown(api);
    expect(Object.keys(breakdown.stages)).toEqual([...WEBHOOK_STAGES]);
    expect(breakdown.stages.signal).toMatchObject({ count: 100, meanMs: 11.96, p50AtMostMs: 5, p99AtMostMs: 5 });
    expect(breakdown.stages.verify).toMatchObject({ count: 1, meanMs: 0.2, p99AtMostMs: 0.25 });
    expect(breakdown.stages.receive).toMatchObject({ count: 0, meanMs: undefined, p99AtMostMs: undefined });
    expect(breakdown.apiEventLoopDelayMs).toEqual({ p50: undefined, p99: 12.5, max: 200 });
    expect(breakdown.server).toBeUndefined();
  });

  it("reads Temporal's own signal latency and ranks its persistence operations by the time spent in them", async () => {
    const server = (signals: number, slow: number, updates: number) =>
      [
        `service_latency_bucket{namespace="default",operation="SignalWorkflowExecution",service_name="frontend",le="0.01"} ${signals}`,
        `service_latency_bucket{namespace="default",operation="SignalWorkflowExecution",service_name="frontend",le="1"} ${signals + slow}`,
        `service_latency_bucket{namespace="default",operation="SignalWorkflowExecution",service_name="frontend",le="+Inf"} ${signals + slow}`,
        `service_latency_sum{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} ${signals * 0.005 + slow * 0.5}`,
        `service_latency_count{namespace="default",operation="SignalWorkflowExecution",service_name="frontend"} ${signals + slow}`,
        `persistence_latency_sum{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} ${updates * 0.002}`,
        `persistence_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} ${updates}`,
        `persistence_latency_sum{namespace="default",operation="GetCurrentExecution",service_name="history"} ${signals * 0.01}`,
        `persistence_latency_count{namespace="default",operation="GetCurrentExecution",service_name="history"} ${signals}`,
        `persistence_latency_sum{namespace="_unknown_",operation="GetNamespace",service_name="frontend"} 0.5`,
        `persistence_latency_count{namespace="_unknown_",operation="GetNamespace",service_name="frontend"} 10`,
      ].join('\n');
    const api = await apiScrape(() => undefined);
    const { server: figures } = webhookBreakdown(api, { before: server(10, 0, 30), after: server(108, 2, 330) });
    expect(figures?.signal).toMatchObject({ count: 100, p50AtMostMs: 10, p99AtMostMs: 1000, meanMs: 14.9 });
    expect(figures?.historySignal.count).toBe(0);
    // GetNamespace did not move between the scrapes: left out.
    expect(figures?.persistence).toEqual([
      { operation: 'GetCurrentExecution', count: 98, meanMs: 10, totalMs: 980 },
      { operation: 'UpdateWorkflowExecution', count: 300, meanMs: 2, totalMs: 600 },
    ]);
  });

  it('sums series and lists label values of a metric family, labels matched exactly', () => {
    const text = 'a_sum{op="x",s="h"} 1.5\na_sum{op="y",s="h"} 2\na_sum{op="x",s="f"} 4\na_sum_other{op="z"} 9\nb 3';
    expect(seriesSum(text, 'a_sum', { op: 'x' })).toBe(5.5);
    expect(seriesSum(text, 'a_sum')).toBe(7.5);
    expect(seriesSum(text, 'b')).toBe(3);
    expect(labelValues(text, 'a_sum', 'op', { s: 'h' })).toEqual(['x', 'y']);
  });
});

describe('webhook seconds', () => {
  it('puts each notification in the second it was sent and the CodePay calls beside them', () => {
    const t0 = 1_000_000;
    const acks = [
      { sentAtMs: t0 + 10, ackMs: 12 },
      { sentAtMs: t0 + 900, ackMs: 300 },
      { sentAtMs: t0 + 2500, ackMs: 20 },
    ];
    expect(webhookSeconds(acks, [t0 - 50, t0 + 100, t0 + 200, t0 + 2999, t0 + 3000], t0)).toEqual({
      startedAtMs: t0,
      sent: [2, 0, 1],
      ackP99Ms: [300, null, 20],
      codepayCalls: [2, 0, 1],
    });
  });
});

describe('bench settling', () => {
  it('returns once the count stayed still for the quiet time, or at the latest after the maximum', async () => {
    let calls = 0;
    const started = performance.now();
    await settled(() => (calls < 3 ? ++calls : calls), 60, 5_000, 10);
    expect(calls).toBe(3);
    expect(performance.now() - started).toBeLessThan(1_000);
    let moving = 0;
    const capped = performance.now();
    await settled(() => ++moving, 60, 150, 10);
    expect(performance.now() - capped).toBeGreaterThanOrEqual(140);
  });
});

describe('webhook bench options', () => {
  it('claims paying by default, paid on request, nothing else', () => {
    expect(parseBenchArgs([]).claim).toBe('paying');
    expect(parseBenchArgs(['--claim', 'paid']).claim).toBe('paid');
    expect(() => parseBenchArgs(['--claim', 'refunded'])).toThrow(/claim/);
  });
});
