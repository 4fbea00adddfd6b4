/**
 * Import rules (`npm run lint` runs `depcruise`; docs/architecture.md "Layers"): no import circle
 * anywhere, type-only imports included (they tie two files as tightly for a reader), and nothing
 * below the API imports it. dependency-cruiser rather than eslint's import/no-cycle: that rule
 * skips type-only imports, so it misses a circle such as tools/stack ↔ tools/worker-readiness.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: split out what both sides need into a module below them.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-api-from-below',
      severity: 'error',
      comment: 'Config, the CodePay protocol, the payment views, workflows, activities, what the worker sends and the sandbox stand below the HTTP API: they never import src/api.',
      from: { path: '^src/(config\\.ts|amount-limit\\.ts|start-admission-limits\\.ts|temporal-connection\\.ts|codepay/|net/|views/|workflows/|activities/|webhooks/|reconciliation/|sandbox/)' },
      to: { path: '^src/api/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count (see above).
    tsPreCompilationDeps: true,
  },
};
