// `file` loads the root hooks (embedded server start/stop) before every spec.
// forbidOnly in CI: a stray `.only` must fail the build, not silently shrink the suite.
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['spec/**/*.spec.ts'],
  file: ['spec/support/root-hooks.ts'],
  timeout: 60000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
};
