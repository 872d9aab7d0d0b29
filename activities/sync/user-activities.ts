import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { GraphErrorType, type EntraUser, type GraphSource } from '../graph/index.js';
import type { PbxDirectory, PbxExtension } from '../pbx/index.js';
import {
  evaluateDirectory,
  offboardingGuard,
  planFullSync as planSync,
  type DesiredExtension,
  type DirectoryEntry,
  type DirectoryGroup,
  type ExistingExtension,
  type ExtensionLink,
  type ExtensionNumber,
  type GuardVerdict,
  type NumberState,
  type OffboardReason,
  type SyncPlan,
  type SyncPolicy,
} from '../../model/index.js';
import { linksAndNumbers, listManagedUsers, sendEnsure, sendOffboard, type ManagedUser } from './entities.js';
import type { NumberLedgerCache } from './number-ledger-cache.js';
import { toExistingExtension } from './pbx-snapshot.js';
import { readChosenGroups } from './read-directory.js';

export interface UserActivityDeps {
  graph: GraphSource;
  pbx: PbxDirectory;
  policy: SyncPolicy;
  ledgers: NumberLedgerCache;
}

export interface PlanUserInput {
  tenantId: string;
  /** Entra object id or user principal name. */
  user: string;
  /** Recorded by the user's entity when it applies the request (its SyncRunId search attribute). */
  syncRunId: string;
  /** Plan only: message nobody. */
  dryRun?: boolean;
}

/**
 * `reapply`: nothing differs from what the PBX reports, and the user's entity is asked to apply its state
 * again anyway (idempotent: an unchanged extension costs reads only, and repairs what the PBX does not report).
 */
export type UserAction = 'create' | 'update' | 'adopt' | 'reapply' | 'disable' | 'delete' | 'none';

/** What one user needs, and whether their entity was messaged: small, for workflow history. */
export interface UserPlan {
  /** Undefined when the user is neither in Entra ID nor managed by the sync. */
  objectId?: string;
  userPrincipalName: string;
  action: UserAction;
  /** One readable line: what is done and why, or why nothing is. */
  detail: string;
  /** The extension number the user has, keeps or gets. */
  number?: string;
  /** Fields that differ from the PBX (update, adopt). */
  changes: string[];
  /** Problems that keep the user from syncing (also when the action is `none`). */
  errors: string[];
  notes: string[];
  /** The entity was sent an ensure or an offboard; it reports `syncRunId` when it has applied it. */
  dispatched: boolean;
}

const DAY_SECONDS = 86_400;

async function readUser(graph: GraphSource, idOrUpn: string): Promise<EntraUser | undefined> {
  try {
    return await graph.getUser(idOrUpn);
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type === GraphErrorType.NotFound) return undefined;
    throw error;
  }
}

function findManaged(managed: ReadonlyMap<string, ManagedUser>, idOrUpn: string): ManagedUser | undefined {
  const key = idOrUpn.toLowerCase();
  return managed.get(idOrUpn) ?? [...managed.values()].find((u) => u.userPrincipalName.toLowerCase() === key);
}

/** Why the directory keeps this user from having an extension. */
function whyNotInScope(entry: DirectoryEntry | undefined): string {
  if (!entry) return 'the user is no longer in Entra ID (deleted)';
  if (entry.kind === 'invalid') return 'the user cannot be mapped to an extension';
  if (entry.kind === 'in-scope') return 'the user is in scope';
  return {
    ignored: 'the user is on the ignore list: the sync never changes or offboards them',
    disabled: 'the user is disabled in Entra ID',
    'user-type': "the user's type is outside the scope",
    'not-in-chosen-groups': 'the user is in none of the chosen groups',
    'attribute-filter': 'the user does not match the attribute filter',
  }[entry.reason];
}

export type Decision =
  | {
      kind: 'ensure';
      action: 'create' | 'update' | 'adopt' | 'reapply';
      desired: DesiredExtension;
      number: ExtensionNumber;
      changes: string[];
    }
  | { kind: 'offboard'; action: 'disable' | 'delete'; number: ExtensionNumber; reason: OffboardReason }
  | { kind: 'none'; detail: string };

