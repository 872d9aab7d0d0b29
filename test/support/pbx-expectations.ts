import type { Client } from '@temporalio/client';
import { listManagedUsers } from '../../activities/sync/user-entities.js';
import { emailOf, expectedSyncedUsers, type ExpectedScope } from './expected-directory.js';
import type { SyncWorld } from './sync-world.js';
import { userWorkflowId } from '../../contracts/index.js';

/** Values that occur more than once, each with its count: `[]` when all are unique. */
function repeated(values: readonly (string | undefined)[]): string[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([value, count]) => `${value} ×${count}`);
}

/** The user entity's activities that ran more than once, and why the attempt before failed. */
export async function retriedActivities(
  client: Client,
  tenantId: string,
  objectId: string,
): Promise<string[]> {
  const history = await client.workflow.getHandle(userWorkflowId(tenantId, objectId)).fetchHistory();
  return (history.events ?? []).flatMap(({ activityTaskStartedEventAttributes: started }) =>
    started && (started.attempt ?? 1) > 1
      ? [`activity attempt ${started.attempt} after "${started.lastFailure?.message}"`]
      : [],
  );
}

const READ_OR_TOKEN = /(^|\/)(list|search|get|query|getpassword|get_token|refresh_token|del_token)$/;

/**
 * PBX write requests the simulator served since its counters were reset: every endpoint but reads and tokens
 * counts, so a write the product should not have made shows whatever endpoint it went to.
 */
export function pbxWrites(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).filter(([endpoint]) => !READ_OR_TOKEN.test(endpoint)));
}

/**
 * Asserts the exact PBX state the sync must leave, however often it was interrupted, against the oracle
 * (`expectedSyncedUsers`, computed from the Graph simulator's directory, not from the product's plan): every
 * expected user has exactly one active entity linked to an enabled extension with their email and the
 * entity's number; leavers in their grace period (disabled entities) have their extension disabled; no other
 * extension exists (no twin, no stray); numbers and emails are used once; a welcome email per active
 * extension (repeated once at most, and only after a crashed attempt). Failures name the extensions and users.
 */
export async function expectExactPbxState(
  sync: SyncWorld,
  client: Client,
  scope: ExpectedScope = {},
): Promise<void> {
  const { extensions, welcomeEmails } = sync.world.pbx.control.state();
  const expected = expectedSyncedUsers(sync.world.graph.control.listUsers(), scope);
  const entities = [...(await listManagedUsers(client, sync.tenantId)).values()];
  const active = entities.filter((user) => user.phase === 'active');
  const leavers = entities.filter((user) => user.phase === 'disabled');
  const describe = (e: (typeof extensions)[number]) => `extension ${e.number} (id ${e.id}, ${e.email_addr})`;
  const byId = new Map(extensions.map((e) => [String(e.id), e]));

  expect(repeated(extensions.map((e) => e.number))).toEqual([]);
  expect(repeated(extensions.map((e) => e.email_addr.toLowerCase()))).toEqual([]);

  // Exactly the expected users are active: nobody lost, nobody extra.
  expect(active.map((user) => user.userPrincipalName).sort()).toEqual(
    expected.map((user) => user.userPrincipalName).sort(),
  );
  const expectedById = new Map(expected.map((user) => [user.id, user]));
  const badLinks = active.flatMap((user) => {
    const extension = user.extensionId === undefined ? undefined : byId.get(user.extensionId);
    const entra = expectedById.get(user.objectId);
    if (!extension) return [`${user.userPrincipalName}: linked to missing extension ${user.extensionId}`];
    if (extension.number !== user.number)
      return [`${user.userPrincipalName}: links number ${user.number}, but ${describe(extension)}`];
    if (!entra || emailOf(entra) !== extension.email_addr.toLowerCase())
      return [`${user.userPrincipalName}: linked to ${describe(extension)}, not to their email`];
    if (!extension.enabled) return [`${user.userPrincipalName}: ${describe(extension)} is disabled`];
    return [];
  });
  expect(badLinks).toEqual([]);
  const leaversWithAccess = leavers.flatMap((user) => {
    const extension = user.extensionId === undefined ? undefined : byId.get(user.extensionId);
    return extension?.enabled ? [`${user.userPrincipalName}: ${describe(extension)} still enabled`] : [];
  });
  expect(leaversWithAccess).toEqual([]);

  // Every extension is linked by exactly one entity: no twin, no stray.
  const linkedIds = [...active, ...leavers].map((user) => user.extensionId);
  expect(repeated(linkedIds)).toEqual([]);
  const linked = new Set(linkedIds);
  expect(extensions.filter((e) => !linked.has(String(e.id))).map(describe)).toEqual([]);

  // A welcome email per active extension, none for anything else. The PBX cannot tell whether it sent one, so
  // a worker killed between the send and Temporal recording it means one repeat (at-least-once, documented):
  // allowed only for an owner whose activity was retried, never a third email.
  const ownerOf = new Map(active.map((user) => [user.extensionId, user]));
  const badRepeats = (
    await Promise.all(
      repeated(welcomeEmails.map((w) => String(w.extension_id))).map(async (repeat) => {
        const [extensionId, times] = repeat.split(' ×');
        const owner = ownerOf.get(extensionId);
        const retries = owner ? await retriedActivities(client, sync.tenantId, owner.objectId) : [];
        // History keeps only the last attempt's cause, so any retry of the owner's activity qualifies.
        return retries.length > 0 && times === '2'
          ? []
          : [
              `welcome email for extension id ${repeat}; ${owner?.userPrincipalName}: ${retries.join('; ') || 'no retry'}`,
            ];
      }),
    )
  ).flat();
  expect(badRepeats).toEqual([]);
  expect(
    welcomeEmails.filter((w) => !byId.has(String(w.extension_id))).map((w) => `extension ${w.number}`),
  ).toEqual([]);
  const welcomed = new Set(welcomeEmails.map((w) => String(w.extension_id)));
  expect(
    active.filter((user) => !welcomed.has(user.extensionId ?? '')).map((u) => u.userPrincipalName),
  ).toEqual([]);
}
