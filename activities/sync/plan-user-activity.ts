import { Context } from '@temporalio/activity';
import type { ManagedUser, PlanUserInput, UserPlan } from '../../contracts/index.js';
import { describeDecision } from '../../model/index.js';
import { createUserPlanner, type UserPlannerDeps } from './user-planner.js';

function findManaged(managed: ReadonlyMap<string, ManagedUser>, idOrUpn: string): ManagedUser | undefined {
  const key = idOrUpn.toLowerCase();
  return managed.get(idOrUpn) ?? [...managed.values()].find((u) => u.userPrincipalName.toLowerCase() === key);
}

/** `user resync`: planning and dispatch for one Entra user, the way a full sync does it for all of them. */
export const createPlanUserActivity = (deps: UserPlannerDeps) => {
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
        detail: describeDecision(decision, entry),
        ...(number ? { number } : {}),
        changes: decision.kind === 'ensure' ? decision.changes : [],
        errors: plan.errors.map((e) => e.reason),
        notes: plan.notes.map((n) => n.reason),
        dispatched: !input.dryRun && decision.kind !== 'none',
      };
    },
  };
};