/**
 * Pure: what one user's plan asks of their entity. An in-scope user with an unchanged extension is applied
 * again (`reapply`); an offboarding is sent only when the offboarding guard lets it through.
 */
export function decideForUser(
  plan: SyncPlan,
  entry: DirectoryEntry | undefined,
  link: ExtensionLink | undefined,
  guard: GuardVerdict,
  policy: Pick<SyncPolicy, 'upsertOnly'>,
): Decision {
  const desired = entry?.kind === 'in-scope' ? entry.extension : undefined;
  const create = plan.creates[0];
  const change = plan.updates[0] ?? plan.adoptions[0];
  if (desired && create)
    return { kind: 'ensure', action: 'create', desired, number: create.number, changes: [] };
  if (desired && change)
    return {
      kind: 'ensure',
      action: plan.adoptions.length > 0 ? 'adopt' : 'update',
      desired,
      number: change.number,
      changes: change.changes.map((c) => c.field),
    };
  if (desired && link && plan.unchanged > 0)
    return { kind: 'ensure', action: 'reapply', desired, number: link.number, changes: [] };

  const offboard = plan.disables[0] ?? plan.deletes[0];
  const action = plan.disables.length > 0 ? 'disable' : 'delete';
  if (offboard && guard.allowed)
    return { kind: 'offboard', action, number: offboard.number, reason: offboard.reason };
  if (offboard)
    return {
      kind: 'none',
      detail: `would ${action} extension ${offboard.number}, but held: ${guard.message}`,
    };

  const none = (detail: string): Decision => ({ kind: 'none', detail });
  if (plan.errors.length > 0) return none(`cannot sync: ${plan.errors.map((e) => e.reason).join('; ')}`);
  if (plan.waitingForGrace > 0)
    return none(
      `${whyNotInScope(entry)}; extension ${link?.number} is disabled, waiting for the grace period`,
    );
  if (desired && link)
    return none(`extension ${link.number} is left alone: ${plan.notes.map((n) => n.reason).join('; ')}`);
  if (!link) return none(`${whyNotInScope(entry)}; there is no extension to change`);
  if (policy.upsertOnly) return none(`${whyNotInScope(entry)}; upsertOnly is on, so nothing is offboarded`);
  return none(whyNotInScope(entry));
}

const DETAIL = {
  create: (d: { number: string }) => `create extension ${d.number}`,
  update: (d: { number: string; changes: string[] }) =>
    `update extension ${d.number}: ${d.changes.join(', ')}`,
  adopt: (d: { number: string; changes: string[] }) =>
    `adopt extension ${d.number}${d.changes.length > 0 ? ` and update ${d.changes.join(', ')}` : ''}`,
  reapply: (d: { number: string }) => `extension ${d.number} matches Entra ID; apply it again`,
};

/** What the planner needs besides the user: read once, shared by every user planned in one activity. */
export interface PlanningContext {
  /** The user entities: all of the tenant's, or only those of the users being planned (a delta round). */
  managed: ReadonlyMap<string, ManagedUser>;
  /** True when `ledger.numbers` holds every number in use, so new numbers may be handed out. */
  wholeLedger: boolean;
  /** Users with a linked extension in the whole tenant (the offboarding guard's base), once the ledger is whole. */
  linkCount: number;
  /** The groups the policy names, with transitive members (empty when it names none). */
  groups: DirectoryGroup[];
  /** Links and the number ledger; numbers planned for one user are added, so the next one gets another. */
  ledger: ReturnType<typeof linksAndNumbers>;
  now: string;
  /** PBX organization names by id, read once when an extension in an organization is first seen. */
  organizationNames?: Promise<ReadonlyMap<string, string>>;
}

