import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DeltaCursors } from '../activities/sync/delta-activities.js';
import type {
  EnsureSubscriptionsResult,
  SubscriptionRef,
} from '../activities/sync/subscription-activities.js';
import { fullSync, fullSyncWorkflowId } from './full-sync.js';
import { TENANT_ID } from './search-attributes.js';

export interface DirectoryWatcherInput {
  tenantId: string;
  /** Seconds between delta rounds when nobody pokes (default 30, at least 1). */
  intervalSeconds?: number;
  /**
   * A round with more changed users than this (default 500) hands them to a full sync instead: past a few
   * hundred, bulk reads of the whole directory cost less than reading each user and their extension.
   */
  fullSyncAboveUsers?: number;
  /** Continue-as-new after this many rounds (tests); otherwise when Temporal suggests it. */
  maxRoundsPerRun?: number;
  /**
   * Lifetime of the Graph change-notification subscriptions (default 2 days); they are renewed halfway.
   * Only used when the worker has notifications configured.
   */
  subscriptionLifetimeSeconds?: number;
  /** Carried across continue-as-new. */
  state?: DirectoryWatcherState;
}

/** The change-notification subscriptions the watcher keeps alive (ids and expiry only, never the clientState). */
export interface WatcherNotificationsState {
  /** False: the worker has no notifications configured, rounds run on the interval (and pokes) only. */
  enabled: boolean;
  subscriptions: SubscriptionRef[];
  created: number;
  renewed: number;
  lastCheckAt?: string;
  /** When the subscriptions are checked (renewed when past half their lifetime) next. */
  nextCheckAt?: string;
  lastLifecycleEvent?: { at: string; event: string };
  lastError?: { at: string; message: string };
}

export type WatcherPhase = 'baselining' | 'full-sync' | 'round' | 'waiting' | 'stopped';

export interface DirectoryWatcherState {
  phase: WatcherPhase;
  intervalSeconds: number;
  /** The deltaLinks: where the next round starts. */
  cursors?: DeltaCursors;
  /** When the cursors were last (re-)baselined from "now" (before the full sync that covered the gap). */
  baselinedAt?: string;
  rounds: number;
  /** Changes Graph reported over all rounds (duplicates included). */
  changesSeen: number;
  /** Requests sent to user entities (ensure and offboard) over all rounds. */
  changesApplied: number;
  lastRound?: {
    at: string;
    durationMs: number;
    changes: number;
    users: number;
    ensured: number;
    offboarded: number;
  };
  /** When a round last completed: the cursors are this fresh. */
  cursorAt?: string;
  lastError?: { at: string; message: string };
  fullSyncsStarted: number;
  lastFullSync?: {
    workflowId: string;
    reason: string;
    startedAt: string;
    finishedAt?: string;
    outcome?: string;
  };
  /** Runs of this workflow so far (continue-as-new count + 1). */
  runs: number;
  /** Change notifications (set after the first check of a run). */
  notifications?: WatcherNotificationsState;
}

export const pokeDirectorySignal = defineSignal('pokeDirectory');
export const stopDirectorySignal = defineSignal('stopDirectory');
/** A Graph lifecycle notification (sent by the receiver): `subscriptionRemoved`, `reauthorizationRequired`, `missed`. */
export const subscriptionLifecycleSignal = defineSignal<[{ event: string }]>('subscriptionLifecycle');
export const directoryStatusQuery = defineQuery<DirectoryWatcherState>('directoryStatus');

export const directoryWatcherWorkflowId = (tenantId: string): string => `directory/${tenantId}`;

const DELTA_TOKEN_EXPIRED = 'DeltaTokenExpired';
const DEFAULT_INTERVAL_SECONDS = 30;
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
    nonRetryableErrorTypes: [DELTA_TOKEN_EXPIRED],
  },
});

const { ensureSubscriptions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
});

/** After a failed subscription check, try again this much later (rounds go on meanwhile). */
const SUBSCRIPTION_RETRY_MS = 60_000;

function failureOf(error: unknown): { type?: string; message: string } {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)
    return { type: error.cause.type ?? undefined, message: error.cause.message };
  if (error instanceof ActivityFailure && error.cause) return { message: error.cause.message };
  return { message: error instanceof Error ? error.message : String(error) };
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
 */
