import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { directoryWatcher } from '../../workflows/directory-watcher.js';
import { directoryWatcherSummary } from '../../model/index.js';
import type { OperatorClient } from '../connect.js';
import { fields, plural, render, workflowLink } from '../output.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
  type DirectoryWatcherState,
  TENANT_ID,
} from '../../contracts/index.js';

/** What `sync delta …` reports: the watcher's id, UI link and state (when it runs). */
export interface DeltaReport {
  workflowId: string;
  link: string;
  running: boolean;
  message: string;
  state?: DirectoryWatcherState;
}

const ago = (iso: string | undefined, now: number): string | undefined => {
  if (!iso) return undefined;
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return `${seconds} s ago (${iso})`;
};

/** The watcher's state as text: last round, changes applied, cursor age, full syncs, last error. */
export function describeWatcher(state: DirectoryWatcherState, now = Date.now()): string {
  const round = state.lastRound;
  const full = state.lastFullSync;
  return fields([
    ['phase', state.phase],
    ['interval', `${state.intervalSeconds} s (or at once when poked)`],
    ['rounds', state.rounds],
    [
      'last round',
      round
        ? `${ago(round.at, now)}: ${plural(round.changes, 'change')}, ${plural(round.users, 'user')} planned, ` +
          `${round.ensured} ensured, ${round.offboarded} offboarded, ${round.durationMs} ms`
        : 'none yet',
    ],
    ['changes applied', state.changesApplied],
    ['changes seen', state.changesSeen],
    ['cursor age', ago(state.cursorAt ?? state.baselinedAt, now) ?? 'no cursor yet'],
    ['baselined', ago(state.baselinedAt, now)],
    ['full syncs started', state.fullSyncsStarted],
    [
      'last full sync',
      full
        ? `${full.workflowId} (${full.reason})${full.outcome ? `: ${full.outcome}` : full.finishedAt ? '' : ': running'}`
        : undefined,
    ],
    ['notifications', describeNotifications(state, now)],
    ['last error', state.lastError ? `${state.lastError.message} (${state.lastError.at})` : undefined],
  ]);
}

const until = (iso: string, now: number): string =>
  `in ${Math.max(0, Math.round((Date.parse(iso) - now) / 1000))} s (${iso})`;

/** The change-notification subscriptions: which, when they expire, when they are renewed. */
function describeNotifications(state: DirectoryWatcherState, now: number): string | undefined {
  const n = state.notifications;
  if (!n) return undefined;
  if (!n.enabled) return 'off (the worker has none configured): polling only';
  const subs = n.subscriptions.map((s) => `${s.resource} ${s.id} expires ${until(s.expiresAt, now)}`);
  return [
    subs.length > 0 ? subs.join('; ') : 'no subscription',
    `${n.created} created, ${n.renewed} renewed`,
    ...(n.nextCheckAt ? [`next renewal check ${until(n.nextCheckAt, now)}`] : []),
    ...(n.lastLifecycleEvent
      ? [`last lifecycle event ${n.lastLifecycleEvent.event} (${n.lastLifecycleEvent.at})`]
      : []),
    ...(n.lastError ? [`last error ${n.lastError.message} (${n.lastError.at})`] : []),
  ].join(', ');
}

async function describeHandle({ client, config }: OperatorClient): Promise<DeltaReport> {
  const workflowId = directoryWatcherWorkflowId(config.graph.tenantId);
  const link = workflowLink(config.temporalUiUrl, client.options.namespace, workflowId);
  const handle = client.workflow.getHandle<typeof directoryWatcher>(workflowId);
  try {
    const description = await handle.describe();
    const running = description.status.name === 'RUNNING';
    const state = await handle.query(directoryStatusQuery);
    return { workflowId, link, running, message: running ? 'running' : 'not running', state };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return { workflowId, link, running: false, message: 'not running (never started)' };
    throw error;
  }
}

const text = (report: DeltaReport): string =>
  [
    `directory watcher ${report.workflowId}: ${report.message}`,
    ...(report.state ? [describeWatcher(report.state)] : []),
    `  ${report.link}`,
  ].join('\n');

/** `sync delta start`: starts the tenant's watcher (idempotent: a running one is left as it is). */
export async function startDelta(
  operator: OperatorClient,
  options: { intervalSeconds?: number; fullSyncAboveUsers?: number; json: boolean },
): Promise<string> {
  const { client, config } = operator;
  const tenantId = config.graph.tenantId;
  const workflowId = directoryWatcherWorkflowId(tenantId);
  let message = 'started';
  try {
    await client.workflow.start(directoryWatcher, {
      workflowId,
      taskQueue: config.taskQueue,
      args: [
        {
          tenantId,
          ...(options.intervalSeconds ? { intervalSeconds: options.intervalSeconds } : {}),
          ...(options.fullSyncAboveUsers ? { fullSyncAboveUsers: options.fullSyncAboveUsers } : {}),
        },
      ],
      staticSummary: directoryWatcherSummary(tenantId),
      typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    message = 'already running (left as it is; `sync delta stop` first to change its settings)';
  }
  const report = { ...(await describeHandle(operator)), message };
  return render(report, options.json, () => text(report));
}

/** `sync delta stop|poke`: a signal to the running watcher. */
export async function signalDelta(
  operator: OperatorClient,
  what: 'stop' | 'poke',
  options: { json: boolean },
): Promise<string> {
  const workflowId = directoryWatcherWorkflowId(operator.config.graph.tenantId);
  const handle = operator.client.workflow.getHandle(workflowId);
  try {
    await handle.signal(what === 'stop' ? stopDirectorySignal : pokeDirectorySignal);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new Error(
        `the directory watcher ${workflowId} is not running: start it with \`sync delta start\``,
      );
    throw error;
  }
  if (what === 'stop') await handle.result().catch(() => undefined);
  const report = {
    ...(await describeHandle(operator)),
    message: what === 'stop' ? 'stopped' : 'poked: a delta round runs now',
  };
  return render(report, options.json, () => text(report));
}

/** `sync delta status`. */
export async function deltaStatus(operator: OperatorClient, options: { json: boolean }): Promise<string> {
  const report = await describeHandle(operator);
  return render(report, options.json, () => text(report));
}
