import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PROJECT_ROOT, requireBinaryPath, TEMPORAL_CLI } from '../../src/tools/temporal-binaries';
import { prepareWorkflowBundle, serviceWorkflowBundleSource } from '../../src/tools/workflow-bundle';
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

  // The service's bundle cache, keyed by the sources of src/ and of the test fixtures.
  const { codePath } = await prepareWorkflowBundle({
    workflowsPath: require.resolve('./workflows'),
    sourceRoots: [path.join(PROJECT_ROOT, 'src'), __dirname],
    cacheDir: serviceWorkflowBundleSource().cacheDir,
  });
  process.env[BUNDLE_PATH_ENV] = codePath;
}
