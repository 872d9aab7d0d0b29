import type { RequestCtx } from './context.js';
import { GraphHttpError } from './http.js';

export const USER_READ = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
export const GROUP_READ = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
];
export const CONTACTS_READ = ['Contacts.Read', 'Contacts.ReadWrite'];
export const PRESENCE_READ = ['Presence.Read.All', 'Presence.ReadWrite.All'];

export function hasRole(ctx: RequestCtx, accepted: readonly string[]): boolean {
  return ctx.caller.roles.some((r) => accepted.includes(r));
}

/** Directory resources answer `Authorization_RequestDenied`, Outlook resources `ErrorAccessDenied` (§7). */
export function requireRole(ctx: RequestCtx, accepted: readonly string[], outlook = false): void {
  if (hasRole(ctx, accepted)) return;
  throw outlook
    ? new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.')
    : new GraphHttpError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
}
