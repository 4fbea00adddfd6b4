/** How the jest global setup hands the shared server and bundle to the test workers. */
export const DEV_SERVER_ADDRESS_ENV = 'TEST_TEMPORAL_ADDRESS';
export const BUNDLE_PATH_ENV = 'TEST_WORKFLOW_BUNDLE';
