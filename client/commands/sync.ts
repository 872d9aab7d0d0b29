import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import {
  decideOffboardingUpdate,
  fullSync,
  fullSyncProgressQuery,
  fullSyncWorkflowId,
  type FullSyncProgress,
} from '../../workflows/full-sync.js';
import { TENANT_ID } from '../../workflows/search-attributes.js';
import type { OperatorClient } from '../connect.js';
import { createStatusLine, progressBar, render, workflowLink } from '../output.js';

export interface FullSyncOptions {
  dryRun: boolean;
  wait: boolean;
  json: boolean;
}

export function describeProgress(progress: FullSyncProgress): string {
  const lines = [`phase: ${progress.phase}${progress.dryRun ? ' (dry run: nothing written)' : ''}`];
  if (progress.plan) lines.push(`plan: ${JSON.stringify(progress.plan, null, 2)}`);
  if (progress.guard && !progress.guard.allowed) {
    lines.push(`offboarding held for approval: ${progress.guard.reason}`);
    lines.push(...progress.guard.wouldOffboard.map((name) => `  - ${name}`));
  }
  if (progress.decision)
    lines.push(
      `decision: ${progress.decision.approved ? 'approved' : 'rejected'} by ${progress.decision.by}`,
    );
  if (progress.convergence) lines.push(`applied: ${JSON.stringify(progress.convergence)}`);
  if (progress.groups) lines.push(`groups: ${JSON.stringify(progress.groups)}`);
  return lines.join('\n');
}

export async function startFullSync(operator: OperatorClient, options: FullSyncOptions): Promise<string> {
  const { client, config } = operator;
  const tenantId = config.graph.tenantId;
  const workflowId = fullSyncWorkflowId(tenantId, new Date().toISOString());
  const handle = await client.workflow.start(fullSync, {
    workflowId,
    taskQueue: config.taskQueue,
    args: [{ tenantId, dryRun: options.dryRun }],
    typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
  });
  const link = workflowLink(config.temporalUiUrl, client.options.namespace, workflowId);
  if (!options.wait)
    return render({ workflowId, link }, options.json, () => `started ${workflowId}\n${link}`);

  const status = createStatusLine();
  const result = handle.result();
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    const progress = await handle.query(fullSyncProgressQuery).catch(() => undefined);
    if (progress?.phase === 'awaiting-approval') {
      status.done();
      return render(
        progress,
        options.json,
        () =>
          `${describeProgress(progress)}\napprove with: npm run cli -- sync approve ${workflowId} --by <you>\n${link}`,
      );
    }
    if (progress)
      status.update(
        `${workflowId}: ${progress.phase}${progress.plan ? ` ${progressBar(progress.convergence?.applied ?? 0, progress.convergence?.expected ?? 0)}` : ''}`,
      );
    await Promise.race([result.catch(() => undefined), sleep(1000)]);
  }
  status.done();
  const progress = await result;
  return render(progress, options.json, () => `${describeProgress(progress)}\n${link}`);
}

export async function decideOffboarding(
  { client }: OperatorClient,
  workflowId: string,
  decision: { approved: boolean; by: string; note?: string },
  json: boolean,
): Promise<string> {
  const progress = await client.workflow
    .getHandle(workflowId)
    .executeUpdate(decideOffboardingUpdate, { args: [decision] });
  return render(
    progress,
    json,
    () => `${decision.approved ? 'approved' : 'rejected'}: ${workflowId}\n${describeProgress(progress)}`,
  );
}
