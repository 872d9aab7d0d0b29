/** The user entities as activities reach them: the link table in Temporal's visibility store, and their signals. */
import type { Client, WorkflowClient } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import {
  ENTRA_OBJECT_ID,
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  TENANT_ID,
  USER_PRINCIPAL_NAME,
  WorkflowType,
  ensureUserSignal,
  entitiesThatApplied,
  equals,
  offboardUserSignal,
  oneOf,
  reportUserProblemSignal,
  runningUserEntities,
  userStateQuery,
  userWorkflowId,
  type EnsureRequest,
  type LifecyclePhase,
  type ManagedUser,
  type OffboardRequest,
  type ProblemReport,
  type UserLifecycleInput,
} from '../../contracts/index.js';
import { userSummary } from '../../model/index.js';

/**
 * What the link-table reads need of Temporal: visibility queries, and a query to one entity. The worker hands
 * activities `client.workflow`; a test can hand them a visibility that lags, as Elasticsearch-backed clusters
 * and Temporal Cloud do (about a second).
 */
export type Visibility = Pick<WorkflowClient, 'list' | 'count' | 'getHandle'>;
export type VisibilityOf = (client: Client) => Visibility;

/** Values per visibility query when listing only some users (keeps the query text short). */
const VALUES_PER_QUERY = 200;

/** Heartbeat this often while listing: a whole tenant's entities may take many seconds to list. */
const PROGRESS_EVERY = 500;

/** Only the entities of these users, or only those holding these extension numbers. */
export type EntityFilter = { objectIds: readonly string[] } | { numbers: readonly string[] };

function filteredQueries(tenantId: string, filter: EntityFilter): string[] {
  const [attribute, values] =
    'objectIds' in filter ? [ENTRA_OBJECT_ID, filter.objectIds] : [EXTENSION_NUMBER, filter.numbers];
  const queries: string[] = [];
  for (let i = 0; i < values.length; i += VALUES_PER_QUERY)
    queries.push(runningUserEntities(tenantId, oneOf(attribute, values.slice(i, i + VALUES_PER_QUERY))));
  return queries;
}

/**
 * Every user entity of the tenant, or only those `filter` names. `onProgress` is called every few hundred
 * entities (a heartbeat).
 */
export async function listManagedUsers(
  visibility: Visibility,
  tenantId: string,
  { filter, onProgress }: { filter?: EntityFilter; onProgress?: () => void } = {},
): Promise<Map<string, ManagedUser>> {
  const users = new Map<string, ManagedUser>();
  const queries = filter ? filteredQueries(tenantId, filter) : [runningUserEntities(tenantId)];
  for (const query of queries)
    for await (const execution of visibility.list({ query })) {
      const attributes = execution.typedSearchAttributes;
      const objectId = attributes.get(ENTRA_OBJECT_ID);
      if (!objectId) continue;
      const extensionId = execution.memo?.extensionId;
      const lastError = execution.memo?.lastError;
      const number = attributes.get(EXTENSION_NUMBER);
      users.set(objectId, {
        objectId,
        userPrincipalName: attributes.get(USER_PRINCIPAL_NAME) ?? '',
        phase: (attributes.get(LIFECYCLE_STATE) ?? 'pending') as LifecyclePhase,
        ...(typeof extensionId === 'string' ? { extensionId } : {}),
        ...(number ? { number } : {}),
        ...(typeof lastError === 'string' ? { lastError } : {}),
      });
      if (users.size % PROGRESS_EVERY === 0) onProgress?.();
    }
  return users;
}

/** How many user entities applied a request of this sync run (their SyncRunId search attribute). */
export async function countAppliedUsers(
  visibility: Visibility,
  tenantId: string,
  syncRunId: string,
): Promise<number> {
  const { count } = await visibility.count(entitiesThatApplied(tenantId, syncRunId));
  return count;
}

/** The object ids of the user entities that applied a request of this sync run. */
export async function listAppliedUserIds(
  visibility: Visibility,
  tenantId: string,
  syncRunId: string,
): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const execution of visibility.list({ query: entitiesThatApplied(tenantId, syncRunId) })) {
    const objectId = execution.typedSearchAttributes.get(ENTRA_OBJECT_ID);
    if (objectId) ids.add(objectId);
  }
  return ids;
}

export async function listFailedUsers(
  visibility: Visibility,
  tenantId: string,
  syncRunId: string,
  limit: number,
): Promise<{ userPrincipalName: string; error: string }[]> {
  const failed: { userPrincipalName: string; error: string }[] = [];
  const query = entitiesThatApplied(tenantId, syncRunId, equals(LIFECYCLE_STATE, 'error'));
  for await (const execution of visibility.list({ query })) {
    if (failed.length >= limit) break;
    const state = await visibility.getHandle(execution.workflowId).query(userStateQuery);
    failed.push({ userPrincipalName: state.userPrincipalName, error: state.lastError ?? 'unknown error' });
  }
  return failed;
}

/** The user entity's signature, for typing starts by its type name (activities may not import it). */
type UserEntityWorkflow = (input: UserLifecycleInput) => Promise<unknown>;

export interface EntityAddress {
  tenantId: string;
  objectId: string;
  userPrincipalName: string;
  taskQueue: string;
}

const startOptions = ({ tenantId, objectId, userPrincipalName, taskQueue }: EntityAddress) => ({
  workflowId: userWorkflowId(tenantId, objectId),
  taskQueue,
  args: [{ tenantId, objectId, userPrincipalName }] as [UserLifecycleInput],
  staticSummary: userSummary(userPrincipalName),
  typedSearchAttributes: [
    { key: TENANT_ID, value: tenantId },
    { key: ENTRA_OBJECT_ID, value: objectId },
    { key: USER_PRINCIPAL_NAME, value: userPrincipalName },
    { key: LIFECYCLE_STATE, value: 'pending' },
  ],
});

/** Signal-with-start: the user's entity is created on first contact, and a retried send is harmless. */
async function signalWithStart<T>(
  client: Client,
  address: EntityAddress,
  signal: SignalDefinition<[T]>,
  message: T,
): Promise<void> {
  await client.workflow.signalWithStart<UserEntityWorkflow, [T]>(WorkflowType.userLifecycle, {
    ...startOptions(address),
    signal,
    signalArgs: [message],
  });
}

export const sendEnsure = (client: Client, address: EntityAddress, request: EnsureRequest) =>
  signalWithStart(client, address, ensureUserSignal, request);

export const sendProblemReport = (client: Client, address: EntityAddress, report: ProblemReport) =>
  signalWithStart(client, address, reportUserProblemSignal, report);

export async function sendOffboard(
  client: Client,
  tenantId: string,
  objectId: string,
  request: OffboardRequest,
): Promise<void> {
  await client.workflow.getHandle(userWorkflowId(tenantId, objectId)).signal(offboardUserSignal, request);
}
