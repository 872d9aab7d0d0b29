import { listManagedUsers } from '../activities/sync/user-entities.js';
import { showUser, steerFailedDelete, type DeleteReport } from '../client/commands/user.js';
import type { OperatorClient } from '../client/connect.js';
import { loadClientConfig } from '../config/index.js';
import {
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  userStateQuery,
  userWorkflowId,
  type ManagedUser,
  type UserLifecycleState,
} from '../contracts/index.js';
import { linkTable } from '../model/index.js';
import { emailOf } from '../harness/expected-directory.js';
import { failureOf, until } from './support/until.js';
import { worldPerTest } from './support/world-per-test.js';

const DAY_SECONDS = 86_400;
/** Long enough that a deleted extension's number is still held when the test looks. */
const QUARANTINE_SECONDS = 600;
/** Yeastar replies that retrying the same request cannot change: "action forbidden", "in use". */
const ACTION_FORBIDDEN = 70084;
const IN_USE = 70091;

const worlds = worldPerTest();

/**
 * A synced tenant of its own with one user offboarded while the PBX refuses every delete. The grace period
 * also sets the first pause between delete attempts.
 */
async function offboardedWhileDeletesFail(graceSeconds: number, errcode = ACTION_FORBIDDEN) {
  const world = await worlds.start({
    users: 8,
    seed: 11,
    policy: {
      offboarding: { graceDays: graceSeconds / DAY_SECONDS, maxCount: 100, maxPercent: 100 },
      numbers: { quarantineDays: QUARANTINE_SECONDS / DAY_SECONDS },
    },
  });
  await world.runFullSync();
  const extensions = new Map(world.world.pbx.control.state().extensions.map((e) => [e.email_addr, e]));
  const user = world.world.graph.control.listUsers().find((u) => extensions.has(emailOf(u)))!;
  const extension = extensions.get(emailOf(user))!;
  const entity = worlds.env.client.workflow.getHandle(userWorkflowId(world.tenantId, user.id));
  const operator: OperatorClient = {
    client: worlds.env.client,
    config: loadClientConfig(world.env),
    address: 'test',
    close: async () => {},
  };
  world.world.pbx.control.injectFault({
    endpoint: 'extension/delete',
    kind: 'errcode',
    errcode,
    count: 1_000,
  });
  world.world.graph.control.disableUser(user.id);
  const state = () => entity.query(userStateQuery);
  const onPbx = () => world.world.pbx.control.state().extensions.find((e) => e.id === extension.id);
  const deleteRequests = () => world.world.pbx.control.counters()['extension/delete'] ?? 0;
  /** Starts the offboarding (a worker must run) and waits until the PBX refused the first delete. */
  const offboard = async (): Promise<UserLifecycleState> => {
    await (await world.startFullSync()).result();
    await until(async () => (await state()).failedDelete !== undefined, 60_000, 'a refused delete recorded');
    return state();
  };
  return { world, user, extension, entity, operator, state, onPbx, deleteRequests, offboard };
}

test('a delete the PBX refuses keeps the user disabled and linked with the error; a later retry deletes it', async () => {
  const { world, user, extension, entity, state, onPbx, offboard } = await offboardedWhileDeletesFail(1);

  await world.withWorker(async () => {
    const refused = await offboard();
    expect(refused).toMatchObject({
      phase: 'disabled',
      link: { extensionId: String(extension.id), number: extension.number },
      failedDelete: { failures: expect.any(Number) as number, nextAttemptAt: expect.any(String) as string },
    });
    expect(refused.lastError).toMatch(
      new RegExp(`^extension ${extension.number} could not be deleted: .*extension/delete failed with 70084`),
    );
    expect((await entity.describe()).status.name).toBe('RUNNING');
    expect(onPbx()).toMatchObject({ number: extension.number, enabled: false });

    // The link table the planner reads still holds the number for this user, as a disabled link.
    let published = new Map<string, ManagedUser>();
    await until(
      async () => {
        published = await listManagedUsers(worlds.env.client.workflow, world.tenantId, {
          filter: { numbers: [extension.number] },
        });
        return published.get(user.id)?.lastError !== undefined;
      },
      10_000,
      'the refused delete in the visibility store',
    );
    expect(published.get(user.id)).toMatchObject({ phase: 'disabled', number: extension.number });
    const described = await entity.describe();
    expect(described.typedSearchAttributes.get(EXTENSION_NUMBER)).toBe(extension.number);
    expect(described.typedSearchAttributes.get(LIFECYCLE_STATE)).toBe('disabled');
    expect(linkTable(published.values(), new Date().toISOString()).links[user.id]).toMatchObject({
      extensionId: String(extension.id),
      number: extension.number,
      disabledAt: expect.any(String) as string,
    });

    // A full sync meanwhile neither offboards the user again nor gives the number to anyone.
    const run = await (await world.startFullSync()).result();
    expect(run.plan?.counts).toMatchObject({ creates: 0, adoptions: 0, disables: 0, deletes: 0 });

    world.world.pbx.control.clearFaults();
    await until(() => onPbx() === undefined, 60_000, 'the retried delete');
    await until(async () => (await state()).phase === 'quarantined', 10_000, 'quarantine');
    const quarantined = await state();
    expect(quarantined).toMatchObject({ phase: 'quarantined', heldNumber: extension.number });
    expect(quarantined.failedDelete).toBeUndefined();
    expect(quarantined.lastError).toBeUndefined();
  });
}, 180_000);

