// `file` loads the root hooks (embedded server start/stop) before every spec.
// forbidOnly in CI: a stray `.only` must fail the build, not silently shrink the suite.
module.exports = {
  // expose-gc: the streaming spec measures live heap after a collection, not garbage awaiting one.
  'node-option': ['import=tsx', 'expose-gc'],
  spec: ['spec/**/*.spec.ts'],
  file: ['spec/support/root-hooks.ts'],
  timeout: 60000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
};