/** A user as Entra ID has them now, and the PBX extensions their plan has to see: the I/O part of planning. */
export interface UserLookup {
  objectId: string;
  /** Undefined when the user is gone from Entra ID (deleted). */
  found: EntraUser | undefined;
  /** What the directory makes of them (scope, desired extension): evaluated once, planned maybe several times. */
  evaluation: ReturnType<typeof evaluateDirectory>;
  existing: ExistingExtension[];
}

/** One user planned against their own link, their extensions and the ledger (before the guard decides). */
export interface PlannedUser {
  objectId: string;
  found: EntraUser | undefined;
  entry: DirectoryEntry | undefined;
  link: ExtensionLink | undefined;
  plan: SyncPlan;
}

/** Where and under which run a decision is sent to the user's entity. */
export interface DispatchTarget {
  tenantId: string;
  syncRunId: string;
  taskQueue: string;
}

/**
 * A plan made against only the users' own entities holds when it keeps a linked extension as it is or
 * updates it. Anything else (a new number, an adoption, an offboarding the guard weighs against every link,
 * an error that may depend on who holds a number) needs the tenant's whole link table and ledger.
 */
const needsWholeLedger = ({ plan }: PlannedUser): boolean =>
  plan.creates.length + plan.adoptions.length + plan.disables.length + plan.deletes.length > 0 ||
  plan.numberAssignments.length + plan.errors.length > 0;

/** How often a round's new numbers are checked against the visibility store before the PBX settles a race. */
const MAX_NUMBER_CHECKS = 3;

/** Puts the numbers these entities hold into `numbers`, replacing what it said about those numbers. */
function mergeHolders(numbers: NumberState, holders: ReadonlyMap<string, ManagedUser>, now: string): void {
  const held = linksAndNumbers(holders, now).numbers;
  for (const number of [...Object.keys(held.assigned), ...Object.keys(held.quarantined)]) {
    delete numbers.assigned[number];
    delete numbers.quarantined[number];
  }
  Object.assign(numbers.assigned, held.assigned);
  Object.assign(numbers.quarantined, held.quarantined);
}

/**
 * Plans single users the way a full sync plans all of them, and messages their entities: shared by
 * `planUser` (one user, operator's resync) and the directory watcher's delta round (the users that changed).
 */
