/** How a full sync's plan and progress read on a terminal. */
import type { FullSyncProgress } from '../contracts/index.js';
import type { PlanSummary } from '../model/index.js';
import { plural, printable } from './output.js';

const COUNT_LABELS: [keyof PlanSummary['counts'], string][] = [
  ['creates', 'to create'],
  ['updates', 'to update'],
  ['adoptions', 'to adopt'],
  ['disables', 'to disable'],
  ['deletes', 'to delete'],
  ['unchanged', 'unchanged'],
  ['waitingForGrace', 'disabled, in grace period'],
  ['errors', 'with errors'],
  ['notes', 'with notes'],
  ['extensionGroupCreates', 'extension groups to create'],
  ['extensionGroupUpdates', 'extension groups to update'],
  ['extensionGroupDeletes', 'extension groups to delete'],
  ['extensionGroupsSkipped', 'extension groups skipped'],
  ['organizationsToCreate', 'organizations to create'],
];

const SAMPLE_LABELS: [keyof PlanSummary['samples'], keyof PlanSummary['counts'], string][] = [
  ['creates', 'creates', 'create'],
  ['updates', 'updates', 'update'],
  ['adoptions', 'adoptions', 'adopt'],
  ['disables', 'disables', 'disable'],
  ['deletes', 'deletes', 'delete'],
  ['skippedGroups', 'extensionGroupsSkipped', 'skipped'],
];

/** Problems shown per kind unless `--verbose` (which shows every sampled user). */
const PROBLEMS_SHOWN = 3;

export interface OutputOptions {
  /** Every sampled user of every problem kind, not only the first few. */
  verbose?: boolean;
}

/** "10 users share an email with another user", then one short line per user (a few, or all with verbose). */
function formatProblems(summary: PlanSummary, { verbose = false }: OutputOptions): string[] {
  if (!summary.problems?.length) return [];
  const lines = [
    `problems: ${summary.problems.map((p) => `${plural(p.count, 'user')} ${p.kind}`).join('; ')}`,
  ];
  for (const problem of summary.problems) {
    const shown = verbose ? problem.samples : problem.samples.slice(0, PROBLEMS_SHOWN);
    lines.push(`  ${problem.kind} (${problem.count})`);
    lines.push(...shown.map((line) => `    ${printable(line)}`));
    const more = problem.count - shown.length;
    if (more > 0) lines.push(`    … and ${more} more${verbose ? '' : ' (--verbose shows more, --json all)'}`);
  }
  return lines;
}

/**
 * Counts on one line (the first six always, the rest when not zero), then the sampled users per kind, then the
 * problems by kind; `omit` leaves out samples shown elsewhere (the full list of a held offboarding).
 */
export function formatPlan(
  summary: PlanSummary,
  omit: (keyof PlanSummary['samples'])[] = [],
  options: OutputOptions = {},
): string {
  const counts = COUNT_LABELS.filter(([key], i) => i < 6 || summary.counts[key] > 0).map(
    ([key, label]) => `${summary.counts[key]} ${label}`,
  );
  const lines = [`plan: ${counts.join(', ')}`];
  for (const [sample, count, label] of SAMPLE_LABELS.filter(([sample]) => !omit.includes(sample))) {
    const items = summary.samples[sample];
    items.forEach((item, i) => lines.push(`  ${(i === 0 ? label : '').padEnd(8)} ${printable(item)}`));
    const more = summary.counts[count] - items.length;
    if (items.length > 0 && more > 0) lines.push(`  ${''.padEnd(8)} … and ${more} more`);
  }
  lines.push(...formatProblems(summary, options));
  return lines.join('\n');
}

/** `<phase>`, with the dry-run mark. */
export const phaseOf = (progress: FullSyncProgress): string =>
  `${progress.phase}${progress.dryRun ? ' (dry run: nothing written)' : ''}`;

/** The plan, a held offboarding with everyone it names, the operator's decision, and what was applied. */
export function describeProgress(progress: FullSyncProgress, options: OutputOptions = {}): string {
  const lines: string[] = [];
  const held = progress.guard && !progress.guard.allowed && progress.guard.wouldOffboard.length > 0;
  if (progress.plan) lines.push(formatPlan(progress.plan, held ? ['disables', 'deletes'] : [], options));
  const decision = progress.decision;
  if (decision) {
    const outcome = decision.approved ? 'these users are offboarded' : 'these users keep their extensions';
    lines.push(
      `offboarding ${decision.approved ? 'approved' : 'rejected'} by ${printable(decision.by)}` +
        `${decision.note ? ` (${printable(decision.note)})` : ''}: ${outcome}`,
    );
  } else if (held) {
    lines.push(`offboarding held: ${printable(progress.guard!.message)}`);
  }
  if (held) lines.push(...progress.guard!.wouldOffboard.map((name) => `  - ${printable(name)}`));
  const applied = progress.convergence;
  if (applied) {
    // Users with bad input were reported on their entity and listed under problems: each problem once.
    const reported = new Set(
      (progress.plan?.problems ?? []).flatMap((p) => p.samples.map((line) => line.split(': ')[0])),
    );
    const failed = applied.failed.filter((f) => !reported.has(f.userPrincipalName));
    lines.push(
      `applied: ${applied.applied} of ${plural(applied.expected, 'user')}` +
        (failed.length > 0 ? `, ${failed.length} failed` : '') +
        (applied.unconfirmed > 0 ? `, ${applied.unconfirmed} not confirmed yet` : ''),
    );
    lines.push(...failed.map((f) => `  failed   ${printable(f.userPrincipalName)}: ${printable(f.error)}`));
  }
  const groups = progress.groups;
  if (groups) {
    lines.push(
      `extension groups: ${groups.created} created, ${groups.updated} updated, ${groups.deleted} deleted, ${groups.unchanged} unchanged`,
    );
    lines.push(...groups.skipped.map((s) => `  skipped  ${printable(s)}`));
  }
  return lines.join('\n');
}
