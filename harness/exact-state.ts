import type { Client } from '@temporalio/client';
import { listManagedUsers } from '../activities/sync/user-entities.js';
import { userWorkflowId } from '../contracts/index.js';
import { emailOf, expectedSyncedUsers, type ExpectedScope } from './expected-directory.js';
import type { SimulatedWorld } from './simulated-world.js';

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

export interface ExactStateReport {
  /** One line per violation, naming the extensions and users; empty when the state is exact. */
  problems: string[];
  expected: number;
  extensions: number;
  leavers: number;
}

/**
 * The exact PBX state the sync must leave, however often it was interrupted, against the oracle
 * (`expectedSyncedUsers`, computed from the Graph simulator's directory, not from the product's plan): every
 * expected user has exactly one active entity linked to an enabled extension with their email and the
 * entity's number; leavers in their grace period (disabled entities) have their extension disabled; no other
 * extension exists (no twin, no stray); numbers and emails are used once; a welcome email per active
 * extension (repeated only once per crashed attempt).
 */
export async function checkExactPbxState(
  world: SimulatedWorld,
  client: Client,
  tenantId: string,
  scope: ExpectedScope = {},
): Promise<ExactStateReport> {
  const problems: string[] = [];
  const { extensions, welcomeEmails } = world.pbx.control.state();
  const expected = expectedSyncedUsers(world.graph.control.listUsers(), scope);
  const entities = [...(await listManagedUsers(client.workflow, tenantId)).values()];
  const active = entities.filter((user) => user.phase === 'active');
  const leavers = entities.filter((user) => user.phase === 'disabled');
  const describe = (e: (typeof extensions)[number]) => `extension ${e.number} (id ${e.id}, ${e.email_addr})`;
  const byId = new Map(extensions.map((e) => [String(e.id), e]));
  const report = (what: string, items: string[]) =>
    items.forEach((item) => problems.push(`${what}: ${item}`));

  report('number used twice', repeated(extensions.map((e) => e.number)));
  report('email used twice', repeated(extensions.map((e) => e.email_addr.toLowerCase())));

  const activeIds = new Set(active.map((user) => user.objectId));
  const expectedIds = new Set(expected.map((user) => user.id));
  report(
    'lost (expected, not active)',
    expected.filter((u) => !activeIds.has(u.id)).map((u) => u.userPrincipalName),
  );
  report(
    'extra (active, not expected)',
    active.filter((u) => !expectedIds.has(u.objectId)).map((u) => u.userPrincipalName),
  );

  const expectedById = new Map(expected.map((user) => [user.id, user]));
  for (const user of active) {
    const extension = user.extensionId === undefined ? undefined : byId.get(user.extensionId);
    const entra = expectedById.get(user.objectId);
    if (!extension)
      problems.push(`${user.userPrincipalName}: linked to missing extension ${user.extensionId}`);
    else if (extension.number !== user.number)
      problems.push(`${user.userPrincipalName}: links number ${user.number}, but ${describe(extension)}`);
    else if (entra && emailOf(entra) !== extension.email_addr.toLowerCase())
      problems.push(`${user.userPrincipalName}: linked to ${describe(extension)}, not to their email`);
    else if (!extension.enabled)
      problems.push(`${user.userPrincipalName}: ${describe(extension)} is disabled`);
  }
  for (const user of leavers) {
    const extension = user.extensionId === undefined ? undefined : byId.get(user.extensionId);
    if (extension?.enabled)
      problems.push(`leaver ${user.userPrincipalName}: ${describe(extension)} still enabled`);
  }

  const linkedIds = [...active, ...leavers].map((user) => user.extensionId);
  report('extension linked twice', repeated(linkedIds));
  const linked = new Set(linkedIds);
  report('twin or stray', extensions.filter((e) => !linked.has(String(e.id))).map(describe));

  // The PBX cannot tell whether it sent a welcome email, so a worker killed between the send and Temporal recording
  // it means a repeat (at-least-once, documented): allowed once per retried attempt of the owner's activities.
  const ownerOf = new Map([...active, ...leavers].map((user) => [user.extensionId, user]));
  for (const repeat of repeated(welcomeEmails.map((w) => String(w.extension_id)))) {
    const [extensionId, times] = repeat.split(' ×');
    const owner = ownerOf.get(extensionId);
    const retries = owner ? await retriedActivities(client, tenantId, owner.objectId) : [];
    const retriedAttempts = retries.reduce(
      (sum, line) => sum + Number(/attempt (\d+)/.exec(line)?.[1] ?? 1) - 1,
      0,
    );
    if (Number(times) > 1 + retriedAttempts)
      problems.push(
        `welcome email for extension id ${repeat}; ${owner?.userPrincipalName}: ${retries.join('; ') || 'no retry'}`,
      );
  }
  report(
    'welcome email for no extension',
    welcomeEmails.filter((w) => !byId.has(String(w.extension_id))).map((w) => `extension ${w.number}`),
  );
  const welcomed = new Set(welcomeEmails.map((w) => String(w.extension_id)));
  report(
    'no welcome email',
    active.filter((u) => !welcomed.has(u.extensionId ?? '')).map((u) => u.userPrincipalName),
  );

  return { problems, expected: expected.length, extensions: extensions.length, leavers: leavers.length };
}
