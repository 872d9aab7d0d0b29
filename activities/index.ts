import { createDeltaActivities } from './sync/delta-activities.js';
import { createHealthActivities, type HealthDeps } from './health.js';
import { createExtensionActivities } from './sync/extension-activities.js';
import { createFullSyncActivities, type FullSyncDeps } from './sync/full-sync-activities.js';
import { createSubscriptionActivities, type SubscriptionDeps } from './sync/subscription-activities.js';
import { createUserActivities } from './sync/user-activities.js';

export type ActivityDeps = HealthDeps & FullSyncDeps & SubscriptionDeps;

/** All activities of the worker, bound to the dependencies it was given (one Graph client, one PBX client). */
export const createActivities = (deps: ActivityDeps) => ({
  ...createHealthActivities(deps),
  ...createFullSyncActivities(deps),
  ...createExtensionActivities(deps),
  ...createUserActivities(deps),
  ...createDeltaActivities(deps),
  ...createSubscriptionActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