export const createUserPlanner = ({ graph, pbx, policy, ledgers }: UserActivityDeps) => {
  const organizationNamesOf = (ctx: PlanningContext) =>
    (ctx.organizationNames ??= pbx
      .listOrganizations()
      .then(
        (all) => new Map(all.flatMap((o) => (o.parentId !== undefined ? [[o.id, o.name] as const] : []))),
      ));

  /** The user's linked extension and any extension with the user's email: all the plan needs to see. */
  const existingFor = async (
    ctx: PlanningContext,
    link: ExtensionLink | undefined,
    email: string | undefined,
  ) => {
    const found = new Map<string, PbxExtension>();
    const [linked, byEmail] = await Promise.all([
      link ? pbx.getExtension(link.extensionId) : undefined,
      email ? pbx.findExtensionByEmail(email) : undefined,
    ]);
    if (linked) found.set(linked.id, linked);
    if (byEmail) found.set(byEmail.id, byEmail);
    const needsNames =
      policy.groups.organizationSource !== 'none' &&
      [...found.values()].some((e) => e.organizationIds.length > 0);
    const organizationNames = needsNames ? await organizationNamesOf(ctx) : new Map<string, string>();
    return [...found.values()].map((e): ExistingExtension => toExistingExtension(e, organizationNames));
  };

  /**
   * Plans against a ledger that may be stale, then asks the visibility store who holds the numbers handed out:
   * a number another user's entity took meanwhile goes to them in the ledger, and the users are planned again.
   */
  const planCheckingNumbers = async (
    client: Client,
    tenantId: string,
    ctx: PlanningContext,
    lookups: readonly UserLookup[],
  ): Promise<PlannedUser[]> => {
    for (let check = 1; ; check++) {
      const planned = lookups.map((lookup) => planner.planLookedUp(ctx, lookup));
      const handedOut = new Map(
        planned.flatMap((p) => p.plan.numberAssignments.map((a) => [a.number, a.objectId] as const)),
      );
      if (handedOut.size === 0 || check > MAX_NUMBER_CHECKS) return planned;
      const holders = await listManagedUsers(client, tenantId, {
        filter: { numbers: [...handedOut.keys()] },
      });
      const taken = [...holders.values()].filter((h) => h.number && handedOut.get(h.number) !== h.objectId);
      if (taken.length === 0) return planned;
      mergeHolders(ctx.ledger.numbers, new Map(taken.map((h) => [h.objectId, h])), ctx.now);
    }
  };

  const planner = {
    readUser: (idOrUpn: string) => readUser(graph, idOrUpn),

    chosenGroups: (onPage: () => void) => readChosenGroups(graph, policy, onPage),

    /** The planning context: every user entity of the tenant, or only those of `objectIds`. */
    async context(
      client: Client,
      tenantId: string,
      groups: DirectoryGroup[],
      onProgress: () => void,
      objectIds?: readonly string[],
    ): Promise<PlanningContext> {
      const now = new Date().toISOString();
      const managed = await listManagedUsers(client, tenantId, {
        onProgress,
        ...(objectIds ? { filter: { objectIds } } : {}),
      });
      const ledger = linksAndNumbers(managed, now);
      return {
        managed,
        wholeLedger: !objectIds,
        linkCount: Object.keys(ledger.links).length,
        groups,
        ledger,
        now,
      };
    },

    /** Reads what the user's plan has to see on the PBX (their linked extension, any with their email). */
    async lookup(ctx: PlanningContext, objectId: string, found: EntraUser | undefined): Promise<UserLookup> {
      const evaluation = evaluateDirectory(found ? [found] : [], ctx.groups, policy);
      const entry = evaluation.entries[objectId];
      const email = entry?.kind === 'in-scope' ? entry.extension.email : undefined;
      const existing = await existingFor(ctx, ctx.ledger.links[objectId], email);
      return { objectId, found, evaluation, existing };
    },

    /** Pure: plans a looked-up user, and adds the number they get to the ledger. */
    planLookedUp(ctx: PlanningContext, { objectId, found, evaluation, existing }: UserLookup): PlannedUser {
      const entry = evaluation.entries[objectId];
      const link = ctx.ledger.links[objectId];
      const plan = planSync({
        directory: evaluation.entries,
        links: link ? { [objectId]: link } : {},
        existing,
        numbers: ctx.ledger.numbers,
        policy,
        now: ctx.now,
      });
      plan.notes.push(...evaluation.notes);
      for (const assignment of plan.numberAssignments)
        ctx.ledger.numbers.assigned[assignment.number] = assignment.objectId;
      return { objectId, found, entry, link, plan };
    },

    /**
     * Plans users in order (each new number goes to the ledger, so two users never get one number). Against
     * a context of only their own entities, the plans are kept when none needs the whole ledger; otherwise
     * they are planned again against the tenant's ledger (the lookups stay valid: same links).
     */
    async planAll(
      client: Client,
      tenantId: string,
      ctx: PlanningContext,
      lookups: readonly UserLookup[],
      onProgress: () => void,
    ): Promise<{ ctx: PlanningContext; planned: PlannedUser[] }> {
      const planned = lookups.map((lookup) => planner.planLookedUp(ctx, lookup));
      if (ctx.wholeLedger || !planned.some(needsWholeLedger)) return { ctx, planned };
      const cached = await ledgers.get(client, tenantId, onProgress);
      // The planned users' own entities were read just now: fresher than the cached ledger.
      mergeHolders(cached.numbers, ctx.managed, ctx.now);
      const whole: PlanningContext = {
        ...ctx,
        wholeLedger: true,
        linkCount: cached.linkCount,
        ledger: { links: ctx.ledger.links, numbers: cached.numbers },
      };
      return { ctx: whole, planned: await planCheckingNumbers(client, tenantId, whole, lookups) };
    },

    /** The offboarding guard over every planned user together (one delta round counts as one run). */
    guard(ctx: PlanningContext, planned: readonly PlannedUser[]): GuardVerdict {
      return offboardingGuard(
        {
          disables: planned.flatMap((p) => p.plan.disables),
          deletes: planned.flatMap((p) => p.plan.deletes),
        },
        { sourceComplete: true, managedUsers: ctx.linkCount },
        policy.offboarding,
      );
    },

    decide: (planned: PlannedUser, guard: GuardVerdict) =>
      decideForUser(planned.plan, planned.entry, planned.link, guard, policy),

    /** Sends the decision to the user's entity (signal-with-start / signal: a repeated send is harmless). */
    async dispatch(client: Client, target: DispatchTarget, objectId: string, decision: Decision) {
      if (decision.kind === 'ensure')
        await sendEnsure(
          client,
          {
            tenantId: target.tenantId,
            objectId,
            userPrincipalName: decision.desired.userPrincipalName,
            taskQueue: target.taskQueue,
          },
          {
            syncRunId: target.syncRunId,
            desired: decision.desired,
            number: decision.number,
            // One user: the lookup by email is cheap, and finds an extension the plan could not see.
            expectNew: false,
            adoptExistingByEmail: policy.adoptExistingByEmail,
            sendWelcomeEmail: true,
          },
        );
      if (decision.kind === 'offboard')
        await sendOffboard(client, target.tenantId, objectId, {
          syncRunId: target.syncRunId,
          reason: decision.reason,
          graceSeconds: policy.offboarding.graceDays * DAY_SECONDS,
          quarantineSeconds: policy.numbers.quarantineDays * DAY_SECONDS,
        });
    },
  };
  return planner;
};

