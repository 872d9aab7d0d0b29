import { ApiError, invalid, invalidParams, required, type DuplicateField } from './envelope.js';
import { int, intList, oneOf, paginate, paging, ref, refList, requireId, str, type Body } from './fields.js';
import { now, type Handler, type SimContext } from './context.js';
import { recordPresenceWrite } from './presence-writes.js';
import type { SimSettings } from './settings.js';

/** Extension endpoints: documented validation, read shapes (list vs get) distinct from the write shape. */
export const PRESENCE = [
  'available',
  'away',
  'business_trip',
  'do_not_disturb',
  'lunch',
  'off_work',
] as const;
export type Presence = (typeof PRESENCE)[number];
const EMAIL_LANGUAGES = ['follow_system', 'zh-cn', 'en', 'ru', 'de', 'fr', 'bp', 'it', 'tr'] as const;
const LIST_SORT = [
  'id',
  'number',
  'caller_id_name',
  'email_addr',
  'mobile_number',
  'presence_status',
] as const;
const CREATE_REQUIRED = [
  'type',
  'number',
  'user_password',
  'reg_name',
  'reg_password',
  'concurrent_registrations',
  'presence_status',
] as const;
const EXT = 'extensions';
export const WELCOME = 'welcomeEmails';

export interface ExtensionRecord {
  id: number;
  type: 'SIP';
  number: string;
  first_name: string;
  last_name: string;
  email_addr: string;
  mobile_number: string;
  caller_id: string;
  user_password: string;
  reg_name: string;
  reg_password: string;
  concurrent_registrations: number;
  presence_status: Presence;
  custom_presence_status: string;
  presence_list: unknown[];
  organization_ids: number[];
  role_id: number;
  title: string;
  email_language: string;
  user_lang: string;
  vm_lang: string;
  enabled: boolean;
  linkus_enabled: boolean;
  /** Only used when `ssoIdentityField` is not one of the fields above. */
  sso_identity: string;
}

export interface WelcomeEmail {
  id: number;
  extension_id: number;
  number: string;
  email_addr: string;
  sent_at: string;
}

export const extensions = (sim: SimContext): ExtensionRecord[] => sim.store.all<ExtensionRecord>(EXT);

export function findExtension(sim: SimContext, id: number): ExtensionRecord {
  const ext = sim.store.get<ExtensionRecord>(EXT, id);
  if (!ext)
    throw new ApiError(sim.settings.unknownIdErrcode, { invalid_param_list: [{ field: 'id', value: id }] });
  return ext;
}

export function callerIdName(
  settings: SimSettings,
  e: Pick<ExtensionRecord, 'first_name' | 'last_name'>,
): string {
  const parts =
    settings.callerIdNameOrder === 'first-last' ? [e.first_name, e.last_name] : [e.last_name, e.first_name];
  return parts.filter(Boolean).join(' ');
}

/** The value the Linkus SSO login compares with the id_token identity. */
export function ssoIdentity(settings: SimSettings, e: ExtensionRecord): string {
  const v = (e as unknown as Record<string, unknown>)[settings.ssoIdentityField];
  return typeof v === 'string' ? v : e.sso_identity;
}

function isRecordField(field: string): boolean {
  return field !== 'sso_identity' && field in blank();
}

function blank(): ExtensionRecord {
  return {
    id: 0,
    type: 'SIP',
    number: '',
    first_name: '',
    last_name: '',
    email_addr: '',
    mobile_number: '',
    caller_id: '',
    user_password: '',
    reg_name: '',
    reg_password: '',
    concurrent_registrations: 1,
    presence_status: 'available',
    custom_presence_status: '',
    presence_list: [],
    organization_ids: [],
    role_id: 0,
    title: '',
    email_language: 'follow_system',
    user_lang: 'follow_system',
    vm_lang: 'follow_system',
    enabled: true,
    linkus_enabled: true,
    sso_identity: '',
  };
}

