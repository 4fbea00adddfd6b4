import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareWorkflowBundle, serviceWorkflowBundleSource, workflowBundleKey } from '../../src/tools/workflow-bundle';

describe('prebuilt workflow bundle', () => {
  let root: string;
  let cacheDir: string;
  const workflowsPath = require.resolve('../harness/fixture-workflow');

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bundle-src-'));
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
    writeFileSync(path.join(root, 'a.ts'), 'export const a = 1;\n');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('keys the bundle by every source file: an edit, a new file or a rename changes the key', () => {
    const key = () => workflowBundleKey({ workflowsPath, sourceRoots: [root] });
    const first = key();
    expect(key()).toBe(first);
    writeFileSync(path.join(root, 'a.ts'), 'export const a = 2;\n');
    const edited = key();
    expect(edited).not.toBe(first);
    writeFileSync(path.join(root, 'b.js'), '');
    const added = key();
    expect(added).not.toBe(edited);
    writeFileSync(path.join(root, 'notes.md'), 'not code');
    expect(key()).toBe(added);
  });

  it('builds once, then serves the cached file until a source changes', async () => {
    const source = { workflowsPath, sourceRoots: [root], cacheDir };
    const built = await prepareWorkflowBundle(source);
    expect(built.cached).toBe(false);
    expect(readFileSync(built.codePath, 'utf8')).toContain('fixtureWorkflow');
    const again = await prepareWorkflowBundle(source);
    expect(again).toEqual({ codePath: built.codePath, cached: true });

    writeFileSync(path.join(root, 'a.ts'), 'export const a = 3;\n');
    const rebuilt = await prepareWorkflowBundle(source);
    expect(rebuilt.cached).toBe(false);
    expect(rebuilt.codePath).not.toBe(built.codePath);
    expect(existsSync(rebuilt.codePath)).toBe(true);
  });

  it("covers the service's whole source tree", () => {
    const service = serviceWorkflowBundleSource();
    expect(service.sourceRoots).toEqual([path.resolve(__dirname, '../../src')]);
    expect(service.workflowsPath).toBe(require.resolve('../../src/workflows'));
  });
});
