import { startTestServer, stopTestServer } from './test-database.js';

// Root-level hooks (this file is listed under `file` in .mocharc.cjs, so it loads before the specs).
before(async function () {
  this.timeout(120_000);
  await startTestServer();
});

after(async function () {
  this.timeout(60_000);
  await stopTestServer();
});
