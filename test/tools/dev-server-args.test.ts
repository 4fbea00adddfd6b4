import { devServerArgs } from '../../src/tools/dev-server';

describe('dev server arguments', () => {
  const valueOf = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

  it('puts the metrics endpoint on the port asked for (the bench reads its signal latencies there), else leaves it to the server', () => {
    expect(valueOf(devServerArgs({ dbFile: 'x.sqlite', port: 48233, headless: true, metricsPort: 48300 }), '--metrics-port')).toBe('48300');
    expect(devServerArgs({ dbFile: 'x.sqlite', port: 48233 })).not.toContain('--metrics-port');
  });
});
