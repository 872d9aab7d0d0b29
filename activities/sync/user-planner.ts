import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  GraphFailure,
  ensureRequest,
  offboardRequest,
  type ManagedUser,
  type SyncRun,
} from '../../contracts/index.js';
import {
  decideForUser,
  evaluateDirectory,
  linkTable,
  offboardingGuard,
  planChanges,
  replaceHolders,
  type Decision,
  type DirectoryEntry,
  type DirectoryEvaluation,
  type DirectoryGroup,
  type ExistingExtension,
  type ExtensionLink,
  type GuardVerdict,
  type LinkTable,
  type SyncPlan,
  type SyncPolicy,
} from '../../model/index.js';
import type { EntraUser, GraphSource } from '../graph/index.js';
import type { PbxDirectory, PbxExtension } from '../pbx/index.js';
import type { NumberLedgerCache } from './number-ledger-cache.js';
import { organizationNamesById, toExistingExtension } from './pbx-snapshot.js';
import { readChosenGroups } from './read-directory.js';
import { listManagedUsers, sendEnsure, sendOffboard, type VisibilityOf } from './user-entities.js';

export interface UserPlannerDeps {
  graph: GraphSource;
  pbx: PbxDirectory;
  policy: SyncPolicy;
  ledgers: NumberLedgerCache;
  visibilityOf: VisibilityOf;
}

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
  ledger: LinkTable;
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
  evaluation: DirectoryEvaluation;
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
export interface DispatchTarget extends SyncRun {
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

/**
 * Plans single users the way a full sync plans all of them, and messages their entities: shared by
 * `planUser` (one user, operator's resync) and the directory watcher's delta round (the users that changed).
 */
export const createUserPlanner = ({ graph, pbx, policy, ledgers, visibilityOf }: UserPlannerDeps) => {
  const organizationNamesOf = (ctx: PlanningContext) =>
    (ctx.organizationNames ??= pbx.listOrganizations().then(organizationNamesById));

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

  /** Pure: plans a looked-up user, and adds the number they get to the ledger. */
  const planLookedUp = (
    ctx: PlanningContext,
    { objectId, found, evaluation, existing }: UserLookup,
  ): PlannedUser => {
    const entry = evaluation.entries[objectId];
    const link = ctx.ledger.links[objectId];
    const plan = planChanges({
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
      const planned = lookups.map((lookup) => planLookedUp(ctx, lookup));
      const handedOut = new Map(
        planned.flatMap((p) => p.plan.numberAssignments.map((a) => [a.number, a.objectId] as const)),
      );
      if (handedOut.size === 0 || check > MAX_NUMBER_CHECKS) return planned;
      const holders = await listManagedUsers(visibilityOf(client), tenantId, {
        filter: { numbers: [...handedOut.keys()] },
      });
      const taken = [...holders.values()].filter((h) => h.number && handedOut.get(h.number) !== h.objectId);
      if (taken.length === 0) return planned;
      replaceHolders(ctx.ledger.numbers, taken, ctx.now);
    }
  };

  return {
    /** The user as Entra ID has them now; undefined when Graph no longer knows them. */
    async readUser(idOrUpn: string): Promise<EntraUser | undefined> {
      try {
        return await graph.getUser(idOrUpn);
      } catch (error) {
        if (error instanceof ApplicationFailure && error.type === GraphFailure.NotFound) return undefined;
        throw error;
      }
    },

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
      const managed = await listManagedUsers(visibilityOf(client), tenantId, {
        onProgress,
        ...(objectIds ? { filter: { objectIds } } : {}),
      });
      const ledger = linkTable(managed.values(), now);
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

    planLookedUp,

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
      const planned = lookups.map((lookup) => planLookedUp(ctx, lookup));
      if (ctx.wholeLedger || !planned.some(needsWholeLedger)) return { ctx, planned };
      const cached = await ledgers.get(visibilityOf(client), tenantId, onProgress);
      // The planned users' own entities were read just now: fresher than the cached ledger.
      replaceHolders(cached.numbers, ctx.managed.values(), ctx.now);
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

    decide: (planned: PlannedUser, guard: GuardVerdict): Decision =>
      decideForUser(planned.plan, planned.entry, planned.link, guard, policy),

    /** Sends the decision to the user's entity (signal-with-start / signal: a repeated send is harmless). */
    async dispatch(client: Client, target: DispatchTarget, objectId: string, decision: Decision) {
      if (decision.kind === 'ensure')
        await sendEnsure(
          client,
          { ...target, objectId, userPrincipalName: decision.desired.userPrincipalName },
          // One user: the lookup by email is cheap, and finds an extension the plan could not see.
          ensureRequest(target.syncRunId, decision.desired, decision.number, policy, { expectNew: false }),
        );
      if (decision.kind === 'offboard')
        await sendOffboard(
          client,
          target.tenantId,
          objectId,
          offboardRequest(target.syncRunId, decision.reason, policy),
        );
    },
  };
};

export type UserPlanner = ReturnType<typeof createUserPlanner>;
