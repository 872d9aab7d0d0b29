import type { Client } from '@temporalio/client';
import { listManagedUsers } from '../../activities/sync/user-entities.js';
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

/** The email the default attribute mapping gives an Entra user: mail, else the UPN, trimmed and lowercased. */
const emailOf = (user: { mail?: string | null; userPrincipalName: string }): string =>
  (user.mail?.trim() || user.userPrincipalName).trim().toLowerCase();

/**
 * Asserts the exact PBX state a full sync of a fresh tenant must leave when its plan had `creates` creations,
 * however often the run was interrupted: `creates` extensions and no other (no twin, no stray), every number
 * and email used once, each extension linked by exactly one active user entity whose Entra user has that
 * email (so no user is missing), each Entra user's email on at most one extension, and a welcome email per
 * extension (repeated once at most, and only after a crashed attempt). Failures list the offending extensions and users.
 */
export async function expectExactPbxState(sync: SyncWorld, client: Client, creates: number): Promise<void> {
  const { extensions, welcomeEmails } = sync.world.pbx.control.state();
  const entraUsers = sync.world.graph.control.listUsers();
  const entraById = new Map(entraUsers.map((user) => [user.id, user]));
  const active = [...(await listManagedUsers(client, sync.tenantId)).values()].filter(
    (user) => user.phase === 'active',
  );
  const describe = (e: (typeof extensions)[number]) => `extension ${e.number} (id ${e.id}, ${e.email_addr})`;

  expect(repeated(extensions.map((e) => e.number))).toEqual([]);
  expect(repeated(extensions.map((e) => e.email_addr.toLowerCase()))).toEqual([]);
  expect(extensions).toHaveLength(creates);

  // Every active entity links an extension that exists, with its number and its Entra user's email.
  const byId = new Map(extensions.map((e) => [String(e.id), e]));
  const badLinks = active.flatMap((user) => {
    const extension = user.extensionId === undefined ? undefined : byId.get(user.extensionId);
    const entra = entraById.get(user.objectId);
    if (!extension) return [`${user.userPrincipalName}: linked to missing extension ${user.extensionId}`];
    if (extension.number !== user.number)
      return [`${user.userPrincipalName}: links number ${user.number}, but ${describe(extension)}`];
    if (!entra || emailOf(entra) !== extension.email_addr.toLowerCase())
      return [`${user.userPrincipalName}: linked to ${describe(extension)}, not to their email`];
    return [];
  });
  expect(badLinks).toEqual([]);
  expect(active).toHaveLength(creates);
  expect(repeated(active.map((user) => user.extensionId))).toEqual([]);
  const linked = new Set(active.map((user) => user.extensionId));
  expect(extensions.filter((e) => !linked.has(String(e.id))).map(describe)).toEqual([]);

  // Each Entra user's email is on one extension when the user is linked, else on none (or on another
  // user's, for a shared email) — never on two.
  const emailCounts = new Map<string, number>();
  for (const e of extensions)
    emailCounts.set(e.email_addr.toLowerCase(), (emailCounts.get(e.email_addr.toLowerCase()) ?? 0) + 1);
  const activeIds = new Set(active.map((user) => user.objectId));
  const badEmails = entraUsers.flatMap((user) => {
    const count = emailCounts.get(emailOf(user)) ?? 0;
    const ok = activeIds.has(user.id) ? count === 1 : count <= 1;
    return ok ? [] : [`${user.userPrincipalName} (${emailOf(user)}): on ${count} extensions`];
  });
  expect(badEmails).toEqual([]);

  // A welcome email per extension, none for anything else. The PBX cannot tell whether it sent one, so a
  // worker killed between the send and Temporal recording it means one repeat (at-least-once, documented):
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
  expect(new Set(welcomeEmails.map((w) => String(w.extension_id))).size).toBe(creates);
}
