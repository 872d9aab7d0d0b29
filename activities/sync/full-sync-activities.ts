import { Context } from '@temporalio/activity';
import {
  ensureRequest,
  offboardRequest,
  type AwaitConvergenceInput,
  type ConvergenceReport,
  type DispatchOffboardingInput,
  type FullSyncPlan,
  type GroupSyncReport,
  type ManagedUser,
  type OffboardCandidate,
  type PlanFullSyncInput,
  type SyncRun,
} from '../../contracts/index.js';
import {
  evaluateDirectory,
  linkTable,
  offboardingGuard,
  planChanges,
  planExtensionGroups,
  planSummary,
  recognizeExtensionGroups,
  type DesiredExtension,
  type SyncPolicy,
  type UserIssue,
  type UserRef,
} from '../../model/index.js';
import type { GraphSource } from '../graph/index.js';
import type { PbxDirectory } from '../pbx/index.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import type { NumberLedgerCache } from './number-ledger-cache.js';
import { readPbxSnapshot } from './pbx-snapshot.js';
import { readDirectory } from './read-directory.js';
import {
  countAppliedUsers,
  listAppliedUserIds,
  listFailedUsers,
  listManagedUsers,
  sendEnsure,
  sendOffboard,
  sendProblemReport,
  type VisibilityOf,
} from './user-entities.js';

export interface FullSyncDeps {
  graph: GraphSource;
  pbx: PbxDirectory;
  policy: SyncPolicy;
  ledgers: NumberLedgerCache;
  visibilityOf: VisibilityOf;
}

const SAMPLE_SIZE = 10;
/** Messages in flight to user entities: Temporal round trips, not PBX calls. */
const DISPATCH_CONCURRENCY = 16;
/** A convergence wait gives up when no entity has reported for this long. */
const CONVERGENCE_STALL_MS = 5 * 60_000;

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

