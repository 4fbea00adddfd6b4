/** How the jest global setup hands the shared server and bundle to the test workers. */
export const DEV_SERVER_ADDRESS_ENV = 'TEST_TEMPORAL_ADDRESS';
export const BUNDLE_PATH_ENV = 'TEST_WORKFLOW_BUNDLE';
/** Set by the CI cluster tier: run the end-to-end tests against that Temporal (npm run cluster) … */
export const E2E_TEMPORAL_ADDRESS_ENV = 'E2E_TEMPORAL_ADDRESS';
/** … with this many worker processes (default 1). */
export const E2E_WORKER_PROCESSES_ENV = 'E2E_WORKER_PROCESSES';
