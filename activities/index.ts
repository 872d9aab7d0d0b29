import { createDeltaActivities } from './sync/delta-activities.js';
import { createHealthActivities, type HealthDeps } from './health-activities.js';
import { createExtensionActivities } from './sync/extension-activities.js';
import { createFullSyncActivities } from './sync/full-sync-activities.js';
import { createNumberLedgerCache } from './sync/number-ledger-cache.js';
import { createPlanUserActivity } from './sync/plan-user-activity.js';
import { createSubscriptionActivities, type SubscriptionDeps } from './sync/subscription-activities.js';
import type { UserPlannerDeps } from './sync/user-planner.js';

export type ActivityDeps = HealthDeps &
  SubscriptionDeps &
  Omit<UserPlannerDeps, 'ledgers'> & {
    /** The tenant this worker serves (its configuration's). */
    tenantId: string;
  };

/**
 * All activities of the worker, bound to the dependencies it was given (one Graph client, one PBX client) and
 * to one number ledger cache for the worker process.
 */
export const createActivities = (deps: ActivityDeps) => {
  const withLedgers = { ...deps, ledgers: createNumberLedgerCache() };
  return {
    ...createHealthActivities(deps),
    ...createFullSyncActivities(withLedgers),
    ...createExtensionActivities(withLedgers),
    ...createPlanUserActivity(withLedgers),
    ...createDeltaActivities(withLedgers),
    ...createSubscriptionActivities(deps),
  };
};

export type Activities = ReturnType<typeof createActivities>;