export const createFullSyncActivities = ({ graph, pbx, policy, ledgers, visibilityOf }: FullSyncDeps) => {
  /** Messages the entities of the users the plan creates, adopts or updates, and those with bad input. */
  const dispatchPlan = async (
    run: SyncRun,
    requests: { desired: DesiredExtension; number: string; expectNew: boolean }[],
    problems: ReturnType<typeof newProblems>,
  ) => {
    const { client, info, cancellationSignal } = Context.current();
    const heartbeat = progress('dispatching');
    const address = { tenantId: run.tenantId, taskQueue: info.taskQueue };
    await forEachConcurrently(
      requests,
      DISPATCH_CONCURRENCY,
      async ({ desired, number, expectNew }) => {
        await sendEnsure(
          client,
          { ...address, objectId: desired.objectId, userPrincipalName: desired.userPrincipalName },
          ensureRequest(run.syncRunId, desired, number, policy, { expectNew }),
        );
        heartbeat();
      },
      cancellationSignal,
    );
    await forEachConcurrently(
      problems,
      DISPATCH_CONCURRENCY,
      async (problem) => {
        await sendProblemReport(
          client,
          { ...address, ...problem.user },
          { syncRunId: run.syncRunId, reason: problem.reason },
        );
        heartbeat();
      },
      cancellationSignal,
    );
  };

  return {
    /**
     * Reads Entra ID and the PBX, plans, and (unless dry run) messages each user entity that needs a change.
     * A retry repeats the whole read; messages are idempotent, so a crash mid-dispatch duplicates nothing.
     */
    async planFullSync(input: PlanFullSyncInput): Promise<FullSyncPlan> {
      const { client, info } = Context.current();
      const now = new Date().toISOString();
      const directory = await readDirectory(graph, policy, progress('reading Entra ID'));
      const evaluation = evaluateDirectory(directory.users, directory.groups, policy);
      // Links before the PBX: an extension linked by then existed before the list, so one the list leaves out
      // but a direct read finds means a short list, not an extension created meanwhile.
      const managed = await listManagedUsers(visibilityOf(client), input.tenantId, {
        onProgress: progress('reading the link table'),
      });
      const { links, numbers } = linkTable(managed.values(), now);
      const snapshot = await readPbxSnapshot(
        pbx,
        Object.values(links).map((link) => link.extensionId),
        progress('reading the PBX'),
      );
      const plan = planChanges({
        directory: evaluation.entries,
        links,
        existing: snapshot.extensions,
        numbers,
        policy,
        now,
        groups: {
          membership: evaluation.membership,
          groupNames: evaluation.groupNames,
          existing: recognizeExtensionGroups(snapshot.extensionGroups, directory.groups),
          existingOrganizations: snapshot.organizations.filter((o) => o.parentId).map((o) => o.name),
        },
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
      const problems = newProblems(plan.errors, managed);
      await dispatchPlan(input, requests, problems);
      // A retried plan does not message entities that applied an earlier attempt's request (their extension
      // is unchanged now), yet awaitConvergence counts every entity stamped with this run: expect those too.
      const messaged = new Set([
        ...requests.map((r) => r.desired.objectId),
        ...problems.map((p) => p.user.objectId),
      ]);
      const earlier =
        info.attempt > 1
          ? [...(await listAppliedUserIds(visibilityOf(client), input.tenantId, input.syncRunId))].filter(
              (id) => !messaged.has(id),
            ).length
          : 0;
      return { summary, dispatched: requests.length + problems.length + earlier, offboard, guard };
    },

    async dispatchOffboarding(input: DispatchOffboardingInput): Promise<number> {
      const { client, cancellationSignal } = Context.current();
      const heartbeat = progress('offboarding');
      await forEachConcurrently(
        input.users,
        DISPATCH_CONCURRENCY,
        async (user) => {
          await sendOffboard(
            client,
            input.tenantId,
            user.objectId,
            offboardRequest(input.syncRunId, user.reason, policy),
          );
          heartbeat();
        },
        cancellationSignal,
      );
      return input.users.length;
    },

    /** Waits until every messaged entity reports this run, or progress stalls; heartbeats the count. */
    async awaitConvergence(input: AwaitConvergenceInput): Promise<ConvergenceReport> {
      const { client } = Context.current();
      let applied = 0;
      let lastProgressAt = Date.now();
      while (applied < input.expected && Date.now() - lastProgressAt < CONVERGENCE_STALL_MS) {
        // Context.sleep ends at once when the activity is cancelled (a worker shutting down, a run cancelled).
        await Context.current().sleep(applied === 0 ? 500 : 1000);
        const count = await countAppliedUsers(visibilityOf(client), input.tenantId, input.syncRunId);
        if (count > applied) lastProgressAt = Date.now();
        applied = count;
        Context.current().heartbeat({ applied, expected: input.expected });
      }
      const failed = await listFailedUsers(
        visibilityOf(client),
        input.tenantId,
        input.syncRunId,
        SAMPLE_SIZE,
      );
      return {
        expected: input.expected,
        applied,
        failed,
        unconfirmed: Math.max(0, input.expected - applied),
      };
    },

    /** Chosen Entra groups → PBX extension groups, after the users have their extensions. */
    async syncGroups(input: { tenantId: string }): Promise<GroupSyncReport> {
      const report: GroupSyncReport = { created: 0, updated: 0, deleted: 0, unchanged: 0, skipped: [] };
      if (policy.groups.extensionGroups.length === 0) return report;
      const { client } = Context.current();
      const directory = await readDirectory(graph, policy, progress('reading groups'));
      const evaluation = evaluateDirectory(directory.users, directory.groups, policy);
      const managed = await listManagedUsers(visibilityOf(client), input.tenantId, {
        onProgress: progress('reading the link table'),
      });
      const extensionOf = new Map(
        [...managed.values()].flatMap((u) => (u.extensionId ? [[u.objectId, u.extensionId] as const] : [])),
      );
      const existing = recognizeExtensionGroups(await pbx.listExtensionGroups(), directory.groups);
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
        await pbx.createExtensionGroup({
          name: create.name,
          memberIds: extensionsOf(create.memberObjectIds),
        });
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
  };
};
