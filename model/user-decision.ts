/** What one user's plan asks of their entity, and the readable line that says why. */
import type { GuardVerdict } from './guard.js';
import type { SyncPolicy } from './policy.js';
import type { OffboardReason, SyncPlan } from './sync-plan.js';
import type { DesiredExtension, DirectoryEntry, ExtensionLink, ExtensionNumber } from './types.js';

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

/** Why the directory keeps this user from having an extension. */
export function whyNotInScope(entry: DirectoryEntry | undefined): string {
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

/**
 * A plan made for one user (see `planChanges`) turned into one request for their entity. An in-scope user
 * with an unchanged extension is applied again (`reapply`); an offboarding is sent only when the guard lets
 * it through.
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
  const none = (detail: string): Decision => ({ kind: 'none', detail });
  if (offboard) return none(`would ${action} extension ${offboard.number}, but held: ${guard.message}`);
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

/** One readable line: what the decision does and why. */
export function describeDecision(decision: Decision, entry: DirectoryEntry | undefined): string {
  if (decision.kind === 'none') return decision.detail;
  if (decision.kind === 'offboard')
    return `${decision.action} extension ${decision.number}: ${whyNotInScope(entry)}`;
  const changed = decision.changes.join(', ');
  switch (decision.action) {
    case 'create':
      return `create extension ${decision.number}`;
    case 'update':
      return `update extension ${decision.number}: ${changed}`;
    case 'adopt':
      return `adopt extension ${decision.number}${changed ? ` and update ${changed}` : ''}`;
    case 'reapply':
      return `extension ${decision.number} matches Entra ID; apply it again`;
  }
}
