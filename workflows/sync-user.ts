import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SyncUserInput, SyncUserResult } from '../contracts/index.js';

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' };
const { planUser } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { ...retry, maximumAttempts: 5 },
});
const { awaitConvergence } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry,
});

/**
 * Re-applies one user now (the operator's `user resync`): plans that user alone against Entra ID and the
 * PBX, messages their entity, and waits until the entity reports this run (its id is the run id).
 */
export async function syncUser({ tenantId, user, dryRun = false }: SyncUserInput): Promise<SyncUserResult> {
  const syncRunId = workflowInfo().workflowId;
  const plan = await planUser({ tenantId, user, syncRunId, dryRun });
  if (!plan.dispatched) return { plan };
  return { plan, convergence: await awaitConvergence({ tenantId, syncRunId, expected: 1 }) };
}
