import { ownerOf, summarizeProfile } from '../../scripts/bench/profile-summary';

describe('CPU profile summary', () => {
  it('names the owner of a frame from its URL', () => {
    expect(ownerOf('file:///app/node_modules/@temporalio/worker/lib/worker.js', 'f')).toBe('pkg:@temporalio/worker');
    expect(ownerOf('file:///app/node_modules/rxjs/dist/cjs/x.js', 'f')).toBe('pkg:rxjs');
    expect(ownerOf('node:internal/http/client', 'f')).toBe('node:internal');
    expect(ownerOf('file:///app/dist/activities/codepay-activities.js', 'f')).toBe('ours:activities/codepay-activities');
    expect(ownerOf('file:///app/node_modules/.cache/codepay-workflows/workflows-1.js', 'f')).toBe('workflow bundle');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  it('adds each sample\'s time to its node as self time, idle apart', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('sign', 'node:crypto') },
        { id: 3, callFrame: frame('next', 'file:///a/node_modules/rxjs/x.js') },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [4000, 1000, 500, 1500, 3000],
    });
    expect(summary).toMatchObject({ totalMs: 10, busyMs: 3 });
    expect(summary.byOwner).toEqual([
      { owner: 'node:crypto', ms: 2.5, percentOfBusy: 83.3 },
      { owner: 'pkg:rxjs', ms: 0.5, percentOfBusy: 16.7 },
    ]);
    expect(summary.byFunction[0]).toEqual({ fn: 'sign node:crypto:1', owner: 'node:crypto', ms: 2.5 });
  });
});
