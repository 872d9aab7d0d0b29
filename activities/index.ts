import { ApplicationFailure } from '@temporalio/common';
import { SyncFailure } from '../contracts/index.js';
import { createDeltaActivities } from './sync/delta-activities.js';
import { createDirectoryChangePoll } from './sync/directory-change-poll.js';
import { createHealthActivities, type HealthDeps } from './health-activities.js';
import { createExtensionActivities } from './sync/extension-activities.js';
import { createFullSyncActivities } from './sync/full-sync-activities.js';
import { createNumberLedgerCache } from './sync/number-ledger-cache.js';
import { createPlanUserActivity } from './sync/plan-user-activity.js';
import { createSubscriptionActivities, type SubscriptionDeps } from './sync/subscription-activities.js';
import type { UserPlannerDeps } from './sync/user-planner.js';
import type { VisibilityOf } from './sync/user-entities.js';

export type ActivityDeps = HealthDeps &
  SubscriptionDeps &
  Omit<UserPlannerDeps, 'ledgers' | 'visibilityOf'> & {
    /** The tenant this worker serves (its configuration's). */
    tenantId: string;
    /** How activities read Temporal's visibility store (default: the worker's client as it is). */
    visibilityOf?: VisibilityOf;
    /** Aborted when the worker begins to stop: long polls end at once instead of holding the shutdown. */
    stopping?: AbortSignal;
  };

/**
 * One worker, one tenant: an activity whose input names another tenant (two deployments sharing a task queue)
 * fails non-retryably before it reads or writes anything, instead of planning tenant A against tenant B's
 * directory and PBX.
 */
export function assertTenant(served: string, activity: string, input: unknown): void {
  if (typeof input !== 'object' || input === null || !('tenantId' in input)) return;
  const asked = (input as { tenantId: unknown }).tenantId;
  if (asked === served) return;
  throw ApplicationFailure.nonRetryable(
    `this worker serves tenant ${served}, not ${String(asked)}: ${activity} refused ` +
      '(another deployment shares this task queue; give each tenant its own task queue)',
    SyncFailure.WrongTenant,
  );
}

/** Every activity of `activities`, checking first that an input with a `tenantId` names `tenantId`. */
function servingTenant<T extends object>(tenantId: string, activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      (...args: unknown[]) => {
        assertTenant(tenantId, name, args[0]);
        return (activity as (...args: unknown[]) => unknown)(...args);
      },
    ]),
  ) as T;
}

/**
 * All activities of the worker, bound to the dependencies it was given (one Graph client, one PBX client) and
 * to one number ledger cache for the worker process.
 */
export const createActivities = (deps: ActivityDeps) => {
  const visibilityOf = deps.visibilityOf ?? ((client) => client.workflow);
  const withLedgers = { ...deps, visibilityOf, ledgers: createNumberLedgerCache() };
  return servingTenant(deps.tenantId, {
    ...createHealthActivities(deps),
    ...createFullSyncActivities(withLedgers),
    ...createExtensionActivities(withLedgers),
    ...createPlanUserActivity(withLedgers),
    ...createDeltaActivities(withLedgers),
    ...createDirectoryChangePoll(deps),
    ...createSubscriptionActivities(deps),
  });
};

export type Activities = ReturnType<typeof createActivities>;
