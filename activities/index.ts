import { createDeltaActivities } from './sync/delta-activities.js';
import { createHealthActivities, type HealthDeps } from './health.js';
import { createExtensionActivities } from './sync/extension-activities.js';
import { createFullSyncActivities, type FullSyncDeps } from './sync/full-sync-activities.js';
import { createUserActivities } from './sync/user-activities.js';

export type ActivityDeps = HealthDeps & FullSyncDeps;

/** All activities of the worker, bound to the dependencies it was given (one Graph client, one PBX client). */
export const createActivities = (deps: ActivityDeps) => ({
  ...createHealthActivities(deps),
  ...createFullSyncActivities(deps),
  ...createExtensionActivities(deps),
  ...createUserActivities(deps),
  ...createDeltaActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
