import { PBX_FAILURE, pbxFailure } from '../errors.js';
import {
  PBX_PRESENCE,
  type PbxContact,
  type PbxContactNumberKind,
  type PbxExtension,
  type PbxExtensionPatch,
  type PbxExtensionSummary,
  type PbxPresence,
} from '../directory.js';
import type { ResolvedYeastarOptions } from './options.js';

/** Neutral shapes ↔ Yeastar read shapes (list row, detail) and write shape. */
type Row = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const presence = (v: unknown): PbxPresence | undefined =>
  (PBX_PRESENCE as readonly unknown[]).includes(v) ? (v as PbxPresence) : undefined;
const flag = (v: unknown): boolean | undefined =>
  v === undefined || v === null ? undefined : v === 1 || v === '1' || v === true || v === 'on' || v === 'yes';

/** Organization_Info / Member_info: `{"value":"5"}` or `{"id":5}` (UNCONFIRMED) — read either. */
export function refId(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { id, value } = item as { id?: unknown; value?: unknown };
  const v = id ?? value;
  return typeof v === 'number' || (typeof v === 'string' && v !== '') ? String(v) : undefined;
}

/** Written with both keys so either variant of the PBX finds its own. */
export const ref = (id: string) => ({ value: id, id: Number(id) });

export const extensionLabel = (number: string | undefined, email?: string, id?: string): string =>
  `extension ${number ?? `#${id}`}${email ? ` (${email})` : ''}`;

export function extensionFromDetail(d: Row, o: ResolvedYeastarOptions): PbxExtension {
  const firstName = text(d.first_name) ?? '';
  const lastName = text(d.last_name) ?? '';
  const ext: PbxExtension = {
    id: String(d.id),
    number: String(d.number),
    firstName,
    lastName,
    displayName: text(d.caller_id_name) ?? [firstName, lastName].filter(Boolean).join(' '),
    organizationIds: Array.isArray(d.organization_list)
      ? d.organization_list.map(refId).filter((x): x is string => x !== undefined)
      : [],
  };
  const optional: Partial<PbxExtension> = {
    email: text(d.email_addr),
    mobile: text(d.mobile_number),
    title: text(d.title),
    presence: presence(d.presence_status),
    enabled: o.extensionEnabledField ? flag(d[o.extensionEnabledField]) : undefined,
    linkusEnabled: o.linkusEnabledField ? flag(d[o.linkusEnabledField]) : undefined,
    ssoIdentity: text(d[o.ssoIdentityField]),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (ext as unknown as Row)[k] = v;
  return ext;
}

export function summaryFromRow(r: Row): PbxExtensionSummary {
  const s: PbxExtensionSummary = {
    id: String(r.id),
    number: String(r.number),
    displayName: text(r.caller_id_name) ?? '',
  };
  const email = text(r.email_addr);
  const mobile = text(r.mobile_number);
  const p = presence(r.presence_status);
  if (email) s.email = email;
  if (mobile) s.mobile = mobile;
  if (p) s.presence = p;
  return s;
}

/** The write shape of the neutral fields present in `patch`. */
export function extensionBody(patch: PbxExtensionPatch, o: ResolvedYeastarOptions, label: string): Row {
  const body: Row = {};
  const put = (field: string, v: unknown) => {
    if (v !== undefined) body[field] = v;
  };
  put('number', patch.number);
  put('first_name', patch.firstName);
  put('last_name', patch.lastName);
  put('email_addr', patch.email);
  put('mobile_number', patch.mobile);
  put('title', patch.title);
  put('presence_status', patch.presence);
  if (patch.organizationIds) body.organization_list = patch.organizationIds.map(ref);
  if (patch.linkusEnabled !== undefined && o.linkusEnabledField)
    body[o.linkusEnabledField] = patch.linkusEnabled ? 1 : 0;
  if (patch.ssoIdentity !== undefined) {
    const clash = body[o.ssoIdentityField] !== undefined && body[o.ssoIdentityField] !== patch.ssoIdentity;
    if (clash) {
      throw pbxFailure(
        PBX_FAILURE.VALIDATION,
        `${label}: SSO identity must equal ${o.ssoIdentityField} on this PBX`,
        {
          object: label,
          operation: 'extension write',
          fields: [o.ssoIdentityField],
        },
      );
    }
    body[o.ssoIdentityField] = patch.ssoIdentity;
  }
  return body;
}

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
