import type { ActivityDeps } from '../activities/index.js';
import type { WorkerConfig } from '../config/index.js';

export interface WorkerDependencies extends ActivityDeps {
  close(): Promise<void>;
}

/** One Graph client and one PBX client per worker process, shared by every activity. */
export async function buildDependencies(_config: WorkerConfig): Promise<WorkerDependencies> {
  return {
    probes: {},
    async close() {},
  };
}
