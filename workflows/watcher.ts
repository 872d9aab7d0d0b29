import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type {
  DirectoryChangeWatch,
  DirectoryWatcherInput,
  DirectoryWatcherState,
  WatcherPhase,
} from '../contracts/index.js';
import { directoryWatcherDetails } from '../model/index.js';
import { failureOf } from './failures.js';

const DEFAULT_INTERVAL_SECONDS = 30;
/** After a failed subscription check, try again this much later (rounds go on meanwhile). */
const SUBSCRIPTION_RETRY_MS = 60_000;
/** A full sync that keeps failing is retried after the interval, doubling up to this. */
const MAX_FULL_SYNC_BACKOFF_MS = 60 * 60_000;

const { ensureSubscriptions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
});

/** An idle poll hands back fresher cursors this often (Graph keeps a delta token for days). */
const MAX_POLL_WAIT_SECONDS = 3600;

// Abandoned on a poke or a stop: the poll learns of the cancellation at its next heartbeat and meanwhile only
// reads Graph. Its heartbeats are minutes apart (each is a billed action), so a dead worker is noticed late;
// change notifications do not depend on it.
const { awaitDirectoryChange } = proxyActivities<Activities>({
  startToCloseTimeout: `${MAX_POLL_WAIT_SECONDS + 600} seconds`,
  heartbeatTimeout: '10 minutes',
  cancellationType: ActivityCancellationType.ABANDON,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const now = () => new Date().toISOString();

/** The watcher's state (carried across continue-as-new), its wake-up flags and its subscription timing. */
export class Watcher {
  readonly state: DirectoryWatcherState;
  poked = false;
  stopped = false;
  roundsThisRun = 0;
  /** Subscriptions are checked once at the start of each run, then when due or told by a lifecycle event. */
  private checkedThisRun = false;
  private renewalAsked = false;

  constructor(readonly input: DirectoryWatcherInput) {
    const intervalSeconds = Math.max(1, input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS);
    this.state = input.state
      ? { ...input.state, intervalSeconds, runs: input.state.runs + 1 }
      : {
          phase: 'baselining',
          intervalSeconds,
          rounds: 0,
          changesSeen: 0,
          changesApplied: 0,
          fullSyncsStarted: 0,
          runs: 1,
          owedFullSync: { reason: 'initial baseline', rebaseline: true, failures: 0 },
        };
  }

  /**
   * Every lifecycle event asks for a round (missed: changes were not delivered) and a renewal
   * (reauthorizationRequired: renew now; subscriptionRemoved: the renewal's 404 subscribes again).
   */
  lifecycleEvent(event: string): void {
    if (this.state.notifications) this.state.notifications.lastLifecycleEvent = { at: now(), event };
    this.poked = true;
    this.renewalAsked = true;
  }

  /** Changes phase and keeps the watcher's line in the Temporal UI current. */
  enter(phase: WatcherPhase): void {
    this.state.phase = phase;
    setCurrentDetails(directoryWatcherDetails(this.state));
  }

  recordError(message: string): void {
    this.state.lastError = { at: now(), message };
    setCurrentDetails(directoryWatcherDetails(this.state));
  }

  shouldContinueAsNew(): boolean {
    return (
      workflowInfo().continueAsNewSuggested || this.roundsThisRun >= (this.input.maxRoundsPerRun ?? Infinity)
    );
  }

  /** Milliseconds until the subscriptions are due for a check; undefined when notifications are off. */
  private untilSubscriptionCheck(): number | undefined {
    if (!this.checkedThisRun || this.renewalAsked) return 0;
    const next = this.state.notifications?.enabled ? this.state.notifications.nextCheckAt : undefined;
    return next === undefined ? undefined : Math.max(0, Date.parse(next) - Date.now());
  }

  /** Creates, renews or recreates the subscriptions when due (a no-op otherwise). */
  async keepSubscriptions(): Promise<void> {
    if (this.untilSubscriptionCheck() !== 0) return;
    const force = this.renewalAsked;
    this.renewalAsked = false;
    this.checkedThisRun = true;
    const previous = this.state.notifications;
    try {
      const result = await ensureSubscriptions({
        current: previous?.subscriptions ?? [],
        ...(this.input.subscriptionLifetimeSeconds
          ? { lifetimeSeconds: this.input.subscriptionLifetimeSeconds }
          : {}),
        force,
      });
      this.state.notifications = {
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
      this.recordError(message);
      this.state.notifications = {
        ...(previous ?? { subscriptions: [], created: 0, renewed: 0 }),
        enabled: true,
        lastCheckAt: now(),
        nextCheckAt: new Date(Date.now() + SUBSCRIPTION_RETRY_MS).toISOString(),
        lastError: { at: now(), message },
      };
    }
  }

  /** Waits for `done`, a stop, or `timeoutMs`, renewing the subscriptions when they fall due meanwhile. */
  async waitFor(done: () => boolean, timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const wake = () => done() || this.stopped || this.renewalAsked;
    while (!done() && !this.stopped) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      if (remaining !== undefined && remaining <= 0) return;
      const untilCheck = this.untilSubscriptionCheck();
      if (untilCheck === 0) {
        await this.keepSubscriptions();
        continue;
      }
      const timeout = Math.min(remaining ?? Infinity, untilCheck ?? Infinity);
      if (timeout === Infinity) await condition(wake);
      else await condition(wake, timeout);
    }
  }

  /**
   * The idle wait: one long activity polls Graph every interval and returns when something changed. Returns
   * for a round (a change, a poke), a stop, or a continue-as-new; records fresher cursors after an idle hour;
   * waits an interval after a Graph failure, which it records.
   */
  async awaitChange(): Promise<void> {
    while (!this.poked && !this.stopped) {
      const scope = new CancellationScope();
      let watch: DirectoryChangeWatch | undefined;
      let failure: unknown;
      scope
        .run(() =>
          awaitDirectoryChange({
            cursors: this.state.cursors!,
            intervalSeconds: this.state.intervalSeconds,
            maxWaitSeconds: MAX_POLL_WAIT_SECONDS,
          }),
        )
        .then(
          (result) => (watch = result),
          (error: unknown) => (failure = error),
        );
      await this.waitFor(() => this.poked || watch !== undefined || failure !== undefined);
      if (!watch) {
        if (failure === undefined) return scope.cancel(); // poked or stopped
        this.recordError(`watching for changes: ${failureOf(failure).message}`);
      } else {
        this.state.cursors = watch.cursors;
        if (watch.outcome === 'changed') return;
        if (watch.outcome === 'idle') {
          this.state.cursorAt = now();
          if (workflowInfo().continueAsNewSuggested) return;
          continue;
        }
        this.recordError(`watching for changes: ${watch.error}`);
      }
      await this.waitFor(() => this.poked, this.state.intervalSeconds * 1000);
    }
  }

  /** How long to wait before the next attempt at a full sync that failed `failures` times in a row. */
  backoffMs(failures: number): number {
    return Math.min(
      MAX_FULL_SYNC_BACKOFF_MS,
      this.state.intervalSeconds * 1000 * 2 ** Math.max(0, failures - 1),
    );
  }

  /** Deletes the subscriptions: once stopped nobody keeps them, so Graph need not deliver to the receiver. */
  async dropSubscriptions(): Promise<void> {
    const notifications = this.state.notifications;
    if (!notifications?.enabled || notifications.subscriptions.length === 0) return;
    try {
      await ensureSubscriptions({ current: notifications.subscriptions, remove: true });
      this.state.notifications = { ...notifications, subscriptions: [] };
      delete this.state.notifications.nextCheckAt;
    } catch (error) {
      this.recordError(`change-notification subscriptions not deleted: ${failureOf(error).message}`);
    }
  }
}
