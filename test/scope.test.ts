import type { SyncPolicyInput } from '../model/index.js';
import type { SimUser } from '../simulators/graph/index.js';
import {
  emailOf,
  expectedSyncedUsers,
  transitiveUserMembers,
  type ExpectedScope,
} from '../harness/expected-directory.js';
import type { SyncWorld, SyncWorldOptions } from './support/sync-world.js';
import { worldPerTest } from './support/world-per-test.js';

/**
 * Who gets an extension: user types, the ignore list and scope groups. The expected set always comes from the
 * Graph simulator's own user list (expected-directory.ts), never from the product's plan.
 */
const USERS = 60;
/** 60 users of seed 151: four guests (`#EXT#` UPNs, one of them disabled) and an email shared by two users. */
const SEED = 151;

const worlds = worldPerTest();

async function startWorld(policy: NonNullable<SyncWorldOptions['policy']>): Promise<SyncWorld> {
  const world = await worlds.start({ users: USERS, seed: SEED, policy });
  return world;
}

const graphUsers = () => worlds.current.world.graph.control.listUsers();
const pbxEmails = () =>
  worlds.current.world.pbx.control
    .state()
    .extensions.map((e) => e.email_addr.toLowerCase())
    .sort();
const emails = (users: readonly SimUser[]) => users.map(emailOf).sort();
const expected = (scope: ExpectedScope) => expectedSyncedUsers(graphUsers(), scope);

test("userTypes 'members' syncs every enabled member with a unique email and no guest", async () => {
  const tenant = await startWorld({ scope: { userTypes: 'members' } });

  await tenant.runFullSync();

  const want = expected({ userTypes: 'members' });
  expect(want.length).toBeGreaterThan(40);
  expect(pbxEmails()).toEqual(emails(want));
  const guestEmails = new Set(emails(graphUsers().filter((u) => u.userType === 'Guest')));
  expect(pbxEmails().filter((e) => guestEmails.has(e))).toEqual([]);
});

test("userTypes 'guests' syncs the enabled guests only", async () => {
  const tenant = await startWorld({ scope: { userTypes: 'guests' } });

  await tenant.runFullSync();

  const guests = graphUsers().filter((u) => u.userType === 'Guest');
  expect(guests.every((u) => u.userPrincipalName.includes('#EXT#'))).toBe(true);
  expect(guests.some((u) => !u.accountEnabled)).toBe(true);
  const want = expected({ userTypes: 'guests' });
  expect(want.length).toBeGreaterThanOrEqual(2);
  expect(want.every((u) => u.userType === 'Guest')).toBe(true);
  expect(pbxEmails()).toEqual(emails(want));
});

test("userTypes 'all' syncs members and guests alike, and refuses users who share an email", async () => {
  const tenant = await startWorld({ scope: { userTypes: 'all' } });

  await tenant.runFullSync();

  const want = expected({ userTypes: 'all' });
  expect(pbxEmails()).toEqual(emails(want));
  expect(want.some((u) => u.userType === 'Guest')).toBe(true);
  expect(want.some((u) => u.userType === 'Member')).toBe(true);
  const enabled = graphUsers().filter((u) => u.accountEnabled);
  const shared = enabled.filter((u) => enabled.some((o) => o !== u && emailOf(o) === emailOf(u)));
  expect(shared.length).toBeGreaterThanOrEqual(2);
  expect(pbxEmails().filter((e) => shared.some((u) => emailOf(u) === e))).toEqual([]);
});

test('the ignore list (object id, UPN or mail, any case) keeps those users off the PBX, and an ignored user no longer blocks a shared email', async () => {
  let ignore: string[] = [];
  let ignored: SimUser[] = [];
  let partner!: SimUser;
  const tenant = await startWorld((world): SyncPolicyInput => {
    const graph = world.graph.control;
    const [byId, byUpn, byMail, sharing] = expectedSyncedUsers(graph.listUsers()).filter((u) => u.mail);
    // A newcomer who shares `sharing`'s mail: both would be refused, but the newcomer is ignored.
    const twin = graph.createUser({
      userPrincipalName: 'twin@contoso.onmicrosoft.com',
      displayName: 'Twin Account',
      mail: sharing!.mail,
    });
    partner = sharing!;
    ignored = [byId!, byUpn!, byMail!, twin];
    ignore = [byId!.id, byUpn!.userPrincipalName.toUpperCase(), byMail!.mail!.toUpperCase(), twin.id];
    return { ignore };
  });

  await tenant.runFullSync();

  const want = expected({ ignore });
  expect(want).toHaveLength(expected({}).length - 3 + 1);
  expect(pbxEmails()).toEqual(emails(want));
  for (const user of ignored.slice(0, 3)) expect(pbxEmails()).not.toContain(emailOf(user));
  expect(pbxEmails()).toContain(emailOf(partner));
});

test('a scope group limits the sync to its transitive members (nested groups included), guests among them', async () => {
  let members = new Set<string>();
  const tenant = await startWorld((world): SyncPolicyInput => {
    const graph = world.graph.control;
    const groups = graph.listGroups();
    const region = groups.find((g) => g.displayName === 'Region EMEA')!;
    const nested = groups.find((g) => g.displayName === 'Dept - Sales')!;
    expect(region.members).toContain(nested.id);
    // A guest in a nested group is in scope with userTypes 'all'.
    const guest = graph.listUsers().find((u) => u.userType === 'Guest' && u.accountEnabled)!;
    graph.addMember(nested.id, guest.id);
    members = transitiveUserMembers(graph.listGroups(), region.id);
    return { scope: { groups: [region.id] } };
  });

  await tenant.runFullSync();

  const want = expected({ scopeGroupMembers: members });
  expect(want.length).toBeGreaterThan(5);
  expect(want.length).toBeLessThan(expected({}).length);
  expect(want.some((u) => u.userType === 'Guest')).toBe(true);
  expect(pbxEmails()).toEqual(emails(want));
});
