import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../worker/start-worker.js';

let runtimeInstalled = false;

/** Connects to the dev server started by the jest globalSetup. */
export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address)
    throw new Error('TEMPORAL_TEST_ADDRESS is not set: run tests through `npm test` (jest globalSetup)');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

/** Bundling takes seconds: do it once per test file and hand the bundle to each Worker. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
}

export const uniqueTaskQueue = (prefix: string): string => `${prefix}-${randomUUID()}`;
