import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowIdConflictPolicy, type WorkflowExecutionInfo } from '@temporalio/client';
import { fullSync } from '../../workflows/full-sync.js';
import { fullSyncSummary } from '../../model/index.js';
import type { OperatorClient } from '../connect.js';
import { describeProgress, phaseOf } from '../full-sync-output.js';
import {
  createStatusLine,
  plural,
  progressBar,
  render,
  silentStream,
  workflowLink,
  type TextStream,
} from '../output.js';
import {
  decideOffboardingUpdate,
  fullSyncProgressQuery,
  fullSyncWorkflowId,
  type FullSyncProgress,
  type OffboardingDecision,
  TENANT_ID,
  WorkflowType,
  entitiesThatApplied,
  isRunning,
  notEquals,
  workflowsOf,
} from '../../contracts/index.js';

export interface FullSyncOptions {
  dryRun: boolean;
  /** Wait for the run to finish (or to need approval), showing progress; false = print the id and return. */
  wait: boolean;
  json: boolean;
  /** Progress goes here (default stderr; with --json only when it is a terminal). */
  progress?: TextStream;
  pollMs?: number;
  /** Every sampled user of every problem kind (`--verbose`), not only the first few. */
  verbose?: boolean;
}

/** What `sync full` and `sync approve|reject` report: the run's progress, with its id and UI link. */
export interface FullSyncReport extends FullSyncProgress {
  workflowId: string;
  link: string;
}

const fullSyncs = (tenantId: string, ...conditions: string[]) =>
  workflowsOf(WorkflowType.fullSync, tenantId, ...conditions);

function approvalHint(workflowId: string): string {
  return [
    `approve: npm run cli -- sync approve ${workflowId} --by "<your name>" [--note "<why>"]`,
    `reject:  npm run cli -- sync reject ${workflowId} --by "<your name>" [--note "<why>"]`,
  ].join('\n');
}

/** Users the run messages and waits for: the dispatched ensures, plus the offboardings once released. */
function expectedUsers(progress: FullSyncProgress): number {
  const guard = progress.guard;
  const offboarding =
    guard && (guard.allowed || progress.decision?.approved) ? guard.wouldOffboard.length : 0;
  return (progress.dispatched ?? 0) + offboarding;
}

