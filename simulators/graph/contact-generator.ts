import type { ContactInput } from './mailboxes.js';
import type { Rng } from './random.js';
import { asciiSlug, COMPANIES, GIVEN, SURNAMES, TITLES } from './sample-data.js';

const RTL = /[\u0590-\u06ff]/;
const CJK = /[\u3040-\u9fff\uac00-\ud7af]/;
const RTL_GIVEN = GIVEN.filter((n) => RTL.test(n));
const RTL_SURNAMES = SURNAMES.filter((n) => RTL.test(n));
const CJK_GIVEN = GIVEN.filter((n) => CJK.test(n));
const CJK_SURNAMES = SURNAMES.filter((n) => CJK.test(n));

/** Numbers as people type them into Outlook: trunk prefixes, 00 instead of +, extensions, separators. */
function oddNumber(rng: Rng, n: number): string {
  const d3 = String(n % 1000).padStart(3, '0');
  const d4 = String(n % 10_000).padStart(4, '0');
  return rng.pick([
    `+49 (0)30 1234-${d3}`,
    `0049 30 1234${d4}`,
    `+1 (425) 555-${d4} ext. ${(n % 90) + 10}`,
    `+44 20 7946 0${d3}`,
    `030/1234 5${d3}`,
    `+1-425-555-${d4}`,
    `0171 55${d4}`,
    `+81 3-1234-${d4}`,
    `+972-3-555-${d4}`,
    `+41 44 668 ${d3.slice(0, 2)} ${d3.slice(1)}`,
  ]);
}

function person(rng: Rng, given: readonly string[], surnames: readonly string[], n: number): ContactInput {
  const givenName = rng.pick(given);
  const surname = rng.pick(surnames);
  const cjk = CJK.test(givenName + surname);
  const company = rng.pick(COMPANIES);
  return {
    displayName: cjk ? `${surname}${givenName}` : `${givenName} ${surname}`,
    givenName,
    surname,
    companyName: company,
    jobTitle: rng.chance(0.5) ? rng.pick(TITLES) : null,
    businessPhones: [oddNumber(rng, n)],
    emailAddresses: [
      {
        name: cjk ? `${surname}${givenName}` : `${givenName} ${surname}`,
        address: `${asciiSlug(givenName) || 'contact'}.${n}@${asciiSlug(company)}.example`,
      },
    ],
  };
}

/** Each shape is one kind of mess a contacts sync must survive; a batch cycles through all of them. */
const SHAPES: ((rng: Rng, n: number) => ContactInput)[] = [
  (rng, n) => person(rng, GIVEN, SURNAMES, n),
  (rng, n) => ({
    ...person(rng, GIVEN, SURNAMES, n),
    businessPhones: [oddNumber(rng, n), oddNumber(rng, n + 1), oddNumber(rng, n + 2)],
  }),
  (rng, n) => ({
    ...person(rng, GIVEN, SURNAMES, n),
    businessPhones: [],
    homePhones: [oddNumber(rng, n + 3), oddNumber(rng, n + 4)],
    mobilePhone: oddNumber(rng, n + 5),
  }),
  (rng, n) => ({ ...person(rng, GIVEN, SURNAMES, n), businessPhones: [] }),
  (rng, n) => ({ displayName: `${rng.pick(GIVEN)} ${rng.pick(SURNAMES)}`, mobilePhone: oddNumber(rng, n) }),
  (rng, n) => person(rng, RTL_GIVEN, RTL_SURNAMES, n),
  (rng, n) => person(rng, CJK_GIVEN, CJK_SURNAMES, n),
  (rng, n) => {
    const company = rng.pick(COMPANIES);
    return { displayName: company, companyName: company, businessPhones: [oddNumber(rng, n)] };
  },
  (rng, n) => {
    const same = oddNumber(rng, n);
    return { ...person(rng, GIVEN, SURNAMES, n), businessPhones: [same], mobilePhone: same };
  },
];

/** How many contacts in a row cover every kind of mess. */
export const CONTACT_SHAPES = SHAPES.length;

/**
 * `count` deterministic messy contacts: several numbers of one kind, none at all, a displayName only,
 * RTL and CJK names, company-only entries and odd number formats. Any `CONTACT_SHAPES` in a row cover all.
 */
export function messyContacts(rng: Rng, count: number): ContactInput[] {
  return Array.from({ length: count }, (_, i) =>
    (SHAPES[i % SHAPES.length] as (typeof SHAPES)[number])(rng, i),
  );
}
