import { addMessyContacts, sharedMailboxFolders } from './mailbox-generator.js';
import { blankUser, type SimGroup, type SimPresence, type SimUser } from './model.js';
import { PRESENCE_PAIRS } from './presence-values.js';
import { Rng } from './random.js';
import { asciiSlug, BASE_TIME, COMPANIES, GIVEN, phone, SURNAMES, TITLES } from './sample-data.js';
import type { TenantSnapshot } from './tenant.js';

export interface GenerateOptions {
  users: number;
  seed?: number;
  domain?: string;
  /**
   * How many of the `users` are shared mailboxes (Reception, Suppliers, Customers, …). Default: one per 500
   * users, at least one. More than the default takes the places of the last ordinary users.
   */
  sharedMailboxes?: number;
}

const DEPARTMENTS = [
  'Sales',
  'Marketing',
  'Engineering',
  'Support',
  'Finance',
  'Human Resources',
  'Legal',
  'Operations',
  'Reception',
  'Research & Development',
  'Customer Success',
  'IT',
];
const LONG_TITLE =
  'Senior Principal Vice President of Strategic Cross-Functional Enterprise Telephony Transformation and Unified Communications Excellence';
const OFFICES = ['Seattle', 'London', 'Zürich', 'São Paulo', 'Tel Aviv', 'Tokyo', 'Remote', null];
const LANGUAGES = ['en-US', 'de-DE', 'fr-FR', 'ar-SA', 'he-IL', 'ja-JP', 'es-ES', null];
const SHARED_MAILBOXES = [
  'Reception',
  'Suppliers',
  'Customers',
  'Front Office',
  'Facilities',
  'Accounts Payable',
];
const MAX_SHARED_MAILBOXES = SHARED_MAILBOXES.length * 10;
/** Contacts are drawn from their own sequence, so adding contact data never shifts users or groups. */
const CONTACTS_SEED_SALT = 0x636f6e74;

/**
 * A deterministic tenant with real-world mess: unicode and RTL names, missing and duplicate mail, very
 * long titles, guests, disabled accounts, nested groups, shared mailboxes and a few users with messy contacts.
 */
export function generateTenant(options: GenerateOptions): TenantSnapshot {
  const count = Math.max(1, Math.min(100_000, Math.floor(options.users)));
  const seed = options.seed ?? 42;
  const rng = new Rng(seed);
  const domain = options.domain ?? 'contoso.onmicrosoft.com';
  const users: SimUser[] = [];
  const presence: Record<string, SimPresence> = {};
  const usedMail: string[] = [];
  const sharedCount = Math.min(
    count,
    MAX_SHARED_MAILBOXES,
    Math.max(0, Math.floor(options.sharedMailboxes ?? Math.max(1, Math.round(count / 500)))),
  );

  const baseUser = (i: number, displayName: string, upn: string): SimUser => ({
    ...blankUser(rng.uuid(), upn, displayName, new Date(BASE_TIME + i * 3_600_000).toISOString()),
    companyName: 'Contoso',
  });

  for (let i = 0; i < count - sharedCount; i++) {
    const given = rng.pick(GIVEN);
    const surname = rng.pick(SURNAMES);
    const rtlOrCjk = /[\u0590-\u06ff\u3040-\u9fff\uac00-\ud7af]/.test(given + surname);
    const slug = `${asciiSlug(given) || 'user'}.${asciiSlug(surname) || 'x'}${i}`;
    const guest = rng.chance(0.03);
    const upn = guest ? `${slug}_fabrikam.example#EXT#@${domain}` : `${slug}@${domain}`;
    const user = baseUser(
      i,
      rtlOrCjk && rng.chance(0.5) ? `${surname} ${given}` : `${given} ${surname}`,
      upn,
    );
    user.givenName = rng.chance(0.97) ? given : null;
    user.surname = rng.chance(0.97) ? surname : null;
    user.userType = guest ? 'Guest' : 'Member';
    user.accountEnabled = !rng.chance(0.04);
    if (guest) {
      user.mail = `${slug}@fabrikam.example`;
      user.otherMails = [user.mail];
      user.companyName = rng.pick(COMPANIES);
    } else if (rng.chance(0.015) && usedMail.length > 0) {
      user.mail = rng.pick(usedMail); // duplicate email, as found in real tenants
    } else if (!rng.chance(0.05)) {
      user.mail = `${slug}@contoso.example`;
      usedMail.push(user.mail);
      user.proxyAddresses = [`SMTP:${user.mail}`, `smtp:${slug}@${domain}`];
    }
    user.department = rng.chance(0.95) ? rng.pick(DEPARTMENTS) : null;
    user.jobTitle = rng.chance(0.02) ? LONG_TITLE : rng.chance(0.9) ? rng.pick(TITLES) : null;
    user.officeLocation = rng.pick(OFFICES);
    user.preferredLanguage = rng.pick(LANGUAGES);
    if (rng.chance(0.7)) user.businessPhones = [phone(rng, i)];
    if (rng.chance(0.6)) user.mobilePhone = phone(rng, i + 7);
    if (rng.chance(0.9)) user.employeeId = `E${String(i + 1).padStart(6, '0')}`;
    if (!guest && rng.chance(0.75)) {
      user.onPremisesExtensionAttributes['extensionAttribute1'] = String(rng.chance(0.01) ? 1000 : 1000 + i);
    }
    users.push(user);
    if (user.accountEnabled && !guest) presence[user.id] = rng.pick(PRESENCE_PAIRS);
  }

  const mailboxes: TenantSnapshot['mailboxes'] = [];
  for (let s = 0; s < sharedCount; s++) {
    const name = `${SHARED_MAILBOXES[s % SHARED_MAILBOXES.length] ?? 'Shared'}${s >= SHARED_MAILBOXES.length ? ` ${Math.floor(s / SHARED_MAILBOXES.length) + 1}` : ''}`;
    const slug = asciiSlug(name) + (s >= SHARED_MAILBOXES.length ? s : '');
    const user = baseUser(count + s, name, `${slug}@${domain}`);
    user.mail = `${slug}@contoso.example`;
    user.accountEnabled = false; // shared mailboxes have sign-in blocked
    users.push(user);
    mailboxes.push({ userId: user.id, folders: sharedMailboxFolders(rng, s) });
  }

  const members = users.filter((u) => u.accountEnabled && u.userType === 'Member');
  const personal = addMessyContacts(new Rng(seed ^ CONTACTS_SEED_SALT), mailboxes, members);
  return { users, groups: groups(rng, users, domain), mailboxes: [...mailboxes, ...personal], presence };
}

