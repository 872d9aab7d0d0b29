import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ProbeResult } from '../contracts/index.js';

const { listDependencies, probeDependency } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Checks that a worker reaches each of its dependencies, retrying transient failures. */
export async function healthCheck(): Promise<ProbeResult[]> {
  const names = await listDependencies();
  return Promise.all(names.map((name) => probeDependency(name)));
}
