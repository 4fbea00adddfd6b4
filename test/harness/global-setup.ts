import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFile } from 'node:fs/promises';
import { PROJECT_ROOT, requireBinaryPath, TEMPORAL_CLI } from '../../src/tools/temporal-binaries';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { BUNDLE_PATH_ENV, DEV_SERVER_ADDRESS_ENV } from './env-names';

/** One real dev server and one workflow bundle for the whole jest run. */
export default async function globalSetup(): Promise<void> {
  const cli = requireBinaryPath(TEMPORAL_CLI);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: [...PAYMENT_SEARCH_ATTRIBUTES],
      extraArgs: ['--log-level', 'error'],
    },
  });
  (globalThis as { __temporalEnv?: TestWorkflowEnvironment }).__temporalEnv = env;
  process.env[DEV_SERVER_ADDRESS_ENV] = env.connection.options.address;

  const reports = path.join(PROJECT_ROOT, '.reports');
  mkdirSync(reports, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const bundlePath = path.join(reports, 'workflow-bundle.js');
  await writeFile(bundlePath, code);
  process.env[BUNDLE_PATH_ENV] = bundlePath;
}
