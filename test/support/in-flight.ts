import type { Client } from '@temporalio/client';
import { LIFECYCLE_STATE, equals, runningUserEntities } from '../../contracts/index.js';

/** How many workflows to describe per check: enough to find in-flight work, few enough to stay quick. */
const SAMPLE = 40;

/** The ids of `workflowIds` with an activity that the worker process `pid` has started and not finished. */
export async function activitiesInFlightOn(
  client: Client,
  workflowIds: readonly string[],
  pid: number,
): Promise<string[]> {
  const described = await Promise.all(
    workflowIds.slice(0, SAMPLE).map(async (workflowId) => {
      const { raw } = await client.workflow.getHandle(workflowId).describe();
      const busy = (raw.pendingActivities ?? []).some((a) => a.lastWorkerIdentity?.startsWith(`${pid}@`));
      return busy ? [workflowId] : [];
    }),
  );
  return described.flat();
}

/** User entities of the tenant still waiting for their first PBX write (an ensure in flight). */
export async function pendingUserEntities(client: Client, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = runningUserEntities(tenantId, equals(LIFECYCLE_STATE, 'pending'));
  for await (const execution of client.workflow.list({ query })) {
    ids.push(execution.workflowId);
    if (ids.length >= SAMPLE * 5) break;
  }
  return ids;
}

/** True when no running user entity of the tenant has an activity scheduled or running. */
export async function userEntitiesIdle(client: Client, tenantId: string): Promise<boolean> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: runningUserEntities(tenantId) }))
    ids.push(execution.workflowId);
  const pending = await Promise.all(
    ids.map(
      async (id) => ((await client.workflow.getHandle(id).describe()).raw.pendingActivities ?? []).length,
    ),
  );
  return pending.every((count) => count === 0);
}
