import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startSyncWorld, type SyncWorld, type SyncWorldOptions } from './sync-world.js';
import { bundleWorkflows, connectTestEnv } from './temporal.js';

/**
 * A file whose tests each start a tenant of their own: the Temporal connection and workflow bundle are made once,
 * and whatever world a test started is stopped after it, passed or failed, so no test sees another's leftovers.
 */
export function worldPerTest() {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let current: SyncWorld | undefined;

  beforeAll(async () => {
    env = await connectTestEnv();
    bundle = await bundleWorkflows();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  afterAll(async () => {
    await env?.teardown();
  });

  return {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the test environment is not connected yet');
      return env;
    },
    /** The world the running test started. */
    get current(): SyncWorld {
      if (!current) throw new Error('this test started no world');
      return current;
    },
    /** Starts the test's world (stopped after the test). */
    async start(options: SyncWorldOptions): Promise<SyncWorld> {
      current = await startSyncWorld(this.env, bundle, options);
      return current;
    },
  };
}