export async function directoryWatcher(input: DirectoryWatcherInput): Promise<DirectoryWatcherState> {
  const intervalSeconds = Math.max(1, input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS);
  const state: DirectoryWatcherState = input.state
    ? { ...input.state, intervalSeconds, runs: input.state.runs + 1 }
    : {
        phase: 'baselining',
        intervalSeconds,
        rounds: 0,
        changesSeen: 0,
        changesApplied: 0,
        fullSyncsStarted: 0,
        runs: 1,
      };
  let poked = false;
  let stopped = false;
  let roundsThisRun = 0;
  /** Subscriptions are checked once at the start of each run, then when due or told by a lifecycle event. */
  let checkedThisRun = false;
  let forceRenewal = false;

  setHandler(pokeDirectorySignal, () => {
    poked = true;
  });
  setHandler(subscriptionLifecycleSignal, ({ event }) => {
    if (state.notifications) state.notifications.lastLifecycleEvent = { at: now(), event };
    // Every lifecycle event asks for a round (missed: changes were not delivered) and a renewal
    // (reauthorizationRequired: renew now; subscriptionRemoved: the renewal's 404 subscribes again).
    poked = true;
    forceRenewal = true;
  });
  setHandler(stopDirectorySignal, () => {
    stopped = true;
  });
  setHandler(directoryStatusQuery, () => state);

  const now = () => new Date().toISOString();
  const recordError = (message: string) => {
    state.lastError = { at: now(), message };
  };

  /** Milliseconds until the subscriptions are due for a check; undefined when notifications are off. */
  const untilSubscriptionCheck = (): number | undefined => {
    if (!checkedThisRun || forceRenewal) return 0;
    const next = state.notifications?.enabled ? state.notifications.nextCheckAt : undefined;
    return next === undefined ? undefined : Math.max(0, Date.parse(next) - Date.now());
  };

  /** Creates, renews or recreates the subscriptions when due (a no-op otherwise). */
  const keepSubscriptions = async (): Promise<void> => {
    if (untilSubscriptionCheck() !== 0) return;
    const force = forceRenewal;
    forceRenewal = false;
    checkedThisRun = true;
    const previous = state.notifications;
    try {
      const result: EnsureSubscriptionsResult = await ensureSubscriptions({
        current: previous?.subscriptions ?? [],
        ...(input.subscriptionLifetimeSeconds ? { lifetimeSeconds: input.subscriptionLifetimeSeconds } : {}),
        force,
      });
      state.notifications = {
        enabled: result.enabled,
        subscriptions: result.subscriptions,
        created: (previous?.created ?? 0) + result.created,
        renewed: (previous?.renewed ?? 0) + result.renewed,
        lastCheckAt: now(),
        ...(result.nextCheckAt ? { nextCheckAt: result.nextCheckAt } : {}),
        ...(previous?.lastLifecycleEvent ? { lastLifecycleEvent: previous.lastLifecycleEvent } : {}),
        ...(previous?.lastError ? { lastError: previous.lastError } : {}),
      };
    } catch (error) {
      const message = `change-notification subscriptions: ${failureOf(error).message}`;
      recordError(message);
      state.notifications = {
        ...(previous ?? { subscriptions: [], created: 0, renewed: 0 }),
        enabled: true,
        lastCheckAt: now(),
        nextCheckAt: new Date(Date.now() + SUBSCRIPTION_RETRY_MS).toISOString(),
        lastError: { at: now(), message },
      };
    }
  };

  /** Waits for `done`, a stop, or `timeoutMs`, renewing the subscriptions when they fall due meanwhile. */
  const waitFor = async (done: () => boolean, timeoutMs?: number): Promise<void> => {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    while (!done()) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) return;
      const untilCheck = untilSubscriptionCheck();
      if (untilCheck === 0) {
        await keepSubscriptions();
        continue;
      }
      const timeout =
        remaining === undefined
          ? untilCheck
          : untilCheck === undefined
            ? remaining
            : Math.min(remaining, untilCheck);
      if (timeout === undefined) await condition(() => done() || forceRenewal);
      else await condition(() => done() || forceRenewal, timeout);
    }
  };

  /** New "from now" cursors (unless kept), then a full sync that covers everything before them. */
  const resync = async (reason: string, rebaseline: boolean): Promise<boolean> => {
    if (rebaseline) {
      state.phase = 'baselining';
      state.cursors = await deltaBaseline();
      state.baselinedAt = now();
    }
    state.phase = 'full-sync';
    const startedAt = now();
    const workflowId = fullSyncWorkflowId(input.tenantId, startedAt);
    state.fullSyncsStarted++;
    state.lastFullSync = { workflowId, reason, startedAt };
    try {
      const child = await startChild(fullSync, {
        workflowId,
        args: [{ tenantId: input.tenantId }],
        typedSearchAttributes: [{ key: TENANT_ID, value: input.tenantId }],
        // A full sync waiting for an operator's approval outlives a stopped watcher.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      // A full sync may wait days for an offboarding approval: the subscriptions are renewed meanwhile.
      let finished = false;
      const pending = child.result().finally(() => {
        finished = true;
      });
      pending.catch(() => undefined);
      await waitFor(() => finished);
      const result = await pending;
      state.lastFullSync.outcome = result.decision
        ? `offboarding ${result.decision.approved ? 'approved' : 'rejected'} by ${result.decision.by}`
        : 'completed';
      return true;
    } catch (error) {
      state.lastFullSync.outcome = `failed: ${failureOf(error).message}`;
      recordError(`full sync ${workflowId} (${reason}) failed: ${failureOf(error).message}`);
      return false;
    } finally {
      state.lastFullSync.finishedAt = now();
    }
  };

  /** Set when a full sync is still owed (it failed, or a round asked for one). */
  let owed: { reason: string; rebaseline: boolean } | undefined = state.cursors
    ? undefined
    : { reason: 'initial baseline', rebaseline: true };

  while (!stopped) {
    if (workflowInfo().continueAsNewSuggested || roundsThisRun >= (input.maxRoundsPerRun ?? Infinity)) {
      await condition(allHandlersFinished);
      if (!owed) return continueAsNew<typeof directoryWatcher>({ ...input, state });
    }
    poked = false;
    await keepSubscriptions();
    if (owed) {
      const { reason, rebaseline } = owed;
      if (await resync(reason, rebaseline)) {
        owed = undefined;
        continue; // a round at once: it picks up what changed while the full sync ran
      }
    } else {
      state.phase = 'round';
      const started = Date.now();
      try {
        const result = await deltaRound({
          tenantId: input.tenantId,
          syncRunId: `${workflowInfo().workflowId}/round-${state.rounds + 1}`,
          cursors: state.cursors!,
          fullSyncAboveUsers: input.fullSyncAboveUsers ?? DEFAULT_FULL_SYNC_ABOVE_USERS,
        });
        roundsThisRun++;
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
        if (result.fullSyncNeeded) owed = { reason: result.fullSyncNeeded, rebaseline: false };
      } catch (error) {
        const failure = failureOf(error);
        if (failure.type === DELTA_TOKEN_EXPIRED) {
          recordError(
            `delta token expired or reset: re-baselining and running a full sync (${failure.message})`,
          );
          owed = { reason: 'delta token expired', rebaseline: true };
          continue;
        }
        recordError(failure.message);
      }
      if (owed) continue;
    }
    state.phase = 'waiting';
    await waitFor(() => poked || stopped, state.intervalSeconds * 1000);
  }
  if (state.notifications?.enabled && state.notifications.subscriptions.length > 0) {
    // Stopped: nobody keeps the subscriptions, so Graph need not deliver to the receiver any more.
    try {
      await ensureSubscriptions({ current: state.notifications.subscriptions, remove: true });
      state.notifications = { ...state.notifications, subscriptions: [] };
      delete state.notifications.nextCheckAt;
    } catch (error) {
      recordError(`change-notification subscriptions not deleted: ${failureOf(error).message}`);
    }
  }
  state.phase = 'stopped';
  await condition(allHandlersFinished);
  return state;
}
