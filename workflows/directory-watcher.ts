import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  GraphFailure,
  TENANT_ID,
  directoryStatusQuery,
  fullSyncWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
  subscriptionLifecycleSignal,
  type DirectoryWatcherInput,
  type DirectoryWatcherState,
  type OwedFullSync,
} from '../contracts/index.js';
import { fullSyncSummary } from '../model/index.js';
import { failureOf } from './failures.js';
import { fullSync } from './full-sync.js';
import { Watcher, now } from './watcher.js';

const DEFAULT_FULL_SYNC_ABOVE_USERS = 500;

// Rounds heartbeat after every page, user lookup and dispatch: a worker that dies mid-round is noticed in
// 20 s and the round resumes elsewhere from its last heartbeat.
const { deltaRound, deltaBaseline } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [GraphFailure.DeltaTokenExpired],
  },
});

/**
 * New "from now" cursors (unless kept), then a full sync that covers everything before them. The child is
 * started without awaiting it (executeChild's promise), so the subscriptions are renewed while it runs: a
 * full sync may wait days for an offboarding approval. A stop ends the wait and abandons the child.
 */
async function resync(watcher: Watcher, owed: OwedFullSync): Promise<'done' | 'failed' | 'stopped'> {
  const { state, input } = watcher;
  if (owed.rebaseline) {
    watcher.enter('baselining');
    try {
      state.cursors = await deltaBaseline();
    } catch (error) {
      // Graph unreachable or refusing for longer than the activity's retries: the full sync stays owed.
      watcher.recordError(`taking new delta cursors failed: ${failureOf(error).message}`);
      return 'failed';
    }
    state.baselinedAt = now();
    owed.rebaseline = false;
  }
  watcher.enter('full-sync');
  const startedAt = now();
  const workflowId = fullSyncWorkflowId(input.tenantId, startedAt);
  state.fullSyncsStarted++;
  const lastFullSync: NonNullable<DirectoryWatcherState['lastFullSync']> = {
    workflowId,
    reason: owed.reason,
    startedAt,
  };
  state.lastFullSync = lastFullSync;
  let finished = false;
  const child = executeChild(fullSync, {
    workflowId,
    args: [{ tenantId: input.tenantId }],
    staticSummary: fullSyncSummary(input.tenantId, false),
    typedSearchAttributes: [{ key: TENANT_ID, value: input.tenantId }],
    // A full sync waiting for an operator's approval outlives a stopped watcher.
    parentClosePolicy: ParentClosePolicy.ABANDON,
  }).finally(() => {
    finished = true;
  });
  child.catch(() => undefined); // awaited below, unless the watcher is stopped first
  await watcher.waitFor(() => finished);
  if (!finished) {
    lastFullSync.outcome = 'left running: the watcher was stopped';
    return 'stopped';
  }
  try {
    const result = await child;
    lastFullSync.outcome = result.decision
      ? `offboarding ${result.decision.approved ? 'approved' : 'rejected'} by ${result.decision.by}`
      : 'completed';
    return 'done';
  } catch (error) {
    const { message } = failureOf(error);
    lastFullSync.outcome = `failed: ${message}`;
    watcher.recordError(`full sync ${workflowId} (${owed.reason}) failed: ${message}`);
    return 'failed';
  } finally {
    lastFullSync.finishedAt = now();
  }
}

/** One delta round; a full sync becomes owed when the round asks for one or Graph expired the cursors. */
async function round(watcher: Watcher): Promise<void> {
  const { state, input } = watcher;
  watcher.enter('round');
  const started = Date.now();
  try {
    const result = await deltaRound({
      tenantId: input.tenantId,
      syncRunId: `${workflowInfo().workflowId}/round-${state.rounds + 1}`,
      cursors: state.cursors!,
      fullSyncAboveUsers: input.fullSyncAboveUsers ?? DEFAULT_FULL_SYNC_ABOVE_USERS,
    });
    watcher.roundsThisRun++;
    state.rounds++;
    state.cursors = result.cursors;
    state.cursorAt = now();
    state.changesSeen += result.changes;
    state.changesApplied += result.ensured + result.offboarded;
    state.lastRound = {
      at: state.cursorAt,
      durationMs: Date.now() - started,
      changes: result.changes,
      users: result.users,
      ensured: result.ensured,
      offboarded: result.offboarded,
    };
    if (result.fullSyncNeeded)
      state.owedFullSync = { reason: result.fullSyncNeeded, rebaseline: false, failures: 0 };
  } catch (error) {
    const failure = failureOf(error);
    if (failure.type !== GraphFailure.DeltaTokenExpired) return watcher.recordError(failure.message);
    watcher.recordError(
      `delta token expired or reset: re-baselining and running a full sync (${failure.message})`,
    );
    state.owedFullSync = { reason: 'delta token expired', rebaseline: true, failures: 0 };
  }
}

/**
 * The tenant's directory watcher: keeps the users and groups deltaLinks and runs a delta round every
 * `intervalSeconds`, or at once when poked (a Graph change notification, an operator). Each round is one
 * activity that routes the changed users to their entities and returns counts and the new deltaLinks.
 *
 * Baseline: on first start, and whenever Graph expires or resets a token, it takes "sync from now"
 * deltaLinks FIRST and then runs a full sync (child workflow) and waits for it: a change made while the
 * full sync runs is reported again by the next round, so nothing in the gap is lost (applying it twice is
 * harmless). Rounds wait while a full sync runs, so a stale full-sync read cannot overwrite a newer change.
 * A full sync that fails stays owed (across continue-as-new too) and is tried again with a growing backoff.
 */
export async function directoryWatcher(input: DirectoryWatcherInput): Promise<DirectoryWatcherState> {
  const watcher = new Watcher(input);
  const { state } = watcher;
  setHandler(pokeDirectorySignal, () => {
    watcher.poked = true;
  });
  setHandler(subscriptionLifecycleSignal, ({ event }) => watcher.lifecycleEvent(event));
  setHandler(stopDirectorySignal, () => {
    watcher.stopped = true;
  });
  setHandler(directoryStatusQuery, () => state);

  while (!watcher.stopped) {
    if (watcher.shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof directoryWatcher>({ ...input, state });
    }
    watcher.poked = false;
    await watcher.keepSubscriptions();
    const owed = state.owedFullSync;
    let waitMs = state.intervalSeconds * 1000;
    if (owed) {
      const outcome = await resync(watcher, owed);
      if (outcome === 'done') {
        delete state.owedFullSync;
        continue; // a round at once: it picks up what changed while the full sync ran
      }
      if (outcome === 'failed') waitMs = watcher.backoffMs(++owed.failures);
    } else {
      await round(watcher);
      if (state.owedFullSync) continue;
    }
    if (watcher.stopped) break;
    watcher.enter('waiting');
    // A full sync owed after failures waits out its backoff; a poke does not cut it short.
    if (!state.owedFullSync && patched('idle-poll-activity')) await watcher.awaitChange();
    else await watcher.waitFor(() => watcher.poked && !state.owedFullSync, waitMs);
  }
  await watcher.dropSubscriptions();
  watcher.enter('stopped');
  await condition(allHandlersFinished);
  return state;
}
