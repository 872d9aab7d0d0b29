import type { SimContact, SimContactFolder, SimGroup, SimPresence, SimUser } from './model.js';
import { blankUser } from './model.js';
import type { TenantSnapshot } from './tenant.js';

export interface GenerateOptions {
  users: number;
  seed?: number;
  domain?: string;
}

const GIVEN = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Émilie',
  'François',
  'Grace',
  'Hannah',
  'Ivan',
  'Jürgen',
  'Kai',
  'Léa',
  'Mateo',
  'Nora',
  'Øyvind',
  'Paul',
  'Quinn',
  'Rosa',
  'Søren',
  'Tomás',
  'Ursula',
  'Victor',
  'Wei',
  'Ximena',
  'Yuki',
  'Zoë',
  'Łukasz',
  'Ángel',
  'Siobhán',
  'Nguyễn',
  'José',
  'Maria',
  'Ahmed',
  'Priya',
  'Olga',
  'Dmitri',
  'محمد',
  'فاطمة',
  'يوسف',
  'דוד',
  'שרה',
  'Αλέξανδρος',
  'Ελένη',
  'Иван',
  'Анна',
  '太郎',
  '花子',
  '伟',
  '芳',
  '민준',
  '서연',
];
const SURNAMES = [
  'Smith',
  'Müller',
  'García',
  'Rossi',
  'Dubois',
  "O'Brien",
  'van der Berg',
  'Nakamura',
  'Kowalski',
  'Johansson',
  'Fernández-López',
  'Nguyen',
  'Okafor',
  'Svensson',
  'Østergaard',
  'Łukaszewicz',
  'Çelik',
  'Ólafsdóttir',
  'Ng',
  'Li',
  'العلي',
  'حداد',
  'כהן',
  'לוי',
  'Παπαδόπουλος',
  'Иванова',
  '山田',
  '王',
  '김',
  'Da Silva Santos',
];
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
const TITLES = [
  'Engineer',
  'Manager',
  'Sales Representative',
  'Support Agent',
  'Analyst',
  'Director',
  'Receptionist',
  'Intern',
  'Consultant',
  'Team Lead',
];
const LONG_TITLE =
  'Senior Principal Vice President of Strategic Cross-Functional Enterprise Telephony Transformation and Unified Communications Excellence';
const OFFICES = ['Seattle', 'London', 'Zürich', 'São Paulo', 'Tel Aviv', 'Tokyo', 'Remote', null];
const LANGUAGES = ['en-US', 'de-DE', 'fr-FR', 'ar-SA', 'he-IL', 'ja-JP', 'es-ES', null];
const PRESENCE: SimPresence[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InACall' },
  { availability: 'Busy', activity: 'InAMeeting' },
  { availability: 'DoNotDisturb', activity: 'Presenting' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Offline', activity: 'OffWork' },
  { availability: 'AvailableIdle', activity: 'Inactive' },
];
const SHARED_MAILBOXES = [
  'Reception',
  'Sales Desk',
  'Help Desk',
  'Front Office',
  'Facilities',
  'Accounts Payable',
];
const COMPANIES = [
  'Fabrikam',
  'Northwind Traders',
  'Tailspin Toys',
  'Wide World Importers',
  'Contoso Pharmaceuticals',
  'Ñandú Logística',
];

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(private readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16));
    hex[12] = '4';
    hex[16] = ((this.int(4) + 8) as number).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  outlookId(): string {
    return 'AAMk' + Buffer.from(Array.from({ length: 24 }, () => this.int(256))).toString('base64url');
  }
}

function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function phone(rng: Rng, i: number): string {
  const n = String(1000 + (i % 9000)).padStart(4, '0');
  return rng.pick([
    `+1 425 555 ${n}`,
    `(425) 555-${n}`,
    `+44 20 7946 ${n.slice(0, 3)}`,
    `+49 (0)30 1234${n}`,
    `0171 55${n}`,
    `+972-3-555-${n}`,
  ]);
}

const BASE_TIME = Date.UTC(2020, 0, 1);

/**
 * A deterministic tenant with real-world mess: unicode and RTL names, missing and duplicate mail, very
 * long titles, guests, disabled accounts, nested groups, shared mailboxes with contacts.
 */
export function generateTenant(options: GenerateOptions): TenantSnapshot {
  const count = Math.max(1, Math.min(100_000, Math.floor(options.users)));
  const rng = new Rng(prng(options.seed ?? 42));
  const domain = options.domain ?? 'contoso.onmicrosoft.com';
  const users: SimUser[] = [];
  const presence: Record<string, SimPresence> = {};
  const usedMail: string[] = [];
  const sharedCount = Math.min(SHARED_MAILBOXES.length * 10, Math.max(1, Math.round(count / 500)));

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
    if (user.accountEnabled && !guest) presence[user.id] = rng.pick(PRESENCE);
  }

  const mailboxes: TenantSnapshot['mailboxes'] = [];
  for (let s = 0; s < sharedCount; s++) {
    const name = `${SHARED_MAILBOXES[s % SHARED_MAILBOXES.length] ?? 'Shared'}${s >= SHARED_MAILBOXES.length ? ` ${Math.floor(s / SHARED_MAILBOXES.length) + 1}` : ''}`;
    const slug = asciiSlug(name) + (s >= SHARED_MAILBOXES.length ? s : '');
    const user = baseUser(count + s, name, `${slug}@${domain}`);
    user.mail = `${slug}@contoso.example`;
    user.accountEnabled = false; // shared mailboxes have sign-in blocked
    users.push(user);
    mailboxes.push({ userId: user.id, folders: contactFolders(rng, s) });
  }

  return { users, groups: groups(rng, users, domain), mailboxes, presence };
}

function contactFolders(rng: Rng, index: number): (SimContactFolder & { contacts: SimContact[] })[] {
  const root = rng.outlookId();
  return ['Contacts', 'Suppliers'].map((displayName, f) => {
    const id = rng.outlookId();
    const contacts: SimContact[] = [];
    const n = 15 + rng.int(30);
    for (let c = 0; c < n; c++) {
      const given = rng.pick(GIVEN);
      const surname = rng.pick(SURNAMES);
      const company = rng.pick(COMPANIES);
      const stamp = new Date(BASE_TIME + (index * 100 + f * 50 + c) * 60_000).toISOString();
      contacts.push({
        id: rng.outlookId(),
        displayName: rng.chance(0.1) ? company : `${given} ${surname}`,
        givenName: given,
        surname,
        companyName: company,
        jobTitle: rng.chance(0.5) ? rng.pick(TITLES) : null,
        department: null,
        businessPhones: rng.chance(0.8) ? [phone(rng, c)] : [],
        homePhones: rng.chance(0.1) ? [phone(rng, c + 3)] : [],
        mobilePhone: rng.chance(0.5) ? phone(rng, c + 5) : null,
        emailAddresses: rng.chance(0.8)
          ? [
              {
                name: `${given} ${surname}`,
                address: `${asciiSlug(given) || 'contact'}${c}@${asciiSlug(company)}.example`,
              },
            ]
          : [],
        parentFolderId: id,
        createdDateTime: stamp,
        lastModifiedDateTime: stamp,
        changeKey: rng.outlookId().slice(4, 20),
      });
    }
    return { id, displayName, parentFolderId: root, contacts };
  });
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
