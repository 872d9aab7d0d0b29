import type { WorkflowExecutionInfo } from '@temporalio/client';
import { syncUser } from '../../workflows/sync-user.js';
import type { OperatorClient } from '../connect.js';
import {
  createStatusLine,
  fields,
  printable,
  render,
  silentStream,
  workflowLink,
  type TextStream,
} from '../output.js';
import {
  ENTRA_OBJECT_ID,
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  SYNC_RUN_ID,
  TENANT_ID,
  WorkflowType,
  anyOf,
  cancelDeleteUpdate,
  oneOf,
  retryDeleteUpdate,
  workflowsOf,
  USER_PRINCIPAL_NAME,
  syncUserWorkflowId,
  type SyncUserResult,
  userStateQuery,
  userWorkflowId,
  type FailedDelete,
  type LifecyclePhase,
  type UserLifecycleState,
} from '../../contracts/index.js';

/** What `user show` knows about a user entity; `source` says where the state came from. */
export interface UserReport {
  workflowId: string;
  runId: string;
  /** The entity workflow's status: running, completed (released), failed, terminated, … */
  status: string;
  link: string;
  /**
   * `query`: the running entity answered; `result`: the closed entity's final state; `search-attributes`:
   * what the visibility store shows (no worker answered, or the run did not complete).
   */
  source: 'query' | 'result' | 'search-attributes';
  state: Pick<UserLifecycleState, 'objectId' | 'userPrincipalName' | 'phase'> & Partial<UserLifecycleState>;
  /** Other entities that matched (e.g. an earlier user with the same UPN). */
  otherMatches: string[];
}

const MAX_MATCHES = 20;

/** Entities whose object id or UPN is the given value (any status), newest first. */
async function findUserEntities(
  { client, config }: OperatorClient,
  idOrUpn: string,
): Promise<WorkflowExecutionInfo[]> {
  const values = [...new Set([idOrUpn, idOrUpn.toLowerCase()])];
  const query = workflowsOf(
    WorkflowType.userLifecycle,
    config.graph.tenantId,
    anyOf(oneOf(ENTRA_OBJECT_ID, values), oneOf(USER_PRINCIPAL_NAME, values)),
  );
  const found: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: MAX_MATCHES })) {
    found.push(execution);
    if (found.length >= MAX_MATCHES) break;
  }
  return found.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
}

function stateFromVisibility(execution: WorkflowExecutionInfo): UserReport['state'] {
  const attributes = execution.typedSearchAttributes;
  const extensionId = execution.memo?.extensionId;
  const displayName = execution.memo?.displayName;
  const lastError = execution.memo?.lastError;
  const number = attributes.get(EXTENSION_NUMBER);
  const lastSyncRunId = attributes.get(SYNC_RUN_ID);
  return {
    tenantId: attributes.get(TENANT_ID) ?? '',
    objectId: attributes.get(ENTRA_OBJECT_ID) ?? '',
    userPrincipalName: attributes.get(USER_PRINCIPAL_NAME) ?? '',
    phase: (attributes.get(LIFECYCLE_STATE) ?? 'pending') as LifecyclePhase,
    ...(typeof displayName === 'string' ? { displayName } : {}),
    ...(typeof lastError === 'string' ? { lastError } : {}),
    ...(number && typeof extensionId === 'string' ? { link: { extensionId, number } } : {}),
    ...(number && typeof extensionId !== 'string' ? { heldNumber: number } : {}),
    ...(lastSyncRunId ? { lastSyncRunId } : {}),
  };
}

export async function findUser(operator: OperatorClient, idOrUpn: string): Promise<UserReport> {
  const { client, config } = operator;
  const [newest, ...others] = await findUserEntities(operator, idOrUpn);
  if (!newest)
    throw new Error(
      `no user ${idOrUpn} in tenant ${config.graph.tenantId}: the sync has never managed a user with that object id or UPN`,
    );
  const handle = client.workflow.getHandle(newest.workflowId, newest.runId);
  const status = newest.status.name.toLowerCase();
  let state: UserLifecycleState | undefined;
  let source: UserReport['source'] = 'search-attributes';
  if (status === 'running') {
    state = await handle.query(userStateQuery).catch(() => undefined);
    if (state) source = 'query';
  } else if (status === 'completed') {
    state = await handle.result().catch(() => undefined);
    if (state) source = 'result';
  }
  return {
    workflowId: newest.workflowId,
    runId: newest.runId,
    status,
    link: workflowLink(config.temporalUiUrl, client.options.namespace, newest.workflowId),
    source,
    state: state ?? stateFromVisibility(newest),
    otherMatches: [...new Set(others.map((o) => o.workflowId))].filter((id) => id !== newest.workflowId),
  };
}

function describeFailedDelete({ failures, nextAttemptAt }: FailedDelete): string {
  const next = nextAttemptAt
    ? `next attempt ${nextAttemptAt}`
    : 'retries cancelled by an operator (`user delete --now` tries again)';
  return `refused ${failures === 1 ? 'once' : `${failures} times`}; ${next}`;
}