function groups(rng: Rng, users: SimUser[], domain: string): (SimGroup & { members: string[] })[] {
  const out: (SimGroup & { members: string[] })[] = [];
  const make = (
    displayName: string,
    kind: 'security' | 'm365' | 'distribution' | 'dynamic',
    members: string[],
  ) => {
    const nick = asciiSlug(displayName) || 'group';
    const mailEnabled = kind !== 'security' && kind !== 'dynamic';
    const group = {
      id: rng.uuid(),
      displayName,
      description: `${displayName} (generated)`,
      mail: mailEnabled ? `${nick}@${domain}` : null,
      mailEnabled,
      mailNickname: nick,
      securityEnabled: kind !== 'distribution',
      groupTypes: kind === 'm365' ? ['Unified'] : kind === 'dynamic' ? ['DynamicMembership'] : [],
      visibility: kind === 'm365' ? 'Private' : null,
      createdDateTime: new Date(BASE_TIME).toISOString(),
      deletedDateTime: null,
      members,
    };
    out.push(group);
    return group;
  };
  const people = users.filter((u) => u.userType === 'Member' && u.department !== null);
  const byDept = new Map<string, string[]>();
  for (const u of people) {
    const list = byDept.get(u.department ?? '') ?? [];
    list.push(u.id);
    byDept.set(u.department ?? '', list);
  }
  const deptGroups = DEPARTMENTS.map((d) => make(`Dept - ${d}`, 'security', byDept.get(d) ?? []));
  const emea = make(
    'Region EMEA',
    'security',
    deptGroups.slice(0, 3).map((g) => g.id),
  );
  make('All Staff', 'm365', [emea.id, ...deptGroups.slice(3).map((g) => g.id)]);
  make(
    'Phone Users',
    'security',
    people.filter(() => rng.chance(0.6)).map((u) => u.id),
  );
  make('Sales Announcements', 'distribution', byDept.get('Sales')?.slice(0, 50) ?? []);
  make('Engineers (dynamic)', 'dynamic', byDept.get('Engineering') ?? []);
  make(
    'Guests',
    'security',
    users.filter((u) => u.userType === 'Guest').map((u) => u.id),
  );
  make('Empty Group', 'security', []);
  return out;
}
