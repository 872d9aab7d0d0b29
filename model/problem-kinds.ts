/** Per-user problems grouped by kind, for output an operator can read: counts first, one short line per user. */
import type { UserIssue } from './types.js';

/** `field` and a pattern of the reason → what the users of this kind have in common (after "N users"). */
const KINDS: [field: string, pattern: RegExp, kind: string][] = [
  ['email', /is also the email of/, 'share an email with another user'],
  ['email', /already used by|already uses it/, 'have an email another extension holds'],
  ['email', /is empty/, 'have no email'],
  ['email', /./, 'have an email the PBX cannot take'],
  ['firstName', /./, 'have no name the PBX accepts'],
  ['number', /./, 'have an extension number that cannot be used'],
  ['mobile', /./, 'have a mobile number the PBX cannot take'],
];

/** Longest line a problem gets in text output (the full reason is in `--json` and `user show`). */
const MAX_LINE = 140;

export function problemKind(issue: Pick<UserIssue, 'field' | 'reason'>): string {
  const kind = KINDS.find(([field, pattern]) => field === issue.field && pattern.test(issue.reason));
  return kind?.[2] ?? `have a problem with ${issue.field ?? 'their data'}`;
}

/** `upn: reason`, without the "upn (object id): " every reason starts with, cut to one terminal line. */
export function problemLine(issue: Pick<UserIssue, 'objectId' | 'userPrincipalName' | 'reason'>): string {
  const prefix = `${issue.userPrincipalName} (${issue.objectId}): `;
  const reason = issue.reason.startsWith(prefix) ? issue.reason.slice(prefix.length) : issue.reason;
  const line = `${issue.userPrincipalName}: ${reason}`;
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 1)}…`;
}

export interface ProblemGroup {
  kind: string;
  /** Users with a problem of this kind (each user counted once per kind). */
  count: number;
  /** One line per user, the first `sampleSize`. */
  samples: string[];
}

/** Users' problems by kind, the most common first; a user with two problems of one kind counts once. */
export function groupProblems(issues: readonly UserIssue[], sampleSize: number): ProblemGroup[] {
  const groups = new Map<string, { users: Set<string>; samples: string[] }>();
  for (const issue of issues) {
    const kind = problemKind(issue);
    const group = groups.get(kind) ?? { users: new Set<string>(), samples: [] };
    groups.set(kind, group);
    if (group.users.has(issue.objectId)) continue;
    group.users.add(issue.objectId);
    if (group.samples.length < sampleSize) group.samples.push(problemLine(issue));
  }
  return [...groups]
    .map(([kind, { users, samples }]) => ({ kind, count: users.size, samples }))
    .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}