export function formatUserReport(report: UserReport): string {
  const { state } = report;
  const extension = state.link
    ? `${state.link.number} (id ${state.link.extensionId})${state.link.disabledAt ? `, disabled ${state.link.disabledAt}` : ''}`
    : state.heldNumber
      ? `none; number ${state.heldNumber} held back in quarantine`
      : 'none';
  const lines = [
    `user ${printable(state.userPrincipalName)} (object id ${printable(state.objectId)})`,
    fields([
      ['name', state.displayName],
      ['state', state.phase],
      ['access cut', state.phase === 'disabled' ? state.accessCut?.join(', ') : undefined],
      ['extension', extension],
      [
        'welcome',
        state.welcomeSent === undefined ? undefined : state.welcomeSent ? 'email sent' : 'not sent',
      ],
      ['last error', state.lastError],
      ['delete', state.failedDelete && describeFailedDelete(state.failedDelete)],
      ['last sync', state.lastSyncRunId],
      ['waiting', state.waitingUntil ? `until ${state.waitingUntil}` : undefined],
      ['workflow', `${report.workflowId} (${report.status})`],
      ['link', report.link],
    ]),
  ];
  if (report.source === 'search-attributes')
    lines.push('  (from the visibility store: no worker answered the state query)');
  if (report.otherMatches.length > 0) lines.push(`  also matched: ${report.otherMatches.join(', ')}`);
  return lines.join('\n');
}

/** `user show <upn|objectId>` */
export async function showUser(
  operator: OperatorClient,
  idOrUpn: string,
  options: { json: boolean },
): Promise<string> {
  const report = await findUser(operator, idOrUpn);
  return render(report, options.json, () => formatUserReport(report));
}

/** What `user delete --now|--cancel` did: the entity's state after it, as `user show` reports it. */
export interface DeleteReport extends UserReport {
  action: 'now' | 'cancel';
  outcome: string;
}

function deleteOutcome(action: DeleteReport['action'], state: UserLifecycleState): string {
  if (action === 'cancel')
    return `retries stopped: extension ${state.link?.number} stays disabled and linked until the user returns or \`user delete --now\``;
  if (state.failedDelete) return `the PBX refused the delete again: ${printable(String(state.lastError))}`;
  if (state.phase === 'quarantined')
    return `extension ${state.heldNumber} deleted; the number is held for the user until ${state.waitingUntil}`;
  return `no attempt made: the sync messaged the user first (state ${state.phase})`;
}

/**
 * `user delete <upn|objectId> --now|--cancel`: a delete the PBX refused after the grace period, tried again at
 * once (waiting for the outcome) or no longer retried.
 */
export async function steerFailedDelete(
  operator: OperatorClient,
  idOrUpn: string,
  options: { action: DeleteReport['action']; json: boolean },
): Promise<string> {
  const found = await findUser(operator, idOrUpn);
  if (found.status !== 'running')
    throw new Error(`${found.workflowId} is ${found.status}: it has no delete to retry or cancel`);
  const update = options.action === 'now' ? retryDeleteUpdate : cancelDeleteUpdate;
  const state = await operator.client.workflow.getHandle(found.workflowId).executeUpdate(update);
  const report: DeleteReport = {
    ...found,
    source: 'query',
    state,
    action: options.action,
    outcome: deleteOutcome(options.action, state),
  };
  return render(report, options.json, () => `${report.outcome}\n${formatUserReport(report)}`);
}

export interface ResyncReport extends SyncUserResult {
  workflowId: string;
  link: string;
  /** The user's entity in the Temporal UI, when the user is known. */
  userLink?: string;
}

function describeResync(report: ResyncReport): string {
  const { plan, convergence } = report;
  const outcome = !plan.dispatched
    ? plan.action === 'none'
      ? 'nothing to do'
      : 'dry run: nothing sent'
    : convergence?.failed[0]
      ? `failed: ${convergence.failed[0].error}`
      : convergence && convergence.applied >= convergence.expected
        ? 'applied'
        : "not confirmed yet: the user's workflow is still working on it";
  return [
    `${printable(plan.userPrincipalName)}: ${printable(plan.detail)}`,
    ...plan.errors.map((error) => `  error: ${printable(error)}`),
    ...plan.notes.map((note) => `  note: ${printable(note)}`),
    fields([
      ['outcome', outcome],
      ['resync', report.link],
      ['user', report.userLink],
    ]),
  ].join('\n');
}

/** `user resync <upn|objectId>`: runs the syncUser workflow and waits for the user's entity to apply it. */
export async function resyncUser(
  operator: OperatorClient,
  idOrUpn: string,
  options: { json: boolean; dryRun?: boolean; progress?: TextStream },
): Promise<string> {
  const { client, config } = operator;
  const tenantId = config.graph.tenantId;
  const workflowId = syncUserWorkflowId(tenantId, idOrUpn, new Date().toISOString());
  const stream = options.progress ?? process.stderr;
  const status = createStatusLine(options.json && !stream.isTTY ? silentStream : stream);
  status.update(`resyncing ${idOrUpn} …`);
  let result: SyncUserResult;
  try {
    result = await client.workflow.execute(syncUser, {
      workflowId,
      taskQueue: config.taskQueue,
      args: [{ tenantId, user: idOrUpn, dryRun: options.dryRun ?? false }],
      typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
    });
  } finally {
    status.done();
  }
  const ui = (id: string) => workflowLink(config.temporalUiUrl, client.options.namespace, id);
  const report: ResyncReport = {
    workflowId,
    link: ui(workflowId),
    ...(result.plan.objectId ? { userLink: ui(userWorkflowId(tenantId, result.plan.objectId)) } : {}),
    ...result,
  };
  return render(report, options.json, () => describeResync(report));
}
