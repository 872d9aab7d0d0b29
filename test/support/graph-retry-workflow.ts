import { proxyActivities } from '@temporalio/workflow';

export interface GraphRetryActivities {
  countFirstUsersPage(): Promise<number>;
}

// initialInterval is tiny on purpose: a multi-second gap between attempts can only come from nextRetryDelay.
const { countFirstUsersPage } = proxyActivities<GraphRetryActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '50ms', maximumAttempts: 5 },
});

export async function graphReadWithRetry(): Promise<number> {
  return countFirstUsersPage();
}
