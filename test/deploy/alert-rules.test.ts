import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '../../deploy/prometheus');

/** promtool comes with Debian's `prometheus` package, which `npm test`'s pretest (scripts/install-system-deps.sh) installs. */
function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool cannot run (${run.error.message}): bash scripts/install-system-deps.sh installs it`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('alert rules (deploy/prometheus)', () => {
  it('are valid rules', () => {
    const check = promtool('check', 'rules', 'alerts.yml');
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it('pass their unit tests: each alert fires on one series and stays quiet on another', () => {
    const test = promtool('test', 'rules', 'alerts.test.yml');
    expect(test.output).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('test every alert both ways (the cases alerts.test.yml writes: a block exp_alerts list fires, an inline empty one is quiet)', () => {
    const rules = readFileSync(path.join(DIR, 'alerts.yml'), 'utf8');
    const tests = readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    const fires = new Set([...tests.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- /g)].map((m) => m[1]));
    const quiet = new Set([...tests.matchAll(/alertname: (\w+), exp_alerts: \[\] \}/g)].map((m) => m[1]));
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    expect(alerts.filter((a) => !fires.has(a))).toEqual([]);
    expect(alerts.filter((a) => !quiet.has(a))).toEqual([]);
  });
});
