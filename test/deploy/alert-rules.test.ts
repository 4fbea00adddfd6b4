import { spawnSync } from 'node:child_process';
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
});
