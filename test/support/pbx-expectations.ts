import type { Client } from '@temporalio/client';
import type { ExpectedScope } from '../../harness/expected-directory.js';
import { checkExactPbxState } from '../../harness/exact-state.js';
import type { SyncWorld } from './sync-world.js';

export { pbxWrites, retriedActivities } from '../../harness/exact-state.js';

/** Fails the test with every violation of the exact expected PBX state (see `checkExactPbxState`). */
export async function expectExactPbxState(
  sync: SyncWorld,
  client: Client,
  scope: ExpectedScope = {},
): Promise<void> {
  const { problems } = await checkExactPbxState(sync.world, client, sync.tenantId, scope);
  expect(problems).toEqual([]);
}
