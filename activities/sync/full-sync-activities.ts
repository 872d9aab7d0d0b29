import { Context } from '@temporalio/activity';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphSource } from '../graph/index.js';
import type { PbxDirectory } from '../pbx/index.js';
import {
  evaluateDirectory,
  offboardingGuard,
  planFullSync as planSync,
  planSummary,
  planExtensionGroups,
  type DesiredExtension,
  type ExistingExtensionGroup,
  type SyncPolicy,
  type UserIssue,
  type UserRef,
} from '../../model/index.js';
import {
  countAppliedUsers,
  listAppliedUserIds,
  listFailedUsers,
  listManagedUsers,
  sendEnsure,
  sendOffboard,
  sendProblemReport,
  linksAndNumbers,
  type ManagedUser,
} from './entities.js';
import type { NumberLedgerCache } from './number-ledger-cache.js';
import { forEachConcurrently } from './concurrency.js';
import { readDirectory } from './read-directory.js';
import { readPbxSnapshot } from './pbx-snapshot.js';
import type { ConvergenceReport, FullSyncPlan, GroupSyncReport, OffboardCandidate } from './types.js';

export interface FullSyncDeps {
  graph: GraphSource;
  pbx: PbxDirectory;
  policy: SyncPolicy;
  tenantId: string;
}

const DAY_SECONDS = 86_400;
const SAMPLE_SIZE = 10;
/** Messages in flight to user entities: Temporal round trips, not PBX calls. */
const DISPATCH_CONCURRENCY = 16;

function progress(stage: string) {
  let steps = 0;
  return () => Context.current().heartbeat({ stage, steps: ++steps });
}

/**
 * One report per user with bad input, so `user show` and the Temporal UI (LifecycleState = error) name the
 * reason; a reason the user's entity already shows is not sent again, keeping unchanged re-syncs quiet.
 */
function newProblems(errors: readonly UserIssue[], managed: ReadonlyMap<string, ManagedUser>) {
  const byUser = new Map<string, { user: UserRef; reasons: string[] }>();
  for (const error of errors) {
    const entry = byUser.get(error.objectId) ?? {
      user: { objectId: error.objectId, userPrincipalName: error.userPrincipalName },
      reasons: [],
    };
    entry.reasons.push(error.reason);
    byUser.set(error.objectId, entry);
  }
  return [...byUser.values()]
    .map(({ user, reasons }) => ({ user, reason: reasons.join('; ') }))
    .filter(({ user, reason }) => managed.get(user.objectId)?.lastError !== reason);
}

