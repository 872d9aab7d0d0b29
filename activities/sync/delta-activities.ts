import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  SyncFailure,
  type DeltaCursors,
  type DeltaRoundInput,
  type DeltaRoundResult,
} from '../../contracts/index.js';
import { DELTA_LATEST, pages } from '../graph/index.js';
import { DeltaChanges, type DeltaChangesState } from './delta-changes.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import { chosenGroupIds } from './read-directory.js';
import { createUserPlanner, type UserLookup, type UserPlannerDeps } from './user-planner.js';

/** The heartbeat details of a round: its cursors and what changed, bounded by `fullSyncAboveUsers`. */
interface RoundProgress extends DeltaChangesState {
  stage: 'read' | 'apply';
  users: { cursor: string; done: boolean };
  groups: { cursor: string; done: boolean };
  changes: number;
}

/** Graph calls and entity messages in flight while applying one round. */
const APPLY_CONCURRENCY = 8;

/**
 * The directory watcher's activities. A round pages the users and groups delta from the stored deltaLinks
 * (heartbeating the cursor and the ids seen so far, so a retry resumes mid-round), then re-reads each
 * changed user and plans them exactly like `planUser`: the delta says who changed, the current directory
 * says what they should have. Replays and duplicates therefore converge on the same request.
 */
