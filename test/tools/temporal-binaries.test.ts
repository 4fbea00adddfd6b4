import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireBinaryPath, resolveBinary, sdkExecutable, TEMPORAL_CLI } from '../../src/tools/temporal-binaries';

function executable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('Temporal binary resolver', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'resolver-'));
  const project = path.join(root, 'project');
  const onPath = path.join(root, 'bin');
  const fromEnv = executable(path.join(root, 'env'), 'temporal');
  const inProject = executable(path.join(project, '.tools', 'bin'), 'temporal');
  const inPath = executable(onPath, 'temporal');

  it('prefers the env var, then the project tools folder, then PATH', () => {
    expect(resolveBinary(TEMPORAL_CLI, { TEMPORAL_CLI_PATH: fromEnv, PATH: onPath }, project)).toEqual({ source: 'env', path: fromEnv });
    expect(resolveBinary(TEMPORAL_CLI, { PATH: onPath }, project)).toEqual({ source: 'project', path: inProject });
    expect(resolveBinary(TEMPORAL_CLI, { PATH: onPath }, path.join(root, 'elsewhere'))).toEqual({ source: 'path', path: inPath });
  });

  it("falls back to the SDK's download, which requireBinaryPath refuses with how to install", () => {
    const none = resolveBinary(TEMPORAL_CLI, { PATH: '' }, path.join(root, 'elsewhere'));
    expect(none).toEqual({ source: 'sdk-download' });
    expect(sdkExecutable(none)).toEqual({ type: 'cached-download' });
    expect(sdkExecutable({ source: 'path', path: inPath })).toEqual({ type: 'existing-path', path: inPath });
    expect(() => requireBinaryPath(TEMPORAL_CLI, { PATH: '' }, path.join(root, 'elsewhere'))).toThrow(
      /Temporal binary 'temporal' not found .*run `bash scripts\/install-temporal.sh`/,
    );
    expect(requireBinaryPath(TEMPORAL_CLI, { PATH: onPath }, project)).toBe(inProject);
  });

  it('rejects an env var that does not point at an executable', () => {
    expect(() => resolveBinary(TEMPORAL_CLI, { TEMPORAL_CLI_PATH: path.join(root, 'missing') }, project)).toThrow(
      /TEMPORAL_CLI_PATH=.* is not an executable file; run `bash scripts\/install-temporal.sh`/,
    );
  });
});
