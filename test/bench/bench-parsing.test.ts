import { entryCallFields } from '../../scripts/bench/codepay-call-counter';
import { bucketDelta, bucketQuantile, histogramBuckets } from '../../scripts/bench/histogram-buckets';
import { parseBenchArgs } from '../../scripts/bench/options';
import { statCpuTicks, treeCpuTicks } from '../../scripts/bench/process-cpu';
import { statusFieldMiB } from '../../scripts/bench/rss-sampler';

describe('bench options', () => {
  it('takes --flag value, --flag=value, boolean flags and repeated pragmas', () => {
    const options = parseBenchArgs(['--count', '20', '--mode=all', '--keep-data', '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma=synchronous=NORMAL']);
    expect(options).toMatchObject({ count: 20, mode: 'all', keepData: true, sqlitePragma: ['journal_mode=WAL', 'synchronous=NORMAL'], concurrency: 50 });
  });

  it("measures npm start's dev server (WAL) unless told otherwise; `none` is the plain dev server", () => {
    expect(parseBenchArgs([]).sqlitePragma).toEqual(['journal_mode=WAL', 'synchronous=NORMAL']);
    expect(parseBenchArgs(['--sqlite-pragma', 'none']).sqlitePragma).toEqual([]);
    expect(parseBenchArgs(['--sqlite-pragma', 'journal_mode=DELETE']).sqlitePragma).toEqual(['journal_mode=DELETE']);
  });

  it('rejects unknown options, bad values and an expiry below the API minimum', () => {
    expect(() => parseBenchArgs(['--cuont', '1'])).toThrow(/cuont/);
    expect(() => parseBenchArgs(['--mode', 'fast'])).toThrow(/mode/);
    expect(() => parseBenchArgs(['--count'])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--lost-expires', '30'])).toThrow(/lostExpires/);
  });
});

describe('CodePay call fields', () => {
  it('reads method and merchant_order_no from JSON and form bodies', () => {
    expect(entryCallFields('{"method":"order.query","merchant_order_no":"A1"}', 'application/json')).toEqual({ method: 'order.query', merchantOrderNo: 'A1' });
    expect(entryCallFields('method=pay.unifiedorder&merchant_order_no=B2', 'application/x-www-form-urlencoded')).toEqual({ method: 'pay.unifiedorder', merchantOrderNo: 'B2' });
    expect(entryCallFields('{not json', 'application/json')).toEqual({ method: '?', merchantOrderNo: '?' });
  });
});

describe('Prometheus histogram buckets', () => {
  const scrape = (fast: number, slow: number) =>
    [
      `x_bucket{le="0.01",route="/webhooks/codepay",method="POST",status="200"} ${fast}`,
      `x_bucket{le="0.1",route="/webhooks/codepay",method="POST",status="200"} ${fast + slow}`,
      `x_bucket{le="+Inf",route="/webhooks/codepay",method="POST",status="200"} ${fast + slow}`,
      `x_bucket{le="0.01",route="/v1/payments",method="POST",status="201"} 999`,
    ].join('\n');

  it('quantiles are the upper bound of the bucket holding them, over the delta between scrapes', () => {
    const buckets = bucketDelta(histogramBuckets(scrape(98, 12), 'x', { route: '/webhooks/codepay' }), histogramBuckets(scrape(8, 2), 'x', { route: '/webhooks/codepay' }));
    expect(bucketQuantile(buckets, 0.5)).toEqual({ count: 100, upperBound: 0.01 });
    expect(bucketQuantile(buckets, 0.95)).toEqual({ count: 100, upperBound: 0.1 });
    expect(bucketQuantile(new Map(), 0.5)).toEqual({ count: 0 });
  });
});

describe('/proc status', () => {
  it('reads VmRSS and VmHWM in MiB', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(statusFieldMiB(status, 'VmRSS')).toBe(100);
    expect(statusFieldMiB(status, 'VmHWM')).toBe(200);
    expect(statusFieldMiB('', 'VmRSS')).toBeUndefined();
  });
});

describe('/proc stat CPU ticks', () => {
  it('adds utime and stime, even when the process name holds spaces and parentheses', () => {
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 12345 0 0';
    expect(statCpuTicks(stat)).toBe(325);
    expect(statCpuTicks('garbage')).toBeUndefined();
  });
});

describe('process tree CPU', () => {
  // pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17)
  const stat = (pid: number, ppid: number, ticks: [number, number, number, number]) =>
    `${pid} (post gres) S ${ppid} 0 0 0 0 0 0 0 0 0 ${ticks.join(' ')} 20 0`;

  it('sums a server and its live descendants, with the children it already reaped', () => {
    const stats = new Map([
      [10, stat(10, 1, [5, 5, 7, 3])],
      [11, stat(11, 10, [100, 20, 0, 0])],
      [12, stat(12, 11, [1, 1, 0, 0])],
      [20, stat(20, 1, [999, 999, 0, 0])],
    ]);
    expect(treeCpuTicks(10, stats)).toBe(20 + 120 + 2);
    expect(treeCpuTicks(99, stats)).toBeUndefined();
  });
});
