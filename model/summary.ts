/** A small, bounded digest of a plan for a workflow result, a query or the CLI. */
import type { FieldChange } from './extension-diff.js';
import { groupProblems, type ProblemGroup } from './problem-kinds.js';
import type { PlannedOffboard, SyncPlan } from './sync-plan.js';

export interface PlanSummary {
  counts: {
    creates: number;
    updates: number;
    adoptions: number;
    disables: number;
    deletes: number;
    unchanged: number;
    waitingForGrace: number;
    errors: number;
    notes: number;
    extensionGroupCreates: number;
    extensionGroupUpdates: number;
    extensionGroupDeletes: number;
    extensionGroupsSkipped: number;
    organizationsToCreate: number;
  };
  /** The first `sampleSize` items of each list, one line each. */
  samples: {
    creates: string[];
    updates: string[];
    adoptions: string[];
    disables: string[];
    deletes: string[];
    errors: string[];
    skippedGroups: string[];
  };
  /** The errors by kind (counts per kind; a few short lines each): what operators read first. */
  problems: ProblemGroup[];
}

export function planSummary(plan: SyncPlan, sampleSize = 5): PlanSummary {
  const first = <T>(items: readonly T[], line: (item: T) => string) => items.slice(0, sampleSize).map(line);
  const fields = (changes: readonly FieldChange[]) => changes.map((c) => c.field).join(', ');
  const offboard = (o: PlannedOffboard) => `${o.name}: ext ${o.number} (${o.reason})`;
  const groups = plan.groupChanges?.extensionGroups;
  return {
    counts: {
      creates: plan.creates.length,
      updates: plan.updates.length,
      adoptions: plan.adoptions.length,
      disables: plan.disables.length,
      deletes: plan.deletes.length,
      unchanged: plan.unchanged,
      waitingForGrace: plan.waitingForGrace,
      errors: plan.errors.length,
      notes: plan.notes.length,
      extensionGroupCreates: groups?.creates.length ?? 0,
      extensionGroupUpdates: groups?.updates.length ?? 0,
      extensionGroupDeletes: groups?.deletes.length ?? 0,
      extensionGroupsSkipped: groups?.skipped.length ?? 0,
      organizationsToCreate: plan.groupChanges?.organizationsToCreate.length ?? 0,
    },
    samples: {
      creates: first(plan.creates, (c) => `${c.extension.userPrincipalName}: ext ${c.number}`),
      updates: first(plan.updates, (u) => `${u.userPrincipalName}: ext ${u.number} (${fields(u.changes)})`),
      adoptions: first(plan.adoptions, (a) => `${a.userPrincipalName}: ext ${a.number} (by email)`),
      disables: first(plan.disables, offboard),
      deletes: first(plan.deletes, offboard),
      errors: first(plan.errors, (e) => e.reason),
      skippedGroups: first(groups?.skipped ?? [], (s) => `${s.name}: ${s.reason}`),
    },
    problems: groupProblems(plan.errors, sampleSize),
  };
}
