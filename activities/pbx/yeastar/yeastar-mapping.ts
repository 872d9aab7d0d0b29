import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import { EXTENSION_PRESENCES, type ExtensionPresence } from '../../../model/index.js';
import type { PbxExtension, PbxExtensionPatch, PbxExtensionSummary } from '../pbx-directory.js';
import type { ResolvedYeastarOptions } from './yeastar-options.js';

/** Neutral shapes ↔ Yeastar read shapes (list row, detail) and write shape. */
type Row = Record<string, unknown>;

export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** The Open API's presence_status values are spelled like the sync's own presences. */
const presence = (v: unknown): ExtensionPresence | undefined =>
  (EXTENSION_PRESENCES as readonly unknown[]).includes(v) ? (v as ExtensionPresence) : undefined;
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
        PbxFailure.Validation,
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