function basicInfo(settings: SimSettings, e: ExtensionRecord): Record<string, unknown> {
  const device = (ext_dev_type: string) => ({ status: 0, ext_dev_type });
  return {
    id: e.id,
    number: e.number,
    caller_id_name: callerIdName(settings, e),
    email_addr: e.email_addr,
    mobile_number: e.mobile_number,
    role_name: e.role_id ? `role-${e.role_id}` : '',
    presence_status: e.presence_status,
    custom_presence_status: e.custom_presence_status,
    online_status: {
      sip_phone: { ...device('sip'), status_list: [] },
      linkus_desktop: device('linkusdesktop'),
      linkus_mobile: device('linkusmobile'),
      linkus_web: device('linkusweb'),
    },
  };
}

function detailInfo(settings: SimSettings, e: ExtensionRecord): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    id: e.id,
    type: e.type,
    first_name: e.first_name,
    last_name: e.last_name,
    email_addr: e.email_addr,
    mobile_number: e.mobile_number,
    organization_list: e.organization_ids.map((id) => ref(settings.refItemKey, id)),
    role_id: e.role_id,
    title: e.title,
    email_language: e.email_language,
    user_lang: e.user_lang,
    vm_lang: e.vm_lang,
    number: e.number,
    caller_id: e.caller_id,
    reg_name: e.reg_name,
    concurrent_registrations: e.concurrent_registrations,
    presence_status: e.presence_status,
    presence_list: e.presence_list,
  };
  if (settings.extensionEnabledField) detail[settings.extensionEnabledField] = e.enabled ? 1 : 0;
  if (settings.linkusEnabledField) detail[settings.linkusEnabledField] = e.linkus_enabled ? 1 : 0;
  if (!isRecordField(settings.ssoIdentityField)) detail[settings.ssoIdentityField] = e.sso_identity;
  return detail;
}

/** Cloud rule: digits + upper + lower case; no 4 consecutive or identical digits; no number or names inside. */
export function userPasswordOk(
  pw: string,
  e: Pick<ExtensionRecord, 'number' | 'first_name' | 'last_name'>,
): boolean {
  if (!/\d/.test(pw) || !/[A-Z]/.test(pw) || !/[a-z]/.test(pw)) return false;
  if (/(\d)\1{3}/.test(pw)) return false;
  for (let i = 0; i + 4 <= pw.length; i++) {
    const w = pw.slice(i, i + 4);
    if (!/^\d{4}$/.test(w)) continue;
    const d = [...w].map(Number) as [number, number, number, number];
    const step = d[1] - d[0];
    if ((step === 1 || step === -1) && d[2] - d[1] === step && d[3] - d[2] === step) return false;
  }
  const lower = pw.toLowerCase();
  return ![e.number, e.first_name, e.last_name].some((part) => part && lower.includes(part.toLowerCase()));
}

const flag = (body: Body, field: string | null): boolean | undefined =>
  field === null
    ? undefined
    : int(body, field, { min: 0, max: 1 }) === undefined
      ? undefined
      : body[field] === 1;