/** Planning and dispatch for one Entra user, the way a full sync does it for all of them. */
export const createUserActivities = (deps: UserActivityDeps) => {
  const planner = createUserPlanner(deps);
  return {
    /**
     * Reads one user from Graph (and the groups the policy names), plans them the way a full sync would —
     * their own link, their linked extension and any extension with their email, the whole number ledger —
     * and messages their entity: an ensure when they are in scope, an offboard only when the plan and the
     * offboarding guard say so. No other user is planned or messaged.
     */
    async planUser(input: PlanUserInput): Promise<UserPlan> {
      const { client, info } = Context.current();
      const found = await planner.readUser(input.user);
      const beat = () => Context.current().heartbeat();
      const ctx = await planner.context(client, input.tenantId, await planner.chosenGroups(beat), beat);
      const { managed } = ctx;
      const objectId = found?.id ?? findManaged(managed, input.user)?.objectId;
      if (!objectId)
        return {
          userPrincipalName: input.user,
          action: 'none',
          detail: 'not in Entra ID, and not managed by the sync',
          changes: [],
          errors: [],
          notes: [],
          dispatched: false,
        };

      const planned = planner.planLookedUp(ctx, await planner.lookup(ctx, objectId, found));
      const { plan, entry, link } = planned;
      const decision = planner.decide(planned, planner.guard(ctx, [planned]));
      if (!input.dryRun)
        await planner.dispatch(
          client,
          { tenantId: input.tenantId, syncRunId: input.syncRunId, taskQueue: info.taskQueue },
          objectId,
          decision,
        );

      const number = decision.kind === 'none' ? link?.number : decision.number;
      return {
        objectId,
        userPrincipalName: found?.userPrincipalName ?? managed.get(objectId)?.userPrincipalName ?? input.user,
        action: decision.kind === 'none' ? 'none' : decision.action,
        detail:
          decision.kind === 'ensure'
            ? DETAIL[decision.action](decision)
            : decision.kind === 'offboard'
              ? `${decision.action} extension ${decision.number}: ${whyNotInScope(entry)}`
              : decision.detail,
        ...(number ? { number } : {}),
        changes: decision.kind === 'ensure' ? decision.changes : [],
        errors: plan.errors.map((e) => e.reason),
        notes: plan.notes.map((n) => n.reason),
        dispatched: !input.dryRun && decision.kind !== 'none',
      };
    },
  };
};
