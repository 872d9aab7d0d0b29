/** Messages of the directory watcher (`directory/<tenant>`) and of its delta and subscription activities. */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The users and groups deltaLinks: where the next round starts. */
export interface DeltaCursors {
  users: string;
  groups: string;
}

export interface DeltaRoundInput {
  tenantId: string;
  /** Recorded by the user entities that apply a request of this round. */
  syncRunId: string;
  cursors: DeltaCursors;
  /** More changed users than this in one round are left to a full sync (bulk reads beat one read per user). */
  fullSyncAboveUsers: number;
}

/** The watcher's idle wait, polled inside one activity (see `awaitDirectoryChange`). */
export interface AwaitDirectoryChangeInput {
  cursors: DeltaCursors;
  intervalSeconds: number;
  /** Return after this long without a change, with fresher cursors to record. */
  maxWaitSeconds: number;
}

/**
 * `changed`: run a round from `cursors` (also when Graph expired them: the round re-baselines). `idle`: nothing
 * changed; `cursors` are fresher. `failed`: Graph kept failing (`error`); the watcher records it.
 */
export interface DirectoryChangeWatch {
  outcome: 'changed' | 'idle' | 'failed';
  cursors: DeltaCursors;
  /** Delta reads made (each reads the users and the groups delta once). */
  polls: number;
  error?: string;
}

/** Counts and the new deltaLinks only: a round's result never carries user data into history. */
export interface DeltaRoundResult {
  cursors: DeltaCursors;
  /** Changes Graph reported (users, plus group membership entries), duplicates included. */
  changes: number;
  /** Distinct users planned in this round. */
  users: number;
  ensured: number;
  offboarded: number;
  /** Set when the round held back offboarding (above the guard) or saw a change only a full sync covers. */
  fullSyncNeeded?: string;
}

export type SubscribedResource = 'users' | 'groups';
export const SUBSCRIBED_RESOURCES: readonly SubscribedResource[] = ['users', 'groups'];

/** What the watcher keeps of a subscription: no URL, no clientState. */
export interface SubscriptionRef {
  resource: SubscribedResource;
  id: string;
  expiresAt: string;
}

export interface EnsureSubscriptionsInput {
  /** The subscriptions the watcher holds (from earlier calls). */
  current: SubscriptionRef[];
  /** Lifetime of a new or renewed subscription (default 2 days; Graph allows directory ones ~29 days). */
  lifetimeSeconds?: number;
  /** Renew every subscription now (reauthorizationRequired; subscriptionRemoved: a 404 recreates it). */
  force?: boolean;
  /** Delete the subscriptions instead (the watcher stops). */
  remove?: boolean;
}

export interface EnsureSubscriptionsResult {
  /** False when the worker has no notifications configured (then nothing else is set). */
  enabled: boolean;
  subscriptions: SubscriptionRef[];
  created: number;
  renewed: number;
  /** When to call again: halfway through the earliest subscription's lifetime. */
  nextCheckAt?: string;
}

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

/** A full sync the watcher still has to run (first start, expired cursors, a round that asked for one). */
export interface OwedFullSync {
  reason: string;
  /** Take new "from now" cursors first (the old ones are gone or never existed). */
  rebaseline: boolean;
  /** Attempts that failed so far: the next one waits longer. */
  failures: number;
}

export type WatcherPhase = 'baselining' | 'full-sync' | 'round' | 'waiting' | 'stopped';

export interface DirectoryWatcherState {
  phase: WatcherPhase;
  intervalSeconds: number;
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
  owedFullSync?: OwedFullSync;
}

export const pokeDirectorySignal = defineSignal('pokeDirectory');
export const stopDirectorySignal = defineSignal('stopDirectory');
/** A Graph lifecycle notification (sent by the receiver): `subscriptionRemoved`, `reauthorizationRequired`, `missed`. */
export const subscriptionLifecycleSignal = defineSignal<[{ event: string }]>('subscriptionLifecycle');
export const directoryStatusQuery = defineQuery<DirectoryWatcherState>('directoryStatus');

export const directoryWatcherWorkflowId = (tenantId: string): string => `directory/${tenantId}`;