/** Reads the writable fields present in `body` (create and update share the rules). */
function readWritable(sim: SimContext, body: Body): Partial<ExtensionRecord> {
  const s = sim.settings;
  const out: Partial<ExtensionRecord> = {};
  const set = <K extends keyof ExtensionRecord>(k: K, v: ExtensionRecord[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  if (body.type !== undefined && body.type !== 'SIP') throw invalid('type', body.type);
  const number = str(body, 'number');
  if (number !== undefined && !/^\d{1,15}$/.test(number)) throw invalid('number', number);
  set('number', number);
  set('first_name', str(body, 'first_name', { max: 63 }));
  set('last_name', str(body, 'last_name', { max: 63 }));
  const email = str(body, 'email_addr', { max: 127 });
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid('email_addr', email);
  set('email_addr', email);
  const mobile = str(body, 'mobile_number', { max: 31 });
  if (mobile && !/^[+\d][\d\s()+.-]*$/.test(mobile)) throw invalid('mobile_number', mobile);
  set('mobile_number', mobile);
  set('caller_id', str(body, 'caller_id', { max: 31 }));
  set('user_password', str(body, 'user_password'));
  set('reg_name', str(body, 'reg_name', { max: 63 }));
  const regPassword = str(body, 'reg_password');
  if (regPassword !== undefined && (regPassword.length < 8 || regPassword.length > 63)) {
    throw invalid('reg_password', '******');
  }
  set('reg_password', regPassword);
  set(
    'concurrent_registrations',
    int(body, 'concurrent_registrations', { min: 1, max: s.maxConcurrentRegistrations }),
  );
  set('presence_status', oneOf(body, 'presence_status', PRESENCE));
  set('custom_presence_status', str(body, 'custom_presence_status', { max: 63 }));
  set('title', str(body, 'title', { max: 127 }));
  set('email_language', oneOf(body, 'email_language', EMAIL_LANGUAGES));
  set('user_lang', str(body, 'user_lang'));
  set('vm_lang', str(body, 'vm_lang'));
  set('role_id', int(body, 'role_id', { min: 0 }));
  if (body.presence_list !== undefined) {
    if (!Array.isArray(body.presence_list)) throw invalidParams(40001, [{ field: 'presence_list' }]);
    out.presence_list = body.presence_list;
  }
  if (s.organizationManagement) {
    const orgs = refList(body, 'organization_list', s.refItemKey);
    const missing = orgs?.find((id) => !sim.store.get('organizations', id));
    if (missing !== undefined) throw invalid('organization_list', ref(s.refItemKey, missing));
    set('organization_ids', orgs);
  }
  set('enabled', flag(body, s.extensionEnabledField));
  set('linkus_enabled', flag(body, s.linkusEnabledField));
  if (!isRecordField(s.ssoIdentityField)) set('sso_identity', str(body, s.ssoIdentityField, { max: 127 }));
  return out;
}

function assertUnique(sim: SimContext, e: ExtensionRecord, action: 'create' | 'update'): void {
  const others = extensions(sim).filter((o) => o.id !== e.id);
  const byNumber = others.find((o) => o.number === e.number);
  const dup = (field: string, value: string, holder: ExtensionRecord): DuplicateField => ({
    field,
    value,
    external_source: 'extension',
    external_source_name: holder.number,
  });
  const submsg = `Extension ${action} fail for duplicate fields`;
  if (byNumber) {
    throw new ApiError(
      40003,
      sim.settings.duplicateNumberHasFieldList
        ? { submsg, duplicate_field_list: [dup('number', e.number, byNumber)] }
        : { submsg },
    );
  }
  const email = e.email_addr.toLowerCase();
  const byEmail = email ? others.find((o) => o.email_addr.toLowerCase() === email) : undefined;
  if (byEmail)
    throw new ApiError(40003, { submsg, duplicate_field_list: [dup('email_addr', e.email_addr, byEmail)] });
}

function assertPassword(e: ExtensionRecord): void {
  if (!userPasswordOk(e.user_password, e)) throw invalid('user_password', '******');
}

export const create: Handler = (sim, req) => {
  const body = req.body;
  for (const f of CREATE_REQUIRED) {
    if (body[f] === undefined || body[f] === null || body[f] === '') throw required(f);
  }
  if (sim.settings.organizationManagement && !Array.isArray(body.organization_list)) {
    throw required('organization_list');
  }
  const ext: ExtensionRecord = { ...blank(), ...readWritable(sim, body) };
  assertPassword(ext);
  assertUnique(sim, ext, 'create');
  if (extensions(sim).length >= sim.settings.extensionCapacity) {
    throw new ApiError(60002, { submsg: 'Extension capacity reached' });
  }
  ext.id = sim.store.nextId(EXT);
  sim.store.put(EXT, ext.id, ext);
  sim.events.publish(30022, { ext_number: ext.number, option: 'CREATE' });
  return { id: ext.id };
};

export const update: Handler = (sim, req) => {
  const current = findExtension(sim, requireId(req.body));
  const patch = readWritable(sim, req.body);
  if (patch.number !== undefined && patch.number !== current.number && !sim.settings.allowNumberChange) {
    throw invalid('number', patch.number);
  }
  const next: ExtensionRecord = { ...current, ...patch };
  if (['user_password', 'number', 'first_name', 'last_name'].some((k) => k in patch)) assertPassword(next);
  assertUnique(sim, next, 'update');
  sim.store.put(EXT, next.id, next);
  const presenceChanged = next.presence_status !== current.presence_status;
  if (patch.presence_status !== undefined) {
    recordPresenceWrite(sim.presenceWrites, next.number, presenceChanged, now());
  }
  if (presenceChanged) sim.events.publish(30009, { extension: next.number, status: next.presence_status });
  sim.events.publish(30022, { ext_number: next.number, option: 'UPDATE' });
  return {};
};

export const remove: Handler = (sim, req) => {
  const ext = findExtension(sim, requireId(req.query));
  sim.store.del(EXT, ext.id);
  for (const g of sim.store.all<{ id: number; member_ids: number[] }>('extensionGroups')) {
    if (g.member_ids.includes(ext.id)) {
      sim.store.put('extensionGroups', g.id, { ...g, member_ids: g.member_ids.filter((m) => m !== ext.id) });
    }
  }
  sim.events.publish(30022, { ext_number: ext.number, option: 'DELETE' });
  return {};
};

export const list: Handler = (sim, req) => {
  const rows = extensions(sim).map((e) => basicInfo(sim.settings, e));
  return paginate(rows, paging(req.query, sim.settings, LIST_SORT));
};

export const search: Handler = (sim, req) => {
  const needle = (req.query.get('search_value') ?? '').toLowerCase();
  const hits = extensions(sim).filter(
    (e) =>
      e.number.includes(needle) ||
      callerIdName(sim.settings, e).toLowerCase().includes(needle) ||
      (sim.settings.searchMatchesEmail && e.email_addr.toLowerCase().includes(needle)),
  );
  return paginate(
    hits.map((e) => basicInfo(sim.settings, e)),
    paging(req.query, sim.settings, LIST_SORT),
  );
};

export const get: Handler = (sim, req) => ({
  data: detailInfo(sim.settings, findExtension(sim, requireId(req.query))),
});

export const query: Handler = (sim, req) => {
  const raw = req.query.get('ids');
  if (!raw) throw required('ids');
  const ids = raw.split(',').map(Number);
  if (ids.some((n) => !Number.isInteger(n))) throw invalidParams(40001, [{ field: 'ids', value: raw }]);
  const found = ids.flatMap((id) => {
    const e = sim.store.get<ExtensionRecord>(EXT, id);
    return e ? [detailInfo(sim.settings, e)] : [];
  });
  return { total_number: found.length, data: found };
};

export const sendWelcomeEmail: Handler = (sim, req) => {
  const ids = intList(req.body, 'id_list', true) as number[];
  if (ids.length === 0) throw required('id_list');
  const targets = ids.map((id) => findExtension(sim, id));
  const noEmail = targets.find((e) => !e.email_addr);
  if (noEmail) throw invalid('email_addr', noEmail.number);
  for (const e of targets) {
    const id = sim.store.nextId(WELCOME);
    const mail: WelcomeEmail = {
      id,
      extension_id: e.id,
      number: e.number,
      email_addr: e.email_addr,
      sent_at: new Date(now()).toISOString(),
    };
    sim.store.put(WELCOME, id, mail);
  }
  return {};
};

/** Control API: an admin edits an extension in the PBX UI (no validation beyond existence). */
export function adminPatch(
  sim: SimContext,
  number: string,
  patch: Partial<Pick<ExtensionRecord, 'enabled' | 'linkus_enabled' | 'presence_status' | 'sso_identity'>>,
) {
  const ext = extensions(sim).find((e) => e.number === number);
  if (!ext) throw new Error(`no extension ${number}`);
  const next = { ...ext, ...patch };
  sim.store.put(EXT, ext.id, next);
  if (next.presence_status !== ext.presence_status) {
    sim.events.publish(30009, { extension: next.number, status: next.presence_status });
  }
  return next;
}
