import { parseBenchArgs } from '../../scripts/bench/options';
import { humanTable, targetChecks } from '../../scripts/bench/report';

describe('worker readiness in the bench', () => {
  it('checks spawned → polling against 3 s and shows it in the table', () => {
    const fast = targetChecks({ workerReadyMs: 1040 });
    expect(fast).toEqual([{ target: 'worker ready ≤ 3000 ms (spawned → polling)', value: 1040, met: true }]);
    expect(targetChecks({ workerReadyMs: 3001 })[0]?.met).toBe(false);
    expect(humanTable({ workerReadyMs: 1040 }, fast)).toMatch(/worker ready \(spawned → polling\)\s+1040 ms/);
  });

  it('leaves the check out when the run did not time a worker start', () => {
    expect(targetChecks({}).some((c) => c.target.startsWith('worker ready'))).toBe(false);
  });

  it('runs the compiled services unless told --services tsx', () => {
    expect(parseBenchArgs([]).services).toBe('node');
    expect(parseBenchArgs(['--services', 'tsx']).services).toBe('tsx');
    expect(() => parseBenchArgs(['--services', 'bun'])).toThrow(/services/);
  });
});
