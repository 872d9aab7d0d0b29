import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../../harness/temporal-cli.js';
import { freePort } from '../../harness/ports.js';
import { ALL_SEARCH_ATTRIBUTES } from '../../contracts/index.js';

/** One real Temporal dev server (in-memory SQLite) for the whole jest run; test files connect to it. */
export default async function globalSetup(): Promise<void> {
  const path = temporalCli();
  let lastError: unknown;
  // The SDK allows the server 5 s to accept connections; a busy 2-core machine can miss that once.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    try {
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path },
          ip: '127.0.0.1',
          port,
          searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
          log: { format: 'pretty', level: 'error' },
        },
      });
      (globalThis as { temporalTestEnv?: TestWorkflowEnvironment }).temporalTestEnv = env;
      process.env.TEMPORAL_TEST_ADDRESS = `127.0.0.1:${port}`;
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
