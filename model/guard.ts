/** The safety rail in front of offboarding: an incomplete source read or a mass offboarding is held. */
import type { OffboardingPolicy } from './policy.js';
import type { SyncPlan } from './sync-plan.js';

export interface SourceTotals {
  /** False when any page of users or groups failed or the read was cut short. */
  sourceComplete: boolean;
  /** Users with an extension managed by the sync before this run (the link count). */
  managedUsers: number;
}

export type GuardReason =
  'nothing-to-offboard' | 'within-threshold' | 'source-incomplete' | 'above-threshold';

export interface GuardVerdict {
  allowed: boolean;
  /** True when an operator's approval may release the offboarding; false when nothing may. */
  needsApproval: boolean;
  reason: GuardReason;
  message: string;
  /** Everyone the plan would disable or delete: "name (ext N, reason)". */
  wouldOffboard: string[];
}

/**
 * Disables and deletes count alike: a delete is usually the end of an offboarding that passed this guard when
 * it was disabled, but one planned for an extension missing from the PBX skips the disable, so counting only
 * disables would let an empty PBX read delete everyone who also left Entra ID without anybody's approval.
 */
export function offboardingGuard(
  plan: Pick<SyncPlan, 'disables' | 'deletes'>,
  totals: SourceTotals,
  policy: OffboardingPolicy,
): GuardVerdict {
  const wouldOffboard = [...plan.disables, ...plan.deletes].map(
    (o) => `${o.name} (ext ${o.number}, ${o.reason})`,
  );
  const verdict = (allowed: boolean, needsApproval: boolean, reason: GuardReason, message: string) => ({
    allowed,
    needsApproval,
    reason,
    message,
    wouldOffboard,
  });
  const count = wouldOffboard.length;
  if (count === 0) return verdict(true, false, 'nothing-to-offboard', 'nobody to offboard');
  if (!totals.sourceComplete) {
    return verdict(
      false,
      false,
      'source-incomplete',
      `the directory read did not complete: nobody is offboarded in this run (${count} would have been)`,
    );
  }
  const percent = totals.managedUsers > 0 ? (count / totals.managedUsers) * 100 : 100;
  if (count > policy.maxCount || percent > policy.maxPercent) {
    return verdict(
      false,
      true,
      'above-threshold',
      `this run would offboard ${count} of ${totals.managedUsers} managed users ` +
        `(disable ${plan.disables.length}, delete ${plan.deletes.length}): ${Math.round(percent)} %, ` +
        `above the limit of ${policy.maxCount} users or ${policy.maxPercent} %: waiting for an operator's approval`,
    );
  }
  return verdict(true, false, 'within-threshold', `${count} offboarding(s) within the limits`);
}