test('user delete --now tries again at once and says how it went: refused again, then deleted', async () => {
  // A 5-second grace period: the automatic retries pause 5 s, then 10 s, so only the operator's attempts run.
  const { world, user, extension, operator, onPbx, deleteRequests, offboard } =
    await offboardedWhileDeletesFail(5);
  await world.withWorker(async () => {
    const notYet = await failureOf(
      steerFailedDelete(operator, user.userPrincipalName, { action: 'now', json: true }),
    );
    expect((notYet.cause as Error).message).toBe(
      "no delete of this user's extension has failed (state active)",
    );

    await offboard();
    const before = deleteRequests();
    const again = JSON.parse(
      await steerFailedDelete(operator, user.userPrincipalName, { action: 'now', json: true }),
    ) as DeleteReport;
    expect(deleteRequests()).toBe(before + 1);
    expect(again.outcome).toMatch(/^the PBX refused the delete again: .*70084/);
    expect(again.state).toMatchObject({ phase: 'disabled', failedDelete: { failures: 2 } });
    const shown = await showUser(operator, user.userPrincipalName, { json: false });
    expect(shown).toMatch(/last error +extension \d+ could not be deleted: .*70084/);
    expect(shown).toMatch(/delete +refused 2 times; next attempt \d{4}-/);

    world.world.pbx.control.clearFaults();
    const deleted = await steerFailedDelete(operator, user.id, { action: 'now', json: false });
    expect(deleted).toMatch(
      new RegExp(`^extension ${extension.number} deleted; the number is held for the user until \\d{4}-`),
    );
    expect(deleted).toMatch(/state +quarantined/);
    expect(onPbx()).toBeUndefined();
  });
}, 180_000);

test('user delete --cancel stops the retries and keeps the extension disabled and linked; --now still deletes it', async () => {
  const { world, user, extension, state, operator, onPbx, deleteRequests, offboard } =
    await offboardedWhileDeletesFail(3);
  await world.withWorker(async () => {
    const { failedDelete } = await offboard();
    const cancelled = JSON.parse(
      await steerFailedDelete(operator, user.userPrincipalName, { action: 'cancel', json: true }),
    ) as DeleteReport;
    expect(cancelled.outcome).toMatch(/^retries stopped/);
    expect(cancelled.state).toMatchObject({
      phase: 'disabled',
      link: { number: extension.number },
      failedDelete: { failures: expect.any(Number) as number },
    });
    expect(cancelled.state.failedDelete?.nextAttemptAt).toBeUndefined();

    // Past the attempt that was due, with the PBX willing: nothing tries.
    const requests = deleteRequests();
    world.world.pbx.control.clearFaults();
    const due = Date.parse(failedDelete!.nextAttemptAt!);
    await until(() => Date.now() > due + 3_000, 30_000);
    expect(deleteRequests()).toBe(requests);
    expect(onPbx()).toMatchObject({ number: extension.number, enabled: false });
    expect(await state()).toMatchObject({ phase: 'disabled', link: { number: extension.number } });
    expect(await showUser(operator, user.id, { json: false })).toMatch(/delete +refused .*retries cancelled/);

    const deleted = JSON.parse(
      await steerFailedDelete(operator, user.id, { action: 'now', json: true }),
    ) as DeleteReport;
    expect(deleted.state).toMatchObject({ phase: 'quarantined', heldNumber: extension.number });
    expect(onPbx()).toBeUndefined();
  });
}, 180_000);

test('a user who returns while deletes are refused gets the same extension back, enabled, and the retries stop', async () => {
  const { world, user, extension, state, onPbx, deleteRequests, offboard } = await offboardedWhileDeletesFail(
    1,
    IN_USE,
  );
  await world.withWorker(async () => {
    const { failedDelete, lastError } = await offboard();
    expect(lastError).toMatch(/extension\/delete failed with 70091/);
    world.world.graph.control.updateUser(user.id, { accountEnabled: true });
    await (await world.startFullSync()).result();
    expect(onPbx()).toMatchObject({ number: extension.number, enabled: true });
    const back = await state();
    expect(back).toMatchObject({ phase: 'active', link: { extensionId: String(extension.id) } });
    expect(back.failedDelete).toBeUndefined();
    expect(back.lastError).toBeUndefined();

    // The attempt that was due next never comes.
    const requests = deleteRequests();
    const due = Date.parse(failedDelete!.nextAttemptAt!);
    await until(() => Date.now() > due + 3_000, 60_000);
    expect(deleteRequests()).toBe(requests);
    expect(onPbx()).toMatchObject({ id: extension.id, enabled: true });
  });
}, 180_000);
