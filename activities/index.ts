import { createHealthActivities, type HealthDeps } from './health.js';

export type ActivityDeps = HealthDeps;

/** All activities of the worker, bound to the dependencies it was given (one Graph client, one PBX client). */
export const createActivities = (deps: ActivityDeps) => ({
  ...createHealthActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
