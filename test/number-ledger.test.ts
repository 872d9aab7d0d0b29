import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { GraphSource } from '../activities/graph/index.js';
import type { PbxDirectory } from '../activities/pbx/index.js';
import { LEDGER_MAX_AGE_MS, createNumberLedgerCache } from '../activities/sync/number-ledger-cache.js';
import { createUserPlanner, type UserLookup } from '../activities/sync/user-planner.js';
import { defaultSyncPolicy, evaluateDirectory } from '../model/index.js';
import { userLifecycle } from '../workflows/user-lifecycle.js';
import { connectTestEnv, uniqueTaskQueue } from './support/temporal.js';
import {
  type LifecyclePhase,
  userWorkflowId,
  ENTRA_OBJECT_ID,
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  TENANT_ID,
  USER_PRINCIPAL_NAME,
  WorkflowType,
  workflowsOf,
} from '../contracts/index.js';

/**
 * The delta planner's number ledger: read whole once, then kept; numbers another process hands out meanwhile
 * are found by asking the visibility store about the numbers planned. Entities are real workflows on the real
 * server (no worker runs them: only their search attributes matter), the planner's Graph and PBX are never used.
 */
let env: TestWorkflowEnvironment;
const tenantId = `ledger-${randomUUID()}`;
const taskQueue = uniqueTaskQueue('ledger');
const started: string[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
});

afterAll(async () => {
  for (const workflowId of started)
    await env.client.workflow
      .getHandle(workflowId)
      .terminate('test done')
      .catch(() => undefined);
  await env?.teardown();
});

const unused = <T extends object>(name: string): T =>
  new Proxy({} as T, {
    get: (_, property) => {
      throw new Error(`the planner was not expected to use ${name}.${String(property)}`);
    },
  });

const policy = defaultSyncPolicy();
const planner = createUserPlanner({
  graph: unused<GraphSource>('graph'),
  pbx: unused<PbxDirectory>('pbx'),
  policy,
  ledgers: createNumberLedgerCache(),
  visibilityOf: (client) => client.workflow,
});

/** A user entity as the visibility store shows it, holding `number`. */
async function entityHolding(objectId: string, number: string, phase: LifecyclePhase): Promise<void> {
  const workflowId = userWorkflowId(tenantId, objectId);
  await env.client.workflow.start(userLifecycle, {
    workflowId,
    taskQueue,
    args: [{ tenantId, objectId, userPrincipalName: `${objectId}@contoso.com` }],
    memo: { extensionId: `ext-${objectId}` },
    typedSearchAttributes: [
      { key: TENANT_ID, value: tenantId },
      { key: ENTRA_OBJECT_ID, value: objectId },
      { key: USER_PRINCIPAL_NAME, value: `${objectId}@contoso.com` },
      { key: LIFECYCLE_STATE, value: phase },
      { key: EXTENSION_NUMBER, value: number },
    ],
  });
  started.push(workflowId);
}

async function visible(count: number, tenant = tenantId): Promise<void> {
  const query = workflowsOf(WorkflowType.userLifecycle, tenant);
  for (let tries = 0; (await env.client.workflow.count(query)).count < count; tries++) {
    if (tries > 200) throw new Error(`${count} entities not visible`);
    await sleep(50);
  }
}

function newHire(objectId: string): UserLookup {
  const found = {
    id: objectId,
    userPrincipalName: `${objectId}@contoso.com`,
    mail: `${objectId}@contoso.com`,
    givenName: 'New',
    surname: objectId,
    businessPhones: [],
    accountEnabled: true,
    userType: 'Member' as const,
    otherMails: [],
  };
  return { objectId, found, evaluation: evaluateDirectory([found], [], policy), existing: [] };
}

/** Plans one new user the way a delta round does: a context of their own entity only, then `planAll`. */
async function numberForNewHire(objectId: string): Promise<string | undefined> {
  const ctx = await planner.context(env.client, tenantId, [], () => undefined, [objectId]);
  const { ctx: used, planned } = await planner.planAll(
    env.client,
    tenantId,
    ctx,
    [newHire(objectId)],
    () => {},
  );
  expect(used.wholeLedger).toBe(true);
  return planned[0]?.plan.creates[0]?.number;
}

test('new numbers skip those held when the ledger was read and those taken after, by any process', async () => {
  await entityHolding('holder-1', '1000', 'active');
  await entityHolding('holder-2', '1001', 'active');
  await visible(2);
  // read whole now, and kept
  expect(await numberForNewHire('hire-1')).toBe('1002');

  // behind the kept ledger's back: a quarantined number and one another process handed out
  await entityHolding('holder-3', '1003', 'quarantined');
  await entityHolding('holder-4', '1004', 'active');
  await visible(4);
  // the kept ledger still says 1002 is hire-1's (planned by this process): the next free it knows is 1003
  expect(await numberForNewHire('hire-2')).toBe('1005');
  // what it learnt is kept
  expect(await numberForNewHire('hire-3')).toBe('1006');
}, 60_000);

test('an old ledger keeps serving while it is read again in the background, and what this process planned stays', async () => {
  let now = 0;
  const ledgers = createNumberLedgerCache(() => now);
  const tenant = `${tenantId}-refresh`;
  const first = await ledgers.get(env.client.workflow, tenant, () => undefined);
  expect(first.numbers.assigned).toEqual({});
  first.numbers.assigned['1000'] = 'planned-here'; // as a planner does

  now = LEDGER_MAX_AGE_MS;
  const workflowId = userWorkflowId(tenant, 'holder-late');
  await env.client.workflow.start(userLifecycle, {
    workflowId,
    taskQueue,
    args: [{ tenantId: tenant, objectId: 'holder-late', userPrincipalName: 'holder-late@contoso.com' }],
    memo: { extensionId: 'ext-late' },
    typedSearchAttributes: [
      { key: TENANT_ID, value: tenant },
      { key: ENTRA_OBJECT_ID, value: 'holder-late' },
      { key: LIFECYCLE_STATE, value: 'active' },
      { key: EXTENSION_NUMBER, value: '1001' },
    ],
  });
  started.push(workflowId);
  await visible(1, tenant);
  // old: served at once, and a read starts behind it
  expect(await ledgers.get(env.client.workflow, tenant, () => undefined)).toBe(first);
  let fresh = first;
  for (let tries = 0; fresh === first && tries < 100; tries++) {
    await sleep(50);
    fresh = await ledgers.get(env.client.workflow, tenant, () => undefined);
  }
  expect(fresh).not.toBe(first);
  expect(fresh.numbers.assigned).toEqual({ '1000': 'planned-here', '1001': 'holder-late' });
}, 60_000);
