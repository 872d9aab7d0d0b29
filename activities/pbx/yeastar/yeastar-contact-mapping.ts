/** Neutral contact shapes ↔ Yeastar company contacts: the write shape differs from the read shape. */
import type { PbxContact, PbxContactNumberKind } from '../pbx-phonebooks.js';
import { refId, text } from './yeastar-mapping.js';

type Row = Record<string, unknown>;

/** Contact number kinds: neutral kind → [num_type written, row field read]. */
export const CONTACT_NUMBER: Record<PbxContactNumberKind, [string, string]> = {
  business: ['business_number', 'business'],
  business2: ['business_number2', 'business2'],
  businessFax: ['business_fax', 'business_fax'],
  mobile: ['mobile_number', 'mobile'],
  mobile2: ['mobile_number2', 'mobile2'],
  home: ['home_number', 'home'],
  home2: ['home_number2', 'home2'],
  homeFax: ['home_fax', 'home_fax'],
  other: ['other_number', 'other'],
};

/** The sync marks contacts it owns by storing its source key in `remark`. */
const REMARK_PREFIX = 'entra-pbx-sync:';
export const remarkFor = (sourceKey: string): string => `${REMARK_PREFIX}${sourceKey}`;

export function numberList(numbers: PbxContact['numbers']): Array<{ num_type: string; number: string }> {
  return Object.entries(numbers)
    .filter(([, n]) => n)
    .map(([kind, number]) => ({
      num_type: CONTACT_NUMBER[kind as PbxContactNumberKind][0],
      number: number as string,
    }));
}

export function contactFromRow(r: Row): PbxContact {
  const numbers: PbxContact['numbers'] = {};
  for (const [kind, [, field]] of Object.entries(CONTACT_NUMBER)) {
    const n = text(r[field]);
    if (n) numbers[kind as PbxContactNumberKind] = n;
  }
  const remark = text(r.remark);
  const c: PbxContact = {
    id: String(r.id),
    displayName: text(r.contact_name) ?? '',
    numbers,
    phonebookIds: Array.isArray(r.phonebook_list)
      ? r.phonebook_list.map(refId).filter((x): x is string => !!x)
      : [],
  };
  const company = text(r.company);
  const email = text(r.email);
  if (company) c.company = company;
  if (email) c.email = email;
  if (remark?.startsWith(REMARK_PREFIX)) c.sourceKey = remark.slice(REMARK_PREFIX.length);
  return c;
}