export const createDeltaActivities = (deps: UserPlannerDeps) => {
  const { graph, policy } = deps;
  const planner = createUserPlanner(deps);

  /**
   * Pages one delta from `position` until Graph hands out the deltaLink: each page goes to `onPage`, then the
   * position moves on and `checkpoint` runs (a heartbeat, so a retry resumes from there).
   */
  async function followDelta<Page extends { deltaLink?: string; nextCursor?: string }>(
    kind: 'users' | 'groups',
    position: { cursor: string; done: boolean },
    readPage: (cursor: string) => Promise<Page>,
    onPage: (page: Page) => void,
    checkpoint: () => void,
  ): Promise<void> {
    while (!position.done) {
      const page = await readPage(position.cursor);
      onPage(page);
      if (page.deltaLink) {
        position.cursor = page.deltaLink;
        position.done = true;
      } else if (page.nextCursor) position.cursor = page.nextCursor;
      else
        throw ApplicationFailure.create({
          type: SyncFailure.DeltaIncomplete,
          message: `${kind} delta round ended without a deltaLink`,
        });
      checkpoint();
    }
  }

  const readUsersPage = (cursor: string) => graph.deltaPage('users', cursor);
  const readGroupsPage = (cursor: string) => graph.deltaPage('groups', cursor);

  /** The deltaLink at the end of the pages from `cursor` (DELTA_LATEST: only the link). */
  async function deltaLinkFrom(
    kind: 'users' | 'groups',
    readPage: (cursor: string) => Promise<{ deltaLink?: string; nextCursor?: string }>,
  ): Promise<string> {
    const position = { cursor: DELTA_LATEST, done: false };
    const beat = () => Context.current().heartbeat({ kind, cursor: position.cursor });
    await followDelta(kind, position, readPage, () => undefined, beat);
    return position.cursor;
  }

  return {
    /** "Sync from now": deltaLinks that report only changes made after this call. */
    async deltaBaseline(): Promise<DeltaCursors> {
      return {
        users: await deltaLinkFrom('users', readUsersPage),
        groups: await deltaLinkFrom('groups', readGroupsPage),
      };
    },

    async deltaRound(input: DeltaRoundInput): Promise<DeltaRoundResult> {
      const context = Context.current();
      // A new hire needs the whole number ledger: read it while nobody waits for it.
      deps.ledgers.warm(deps.visibilityOf(context.client), input.tenantId);
      const resumed = context.info.heartbeatDetails as RoundProgress | undefined;
      const progress: RoundProgress = resumed ?? {
        stage: 'read',
        users: { cursor: input.cursors.users, done: false },
        groups: { cursor: input.cursors.groups, done: false },
        changes: 0,
        userIds: [],
        groupMemberIds: [],
        nestedGroupIds: [],
        removedGroupIds: [],
      };
      const beat = () => Context.current().heartbeat(progress);
      // Past `fullSyncAboveUsers` distinct ids the round plans nobody: the collector keeps only a count, so
      // the heartbeat stays small however many users a bulk change touched.
      const changes = new DeltaChanges(input.fullSyncAboveUsers, resumed);
      const checkpoint = () => {
        Object.assign(progress, changes.state());
        if (!changes.over) delete progress.overThreshold;
        beat();
      };
      // Group membership matters only for the groups the policy names (scope, extension groups,
      // organizations, number ranges) and the groups nested in them.
      const chosen = new Set(chosenGroupIds(policy));
      // The users and the groups delta are paged side by side, each from its own cursor.
      const readUsers = followDelta(
        'users',
        progress.users,
        readUsersPage,
        (page) => {
          for (const change of page.changes)
            changes.addUser(change.kind === 'upsert' ? change.user.id : change.id);
          progress.changes += page.changes.length;
        },
        checkpoint,
      );
      const readGroups = followDelta(
        'groups',
        progress.groups,
        readGroupsPage,
        (page) => {
          for (const change of page.changes) {
            if (change.kind === 'removed') {
              // Only a chosen group's (or one nested in it) matters; without chosen groups, none does.
              if (chosen.size > 0) changes.addRemovedGroup(change.id);
              progress.changes++;
              continue;
            }
            if (!change.members) continue;
            if (chosen.size > 0) {
              for (const member of change.members.added) {
                if (member.type === 'user') changes.addMember(change.group.id, member.id);
                if (member.type === 'group') changes.addNestedGroup(member.id);
              }
              // A removed member's type is not reported: a user id or a nested group id.
              for (const id of change.members.removed) changes.addMember(change.group.id, id);
            }
            progress.changes += change.members.added.length + change.members.removed.length;
          }
        },
        checkpoint,
      );
      await Promise.all([readUsers, readGroups]);
      progress.stage = 'apply';
      checkpoint();

      const cursors = { users: progress.users.cursor, groups: progress.groups.cursor };
      const result: DeltaRoundResult = {
        cursors,
        changes: progress.changes,
        users: 0,
        ensured: 0,
        offboarded: 0,
      };
      const tooMany = (count: number) =>
        `${count} users changed in one round (more than ${input.fullSyncAboveUsers}): a full sync reads them in bulk`;
      if (changes.over) {
        result.fullSyncNeeded = tooMany(changes.count);
        return result;
      }

      const userIds = new Set(changes.userIds);
      const groupMemberIds = changes.groupMemberIds;
      const nested = new Set(changes.nestedGroupIds);
      const removedGroups = changes.removedGroupIds;
      if (groupMemberIds.size === 0 && nested.size === 0 && userIds.size === 0) return result;
      const groups = await planner.chosenGroups(beat);
      if (chosen.size > 0) {
        const relevant = new Set(chosen);
        for (const group of groups) for (const id of group.memberGroupIds) relevant.add(id);
        const groupIds = new Set(groups.flatMap((g) => [g.id, ...g.memberGroupIds]));
        for (const key of groupMemberIds) {
          const [groupId, memberId] = key.split('/') as [string, string];
          if (!relevant.has(groupId)) continue;
          if (groupIds.has(memberId)) nested.add(memberId);
          else userIds.add(memberId);
        }
        for (const groupId of nested) {
          if (!relevant.has(groupId) && !groupIds.has(groupId)) continue;
          // Past the limit the round plans nobody: the rest of the members need not be read.
          if (userIds.size > input.fullSyncAboveUsers) break;
          for await (const page of pages((cursor) =>
            graph.readGroupMembersPage(groupId, { transitive: true, ...(cursor ? { cursor } : {}) }),
          ))
            for (const member of page) if (member.type === 'user') userIds.add(member.id);
          beat();
        }
        const gone = [...removedGroups].filter((id) => relevant.has(id));
        if (gone.length > 0) result.fullSyncNeeded = `chosen group(s) deleted: ${gone.join(', ')}`;
      }

      const ids = [...userIds].sort();
      if (ids.length > input.fullSyncAboveUsers) {
        result.fullSyncNeeded = tooMany(ids.length);
        return result;
      }
      // Only the changed users' entities: a round of updates never reads the whole link table.
      const scoped = await planner.context(context.client, input.tenantId, groups, beat, ids);
      // Re-read every changed user (the current state, not the possibly replayed or stale delta entry) and
      // what the PBX has for them, in parallel; only the planning itself runs in order.
      const lookups: UserLookup[] = [];
      await forEachConcurrently(ids, APPLY_CONCURRENCY, async (id) => {
        const found = await planner.readUser(id);
        if (!found && !scoped.managed.has(id)) return; // gone, and never managed by the sync
        lookups.push(await planner.lookup(scoped, id, found));
        beat();
      });
      lookups.sort((a, b) => a.objectId.localeCompare(b.objectId));
      beat();
      const { ctx, planned } = await planner.planAll(context.client, input.tenantId, scoped, lookups, beat);
      result.users = planned.length;

      // One round is one run for the offboarding guard: a mass removal is left to a full sync (approval).
      const guard = planner.guard(ctx, planned);
      const decisions = planned.map((p) => ({ objectId: p.objectId, decision: planner.decide(p, guard) }));
      if (!guard.allowed && guard.wouldOffboard.length > 0)
        result.fullSyncNeeded = `offboarding held: ${guard.message}`;
      const target = {
        tenantId: input.tenantId,
        syncRunId: input.syncRunId,
        taskQueue: context.info.taskQueue,
      };
      await forEachConcurrently(decisions, APPLY_CONCURRENCY, async ({ objectId, decision }) => {
        await planner.dispatch(context.client, target, objectId, decision);
        beat();
        if (decision.kind === 'ensure') result.ensured++;
        if (decision.kind === 'offboard') result.offboarded++;
      });
      return result;
    },
  };
};
