import path from 'node:path';
import { compiledEntry, serviceArgs, serviceNodeArgs } from '../../src/tools/service-process';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';

describe('service process runtime', () => {
  it('maps a TypeScript entry to its compiled twin under dist/', () => {
    expect(compiledEntry('src/worker.ts')).toBe('dist/worker.js');
    expect(compiledEntry('src/api/server.ts')).toBe('dist/api/server.js');
    expect(() => compiledEntry('scripts/bench/ceiling-worker.ts')).toThrow(/not under src/);
  });

  it('runs tsx on the source, node on the compiled file, and says to build when it is missing', () => {
    expect(serviceArgs('src/worker.ts', 'tsx')).toEqual(['--import', 'tsx', path.join(PROJECT_ROOT, 'src/worker.ts')]);
    expect(() => serviceArgs('src/no-such-entry.ts', 'node')).toThrow(/dist\/no-such-entry\.js is missing: run `npm run build`/);
  });

  it('adds the node flags of SERVICE_NODE_ARGS (a profile of the stack), none without it', () => {
    expect(serviceNodeArgs({ SERVICE_NODE_ARGS: ' --cpu-prof  --cpu-prof-dir=/tmp/prof ' })).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
    expect(serviceNodeArgs({})).toEqual([]);
  });
});
