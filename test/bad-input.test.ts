import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { listManagedUsers } from '../activities/sync/user-entities.js';
import type { SyncPolicyInput } from '../model/index.js';
import type { SimulatedWorld } from '../harness/simulated-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import type { FullSyncProgress } from '../contracts/index.js';

let env: TestWorkflowEnvironment;
let sync: SyncWorld;
let result: FullSyncProgress;
const ids: Record<string, string> = {};
const groups: Record<string, string> = {};

function person(key: string, upn: string, fields: Record<string, unknown> = {}) {
  return { userPrincipalName: upn, displayName: key, givenName: 'Test', surname: key, mail: upn, ...fields };
}

/** Bad input of every kind the issue lists, next to users that must sync anyway. */
function craft(world: SimulatedWorld): SyncPolicyInput {
  const graph = world.graph.control;
  const add = (key: string, upn: string, fields?: Record<string, unknown>) =>
    (ids[key] = graph.createUser(person(key, upn, fields)).id);
  add('upnOnly', 'upn.only@contoso.onmicrosoft.com', { mail: null });
  add('dupA', 'dup.a@contoso.onmicrosoft.com', { mail: 'shared@contoso.com' });
  add('dupB', 'dup.b@contoso.onmicrosoft.com', { mail: 'shared@contoso.com' });
  add('longName', 'long.name@contoso.onmicrosoft.com', { givenName: 'A'.repeat(80) });
  add('badChars', 'bad.chars@contoso.onmicrosoft.com', { givenName: "O'Brien!", surname: 'Smith<b>' });
  add('longTitle', 'long.title@contoso.onmicrosoft.com', { jobTitle: 'Senior '.repeat(40) });
  add('badNumber', 'bad.number@contoso.onmicrosoft.com', {
    onPremisesExtensionAttributes: { extensionAttribute3: '12ab' },
  });
  add('numberA', 'number.a@contoso.onmicrosoft.com', {
    onPremisesExtensionAttributes: { extensionAttribute3: '4242' },
  });
  add('numberB', 'number.b@contoso.onmicrosoft.com', {
    onPremisesExtensionAttributes: { extensionAttribute3: '4242' },
  });
  add('twoGroups', 'two.groups@contoso.onmicrosoft.com');
  add('comeback', 'comeback@contoso.onmicrosoft.com');
  groups.sales = graph.createGroup({ displayName: 'Sales' }).id;
  groups.support = graph.createGroup({ displayName: 'Support' }).id;
  graph.addMember(groups.sales, ids.twoGroups!);
  graph.addMember(groups.support, ids.twoGroups!);
  return {
    offboarding: { maxPercent: 100 },
    numbers: { attribute: 'extensionAttribute3' },
    groups: { organizationSource: 'groups', organizationGroups: [groups.sales, groups.support] },
  };
}

beforeAll(async () => {
  env = await connectTestEnv();
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflows();
  sync = await startSyncWorld(env, bundle, { users: 1, seed: 3, policy: craft });
  result = await sync.runFullSync();
}, 120_000);

afterAll(async () => {
  await sync?.stop();
  await env?.teardown();
});

const extensionByEmail = (email: string) =>
  sync.world.pbx.control.state().extensions.find((e) => e.email_addr.toLowerCase() === email.toLowerCase());

async function problemOf(key: string): Promise<string | undefined> {
  return (await listManagedUsers(env.client.workflow, sync.tenantId)).get(ids[key]!)?.lastError;
}

test('each bad input is a clear error on that user, naming the user and the reason', async () => {
  expect(await problemOf('dupA')).toMatch(
    /dup\.a@contoso\.onmicrosoft\.com.*shared@contoso\.com.*dup\.b@contoso\.onmicrosoft\.com/,
  );
  expect(await problemOf('dupB')).toMatch(
    /dup\.b@contoso\.onmicrosoft\.com.*shared@contoso\.com.*dup\.a@contoso\.onmicrosoft\.com/,
  );
  expect(await problemOf('longName')).toMatch(/long\.name@contoso\.onmicrosoft\.com.*first ?name/i);
  expect(await problemOf('badNumber')).toMatch(/bad\.number@contoso\.onmicrosoft\.com.*12ab/);
  // Both ask for 4242: one gets it, the other's error names both users.
  const [winner, loser] = extensionByEmail('number.a@contoso.onmicrosoft.com') ? ['a', 'b'] : ['b', 'a'];
  expect(extensionByEmail(`number.${winner}@contoso.onmicrosoft.com`)?.number).toBe('4242');
  expect(await problemOf(`number${loser!.toUpperCase()}`)).toMatch(
    new RegExp(
      `number\\.${loser}@contoso\\.onmicrosoft\\.com.*4242.*number\\.${winner}@contoso\\.onmicrosoft\\.com`,
    ),
  );
  expect(result.plan?.counts.errors).toBeGreaterThanOrEqual(5);
  expect(extensionByEmail('shared@contoso.com')).toBeUndefined();
  expect(extensionByEmail('long.name@contoso.onmicrosoft.com')).toBeUndefined();
  expect(extensionByEmail('bad.number@contoso.onmicrosoft.com')).toBeUndefined();
});

test('the rest of the sync goes on: UPN-only, cleaned names, truncated titles, two groups', async () => {
  expect(extensionByEmail('upn.only@contoso.onmicrosoft.com')).toBeDefined();
  expect(extensionByEmail('bad.chars@contoso.onmicrosoft.com')).toMatchObject({
    first_name: 'OBrien',
    last_name: 'Smithb',
  });
  expect(extensionByEmail('long.title@contoso.onmicrosoft.com')?.title.length).toBeLessThanOrEqual(127);
  const organizations = sync.world.pbx.control.state().organizations;
  const twoGroups = extensionByEmail('two.groups@contoso.onmicrosoft.com');
  expect(twoGroups?.organization_ids.map((id) => organizations.find((o) => o.id === id)?.name)).toEqual([
    'Sales',
  ]);
  expect(result.convergence?.unconfirmed).toBe(0);
});

test('a deleted user who comes back with the same object id gets the same extension back', async () => {
  const before = extensionByEmail('comeback@contoso.onmicrosoft.com')!;
  sync.world.graph.control.softDeleteUser(ids.comeback!);
  await sync.runFullSync();
  expect(extensionByEmail('comeback@contoso.onmicrosoft.com')).toMatchObject({
    id: before.id,
    enabled: false,
  });
  sync.world.graph.control.restoreUser(ids.comeback!);
  await sync.runFullSync();
  expect(extensionByEmail('comeback@contoso.onmicrosoft.com')).toMatchObject({
    id: before.id,
    number: before.number,
    enabled: true,
  });
}, 120_000);
