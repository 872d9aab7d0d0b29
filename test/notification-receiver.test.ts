import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowType, directoryWatcherWorkflowId } from '../contracts/index.js';
import { startNotificationReceiver, type NotificationReceiver } from '../worker/notifications.js';
import { connectTestEnv, uniqueTaskQueue } from './support/temporal.js';
import { until } from './support/until.js';

/**
 * The receiver against the real server: a stand-in watcher (a workflow with the watcher's id on a task queue
 * nobody polls) takes the signals, so what reached it can be counted in its history.
 */
const CLIENT_STATE = 'expected-secret';
let env: TestWorkflowEnvironment;
let receiver: NotificationReceiver;
let tenantId: string;

beforeAll(async () => {
  env = await connectTestEnv();
});

beforeEach(async () => {
  tenantId = randomUUID();
  receiver = await startNotificationReceiver({ client: env.client, tenantId, clientState: CLIENT_STATE });
});

afterEach(async () => {
  await receiver?.close();
  await env.client.workflow
    .getHandle(directoryWatcherWorkflowId(tenantId))
    .terminate()
    .catch(() => undefined);
});

afterAll(async () => {
  await env?.teardown();
});

async function standInWatcher() {
  return env.client.workflow.start(WorkflowType.directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(tenantId),
    taskQueue: uniqueTaskQueue('nobody-polls'),
    args: [{ tenantId }],
  });
}

const signalsReceived = async (name: string) => {
  const history = await env.client.workflow.getHandle(directoryWatcherWorkflowId(tenantId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name)
    .length;
};

const post = (body: unknown, query = '') =>
  fetch(`${receiver.url}${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const notification = (extra: object = {}) => ({ clientState: CLIENT_STATE, changeType: 'updated', ...extra });

test('the validation handshake is echoed as plain text only on POST, and only when short', async () => {
  const ok = await post('', `?validationToken=${encodeURIComponent('a b&c')}`);
  expect(ok.status).toBe(200);
  expect(ok.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
  expect(await ok.text()).toBe('a b&c');
  expect((await fetch(`${receiver.url}?validationToken=x`)).status).toBe(405);
  expect((await post('', `?validationToken=${'x'.repeat(2000)}`)).status).toBe(400);
});

test('a body over 64 KB is cut off and changes nothing', async () => {
  await standInWatcher();
  const huge = { value: [notification({ padding: 'x'.repeat(70 * 1024) })] };
  await post(huge).catch(() => undefined);
  expect(receiver.stats.accepted).toBe(0);
  expect(await signalsReceived('pokeDirectory')).toBe(0);
});

test('notifications with a forged clientState or for another tenant are dropped', async () => {
  await standInWatcher();
  expect(
    (await post({ value: [notification({ clientState: 'forged' }), notification({ tenantId: 'other' })] }))
      .status,
  ).toBe(202);
  expect(receiver.stats).toMatchObject({ accepted: 0, rejected: 2, pokes: 0 });
  expect((await post({ value: [notification({ tenantId })] })).status).toBe(202);
  await until(() => receiver.stats.pokes === 1, 10_000, 'one poke');
  expect(await signalsReceived('pokeDirectory')).toBe(1);
});

test('500 lifecycle events in one request become one signal; a burst of changes never more pokes than requests', async () => {
  await standInWatcher();
  await post({ value: Array.from({ length: 500 }, () => notification({ lifecycleEvent: 'missed' })) });
  await until(() => receiver.stats.lifecycleSignals === 1, 10_000, 'the lifecycle signal');
  await Promise.all(Array.from({ length: 50 }, () => post({ value: [notification()] })));
  await until(() => receiver.stats.pokes >= 1, 10_000, 'pokes');
  await until(
    async () => (await signalsReceived('pokeDirectory')) === receiver.stats.pokes,
    10_000,
    'pokes in history',
  );
  expect(receiver.stats.pokes).toBeLessThan(50);
  expect(await signalsReceived('subscriptionLifecycle')).toBe(1);
  expect(receiver.stats.accepted).toBe(550);
});

test('pokes count only signals the watcher received: with no watcher running, none', async () => {
  await post({ value: [notification()] });
  await until(() => receiver.stats.failedSignals === 1, 10_000, 'the signal failed');
  expect(receiver.stats).toMatchObject({ accepted: 1, pokes: 0 });
});
