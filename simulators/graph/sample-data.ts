import type { Rng } from './random.js';

/** Names, numbers and text shared by the tenant and contact generators: unicode, RTL and CJK on purpose. */

export const GIVEN = [
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
export const SURNAMES = [
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
export const TITLES = [
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
export const COMPANIES = [
  'Fabrikam',
  'Northwind Traders',
  'Tailspin Toys',
  'Wide World Importers',
  'Contoso Pharmaceuticals',
  'Ñandú Logística',
];

/** Generated timestamps count from here, so a seed always gives the same tenant. */
export const BASE_TIME = Date.UTC(2020, 0, 1);

/** Lower-case ASCII letters and digits only, for mail addresses made from names. */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

export function phone(rng: Rng, i: number): string {
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
