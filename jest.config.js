/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  // Real Temporal servers: round trips take hundreds of milliseconds, end-to-end tests seconds.
  testTimeout: 60_000,
  // 2 cores: keep the shared dev server and the workers from starving each other.
  maxWorkers: 2,
};
