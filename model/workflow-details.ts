/**
 * One-line, human summaries that workflows show in the Temporal UI (static summary at start, current
 * details kept current): the list of `user/<tenant>/<object id>` rows then says who each row is.
 */
import type { PlanSummary } from './summary.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Only the non-zero counts, in the order an operator reads them. */
function counts(parts: [number, string][]): string {
  return parts
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`)
    .join(', ');
}

export const fullSyncSummary = (tenantId: string, dryRun: boolean) =>
  `${dryRun ? 'Dry run' : 'Full sync'} of tenant ${tenantId}`;

export const directoryWatcherSummary = (tenantId: string) => `Directory watcher of tenant ${tenantId}`;

export interface FullSyncDetailsInput {
  phase: string;
  dryRun: boolean;
  plan?: Pick<PlanSummary, 'counts'>;
  dispatched?: number;
  decision?: { approved: boolean; by: string };
  convergence?: { applied: number; failed: readonly unknown[]; unconfirmed: number };
  groups?: { created: number; updated: number; deleted: number };
}

export function fullSyncDetails(progress: FullSyncDetailsInput): string {
  const parts = [progress.dryRun ? `${progress.phase} (dry run)` : progress.phase];
  const c = progress.plan?.counts;
  if (c) {
    const planned = counts([
      [c.creates, 'to create'],
      [c.updates, 'to update'],
      [c.adoptions, 'to adopt'],
      [c.disables + c.deletes, 'to offboard'],
      [c.errors, 'bad input'],
    ]);
    parts.push(planned || `${c.unchanged} unchanged`);
  }
  if (progress.decision)
    parts.push(
      `offboarding ${progress.decision.approved ? 'approved' : 'rejected'} by ${progress.decision.by}`,
    );
  const done = progress.convergence;
  if (done)
    parts.push(
      counts([
        [done.applied, 'applied'],
        [done.failed.length, 'failed'],
        [done.unconfirmed, 'unconfirmed'],
      ]) || 'nothing to apply',
    );
  const groups = progress.groups;
  if (groups) {
    const changed = counts([
      [groups.created, 'created'],
      [groups.updated, 'updated'],
      [groups.deleted, 'deleted'],
    ]);
    if (changed) parts.push(`extension groups ${changed}`);
  }
  return parts.join(' · ');
}

export interface WatcherDetailsInput {
  phase: string;
  rounds: number;
  changesApplied: number;
  cursorAt?: string;
  lastError?: { at: string; message: string };
  owedFullSync?: { reason: string; failures: number };
}

export function directoryWatcherDetails(state: WatcherDetailsInput): string {
  const parts = [state.phase, plural(state.rounds, 'round'), `${state.changesApplied} changes applied`];
  if (state.cursorAt) parts.push(`current as of ${state.cursorAt}`);
  if (state.owedFullSync)
    parts.push(
      `full sync owed (${state.owedFullSync.reason}${state.owedFullSync.failures ? `, ${plural(state.owedFullSync.failures, 'failure')}` : ''})`,
    );
  if (state.lastError) parts.push(`last error ${state.lastError.at}: ${state.lastError.message}`);
  return parts.join(' · ');
}

export const userSummary = (userPrincipalName: string) => `User ${userPrincipalName}`;

export interface UserDetailsInput {
  userPrincipalName: string;
  displayName?: string;
  phase: string;
  link?: { number: string };
  heldNumber?: string;
  waitingUntil?: string;
  lastError?: string;
}

const MAX_ERROR_CHARS = 120;

export function userDetails(user: UserDetailsInput): string {
  const parts = user.displayName ? [user.displayName, user.userPrincipalName] : [user.userPrincipalName];
  const number = user.link?.number ?? user.heldNumber;
  if (number) parts.push(`ext ${number}`);
  parts.push(user.waitingUntil ? `${user.phase} until ${user.waitingUntil}` : user.phase);
  if (user.lastError)
    parts.push(
      user.lastError.length > MAX_ERROR_CHARS
        ? `${user.lastError.slice(0, MAX_ERROR_CHARS - 1)}…`
        : user.lastError,
    );
  return parts.join(' · ');
}
