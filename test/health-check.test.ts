import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createHealthActivities } from '../activities/health-activities.js';
import { healthCheck } from '../workflows/index.js';
import { bundleWorkflows, connectTestEnv, uniqueTaskQueue } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await connectTestEnv();
  workflowBundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

test('a workflow runs on the real server and retries an activity that failed once', async () => {
  const taskQueue = uniqueTaskQueue('health');
  let pbxCalls = 0;
  // The health-check workflow against stand-in probes: what is tested is Temporal's retry of a failed probe.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle,
    activities: createHealthActivities({
      probes: {
        graph: async () => 'graph reachable',
        pbx: async () => {
          pbxCalls += 1;
          if (pbxCalls === 1) throw new Error('connection reset');
          return 'pbx reachable';
        },
      },
    }),
  });

  const handle = await env.client.workflow.start(healthCheck, {
    taskQueue,
    workflowId: `health/${taskQueue}`,
  });
  const result = await worker.runUntil(handle.result());

  expect(result).toEqual([
    { name: 'graph', detail: 'graph reachable' },
    { name: 'pbx', detail: 'pbx reachable' },
  ]);
  expect(pbxCalls).toBe(2);
  const history = await handle.fetchHistory();
  const failedAttempt = history.events?.find(
    (event) => event.activityTaskStartedEventAttributes?.attempt === 2,
  );
  expect(failedAttempt?.activityTaskStartedEventAttributes?.lastFailure?.message).toBe('connection reset');
});