export async function startFullSync(operator: OperatorClient, options: FullSyncOptions): Promise<string> {
  const { client, config } = operator;
  const tenantId = config.graph.tenantId;
  const workflowId = fullSyncWorkflowId(tenantId, new Date().toISOString());
  const handle = await client.workflow.start(fullSync, {
    workflowId,
    taskQueue: config.taskQueue,
    args: [{ tenantId, dryRun: options.dryRun }],
    staticSummary: fullSyncSummary(tenantId, options.dryRun),
    typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  const link = workflowLink(config.temporalUiUrl, client.options.namespace, workflowId);
  if (!options.wait)
    return render(
      { workflowId, link },
      options.json,
      () => `started full sync ${workflowId}${options.dryRun ? ' (dry run)' : ''}\n${link}`,
    );

  const stream = options.progress ?? process.stderr;
  const status = createStatusLine(options.json && !stream.isTTY ? silentStream : stream);
  const started = Date.now();
  const result = handle.result();
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => undefined);
  try {
    while (!finished) {
      const progress = await handle.query(fullSyncProgressQuery).catch(() => undefined);
      if (progress?.phase === 'awaiting-approval') {
        status.done();
        return render({ workflowId, link, ...progress }, options.json, () =>
          [
            `full sync ${workflowId}: waiting for an operator's approval`,
            describeProgress(progress, options),
            approvalHint(workflowId),
            link,
          ].join('\n'),
        );
      }
      const elapsed = stream.isTTY ? ` (${Math.round((Date.now() - started) / 1000)} s)` : '';
      if (progress?.phase === 'applying') {
        const applied = await client.workflow.count(entitiesThatApplied(tenantId, workflowId)).then(
          (r) => r.count,
          () => 0,
        );
        status.update(`applying: ${progressBar(applied, expectedUsers(progress))} users${elapsed}`);
      } else if (progress) {
        status.update(`${progress.phase}${progress.dryRun ? ' (dry run)' : ''}${elapsed}`);
      }
      await Promise.race([result.catch(() => undefined), sleep(options.pollMs ?? 1000)]);
    }
  } finally {
    status.done();
  }
  const progress = await result;
  return render({ workflowId, link, ...progress }, options.json, () =>
    [`full sync ${workflowId}: ${phaseOf(progress)}`, describeProgress(progress, options), link].join('\n'),
  );
}

/** The tenant's running full syncs that wait for an approve or reject. */
async function runsAwaitingApproval({ client, config }: OperatorClient): Promise<string[]> {
  const waiting: string[] = [];
  const query = fullSyncs(config.graph.tenantId, isRunning);
  for await (const execution of client.workflow.list({ query })) {
    const progress = await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .query(fullSyncProgressQuery)
      .catch(() => undefined);
    if (progress?.phase === 'awaiting-approval') waiting.push(execution.workflowId);
  }
  return waiting;
}

/** `sync approve|reject`: without a workflow id, the tenant's one run that waits for approval. */
export async function decideOffboarding(
  operator: OperatorClient,
  workflowId: string | undefined,
  decision: OffboardingDecision,
  json: boolean,
): Promise<string> {
  const { client, config } = operator;
  let target = workflowId;
  if (!target) {
    const waiting = await runsAwaitingApproval(operator);
    if (waiting.length === 0)
      throw new Error(`no full sync of tenant ${config.graph.tenantId} is waiting for approval`);
    if (waiting.length > 1)
      throw new Error(
        `${waiting.length} full syncs are waiting for approval; name one:\n  ${waiting.join('\n  ')}`,
      );
    target = waiting[0]!;
  }
  const progress = await client.workflow
    .getHandle(target)
    .executeUpdate(decideOffboardingUpdate, { args: [decision] });
  const link = workflowLink(config.temporalUiUrl, client.options.namespace, target);
  return render({ workflowId: target, link, ...progress }, json, () =>
    [
      `${decision.approved ? 'approved' : 'rejected'} the offboarding held by ${target}; the run goes on`,
      describeProgress(progress),
      link,
    ].join('\n'),
  );
}

export interface SyncRunInfo {
  workflowId: string;
  runId: string;
  status: string;
  /** Running runs only (from the progress query; absent when no worker answered). */
  phase?: FullSyncProgress['phase'];
  startTime: string;
  closeTime?: string;
  link: string;
}

export async function syncStatus(
  { client, config }: OperatorClient,
  options: { json: boolean; limit?: number },
): Promise<string> {
  const tenantId = config.graph.tenantId;
  const limit = options.limit ?? 5;
  const info = (execution: WorkflowExecutionInfo): SyncRunInfo => ({
    workflowId: execution.workflowId,
    runId: execution.runId,
    status: execution.status.name.toLowerCase(),
    startTime: execution.startTime.toISOString(),
    ...(execution.closeTime ? { closeTime: execution.closeTime.toISOString() } : {}),
    link: workflowLink(config.temporalUiUrl, client.options.namespace, execution.workflowId),
  });
  const running: SyncRunInfo[] = [];
  for await (const execution of client.workflow.list({
    query: fullSyncs(tenantId, isRunning),
  })) {
    const progress = await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .query(fullSyncProgressQuery)
      .catch(() => undefined);
    running.push({ ...info(execution), ...(progress ? { phase: progress.phase } : {}) });
  }
  const recent: SyncRunInfo[] = [];
  for await (const execution of client.workflow.list({
    query: fullSyncs(tenantId, notEquals('ExecutionStatus', 'Running')),
    pageSize: limit,
  })) {
    recent.push(info(execution));
    if (recent.length >= limit) break;
  }
  const byStart = (a: SyncRunInfo, b: SyncRunInfo) => b.startTime.localeCompare(a.startTime);
  running.sort(byStart);
  recent.sort(byStart);

  const row = (run: SyncRunInfo) =>
    `  ${run.workflowId}  ${run.phase ?? run.status}  started ${run.startTime}` +
    (run.closeTime ? `, closed ${run.closeTime}` : '');
  return render({ tenantId, running, recent }, options.json, () => {
    if (running.length === 0 && recent.length === 0) return `no full sync of tenant ${tenantId} has run yet`;
    return [
      running.length > 0 ? `running (${running.length}):` : 'running: none',
      ...running.map(row),
      ...(recent.length > 0 ? [`last ${plural(recent.length, 'finished run')}:`, ...recent.map(row)] : []),
    ].join('\n');
  });
}