export const createFullSyncActivities = ({
  graph,
  pbx,
  policy,
  ledgers,
}: FullSyncDeps & { ledgers: NumberLedgerCache }) => ({
  /**
   * Reads Entra ID and the PBX, plans, and (unless dry run) messages each user entity that needs a change.
   * A retry repeats the whole read; messages are idempotent, so a crash mid-dispatch duplicates nothing.
   */
  async planFullSync(input: { tenantId: string; syncRunId: string; dryRun: boolean }): Promise<FullSyncPlan> {
    const { client, info } = Context.current();
    const now = new Date().toISOString();
    const directory = await readDirectory(graph, policy, progress('reading Entra ID'));
    const evaluation = evaluateDirectory(directory.users, directory.groups, policy);
    const snapshot = await readPbxSnapshot(pbx, progress('reading the PBX'));
    const managed = await listManagedUsers(client, input.tenantId, {
      onProgress: progress('reading the link table'),
    });
    const { links, numbers } = linksAndNumbers(managed, now);
    const plan = planSync({
      directory: evaluation.entries,
      links,
      existing: snapshot.extensions,
      numbers,
      policy,
      now,
    });
    plan.notes.push(...evaluation.notes);
    const guard = offboardingGuard(
      plan,
      { sourceComplete: true, managedUsers: Object.keys(links).length },
      policy.offboarding,
    );
    const offboard: OffboardCandidate[] = [...plan.disables, ...plan.deletes].map((o) => ({
      objectId: o.objectId,
      name: o.name,
      reason: o.reason,
    }));
    const summary = planSummary(plan, SAMPLE_SIZE);
    if (input.dryRun) return { summary, dispatched: 0, offboard, guard };
    const kept = structuredClone(numbers);
    for (const { number, objectId } of plan.numberAssignments) kept.assigned[number] = objectId;
    ledgers.keep(input.tenantId, {
      readAt: Date.parse(now),
      numbers: kept,
      linkCount: Object.keys(links).length,
    });

    const desiredById = new Map<string, DesiredExtension>();
    for (const entry of Object.values(evaluation.entries))
      if (entry.kind === 'in-scope') desiredById.set(entry.extension.objectId, entry.extension);
    const requests = [
      ...plan.creates.map((c) => ({ desired: c.extension, number: c.number, expectNew: true })),
      ...[...plan.updates, ...plan.adoptions].map((u) => ({
        desired: desiredById.get(u.objectId)!,
        number: u.number,
        expectNew: false,
      })),
    ];
    const heartbeat = progress('dispatching');
    await forEachConcurrently(requests, DISPATCH_CONCURRENCY, async ({ desired, number, expectNew }) => {
      await sendEnsure(
        client,
        {
          tenantId: input.tenantId,
          objectId: desired.objectId,
          userPrincipalName: desired.userPrincipalName,
          taskQueue: info.taskQueue,
        },
        {
          syncRunId: input.syncRunId,
          desired,
          number,
          expectNew,
          adoptExistingByEmail: policy.adoptExistingByEmail,
          sendWelcomeEmail: true,
        },
      );
      heartbeat();
    });
    const problems = newProblems(plan.errors, managed);
    await forEachConcurrently(problems, DISPATCH_CONCURRENCY, async (problem) => {
      await sendProblemReport(
        client,
        { ...problem.user, tenantId: input.tenantId, taskQueue: info.taskQueue },
        { syncRunId: input.syncRunId, reason: problem.reason },
      );
      heartbeat();
    });
    // A retried plan does not message entities that applied an earlier attempt's request (their extension is
    // unchanged now), yet awaitConvergence counts every entity stamped with this run: expect those too.
    const messaged = new Set([
      ...requests.map((r) => r.desired.objectId),
      ...problems.map((p) => p.user.objectId),
    ]);
    const earlier =
      info.attempt > 1
        ? [...(await listAppliedUserIds(client, input.tenantId, input.syncRunId))].filter(
            (id) => !messaged.has(id),
          ).length
        : 0;
    return { summary, dispatched: requests.length + problems.length + earlier, offboard, guard };
  },

  async dispatchOffboarding(input: {
    tenantId: string;
    syncRunId: string;
    users: OffboardCandidate[];
  }): Promise<number> {
    const { client } = Context.current();
    const heartbeat = progress('offboarding');
    await forEachConcurrently(input.users, DISPATCH_CONCURRENCY, async (user) => {
      await sendOffboard(client, input.tenantId, user.objectId, {
        syncRunId: input.syncRunId,
        reason: user.reason,
        graceSeconds: policy.offboarding.graceDays * DAY_SECONDS,
        quarantineSeconds: policy.numbers.quarantineDays * DAY_SECONDS,
      });
      heartbeat();
    });
    return input.users.length;
  },

  /** Waits until every messaged entity reports this run, or progress stalls; heartbeats the count. */
  async awaitConvergence(input: {
    tenantId: string;
    syncRunId: string;
    expected: number;
  }): Promise<ConvergenceReport> {
    const { client } = Context.current();
    const stallLimitMs = 5 * 60_000;
    let applied = 0;
    let lastProgressAt = Date.now();
    while (applied < input.expected && Date.now() - lastProgressAt < stallLimitMs) {
      await sleep(applied === 0 ? 500 : 1000);
      const count = await countAppliedUsers(client, input.tenantId, input.syncRunId);
      if (count > applied) lastProgressAt = Date.now();
      applied = count;
      Context.current().heartbeat({ applied, expected: input.expected });
    }
    const failed = await listFailedUsers(client, input.tenantId, input.syncRunId, SAMPLE_SIZE);
    return { expected: input.expected, applied, failed, unconfirmed: Math.max(0, input.expected - applied) };
  },

  /**
   * Chosen Entra groups → PBX extension groups, after the users have their extensions. The PBX has no
   * field to mark a group as synced, so a PBX group carrying a chosen group's name is taken as its own.
   */
  async syncGroups(input: { tenantId: string }): Promise<GroupSyncReport> {
    const report: GroupSyncReport = { created: 0, updated: 0, deleted: 0, unchanged: 0, skipped: [] };
    if (policy.groups.extensionGroups.length === 0) return report;
    const { client } = Context.current();
    const directory = await readDirectory(graph, policy, progress('reading groups'));
    const evaluation = evaluateDirectory(directory.users, directory.groups, policy);
    const managed = await listManagedUsers(client, input.tenantId, {
      onProgress: progress('reading the link table'),
    });
    const extensionOf = new Map(
      [...managed.values()].flatMap((u) => (u.extensionId ? [[u.objectId, u.extensionId] as const] : [])),
    );
    const nameToGroup = new Map(directory.groups.map((g) => [g.displayName.toLowerCase(), g.id]));
    const existing: ExistingExtensionGroup[] = (await pbx.listExtensionGroups()).map((g) => {
      const managedBy = nameToGroup.get(g.name.toLowerCase());
      return { id: g.id, name: g.name, memberExtensionIds: g.memberIds, ...(managedBy ? { managedBy } : {}) };
    });
    const plan = planExtensionGroups({
      chosen: policy.groups.extensionGroups,
      groupNames: evaluation.groupNames,
      membership: evaluation.membership,
      managedUsers: [...extensionOf.keys()],
      extensionOwners: Object.fromEntries(
        [...extensionOf].map(([owner, extensionId]) => [extensionId, owner]),
      ),
      existing,
      upsertOnly: policy.upsertOnly,
    });
    const extensionsOf = (objectIds: readonly string[]) =>
      objectIds.flatMap((id) => extensionOf.get(id) ?? []);
    for (const create of plan.creates) {
      await pbx.createExtensionGroup({ name: create.name, memberIds: extensionsOf(create.memberObjectIds) });
      report.created++;
    }
    for (const update of plan.updates) {
      const current = existing.find((g) => g.id === update.extensionGroupId)!;
      const removed = new Set(update.removeExtensionIds);
      const memberIds = [
        ...current.memberExtensionIds.filter((id) => !removed.has(id)),
        ...extensionsOf(update.addObjectIds),
      ];
      await pbx.updateExtensionGroup(update.extensionGroupId, {
        memberIds,
        ...(update.rename ? { name: update.rename.to } : {}),
      });
      report.updated++;
    }
    for (const remove of plan.deletes) {
      await pbx.deleteExtensionGroup(remove.extensionGroupId);
      report.deleted++;
    }
    report.unchanged = plan.unchanged;
    report.skipped = plan.skipped.map((s) => `${s.name}: ${s.reason}`);
    return report;
  },
});
