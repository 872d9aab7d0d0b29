import { createDeltaActivities } from './sync/delta-activities.js';
import { createHealthActivities, type HealthDeps } from './health.js';
import { createExtensionActivities } from './sync/extension-activities.js';
import { createFullSyncActivities, type FullSyncDeps } from './sync/full-sync-activities.js';
import { createNumberLedgerCache } from './sync/number-ledger-cache.js';
import { createSubscriptionActivities, type SubscriptionDeps } from './sync/subscription-activities.js';
import { createUserActivities } from './sync/user-activities.js';

export type ActivityDeps = HealthDeps & FullSyncDeps & SubscriptionDeps;

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
    ...createUserActivities(withLedgers),
    ...createDeltaActivities(withLedgers),
    ...createSubscriptionActivities(deps),
  };
};

export type Activities = ReturnType<typeof createActivities>;
