import { PBX_FAILURE, pbxFailure } from '../errors.js';
import type {
  PbxCapabilities,
  PbxContact,
  PbxContactInput,
  PbxCreateResult,
  PbxDirectory,
  PbxExtension,
  PbxExtensionGroup,
  PbxExtensionInput,
  PbxExtensionPatch,
  PbxExtensionSummary,
  PbxId,
  PbxOrganization,
  PbxPhonebook,
  PbxPresence,
} from '../directory.js';
import { YeastarClient } from './client.js';
import { generateSipPassword, generateUserPassword } from './credentials.js';
import {
  contactFromRow,
  extensionBody,
  extensionFromDetail,
  extensionLabel,
  numberList,
  ref,
  refId,
  remarkFor,
  summaryFromRow,
} from './mapping.js';
import { resolveOptions, type ResolvedYeastarOptions, type YeastarOptions } from './options.js';
import type { Envelope } from './transport.js';

type Row = Record<string, unknown>;
const rows = (body: Envelope): Row[] => (Array.isArray(body.data) ? (body.data as Row[]) : []);
const sameText = (a: string | undefined, b: string | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
const NOT_FOUND = new Set([60001, 70093, 70128]);

/** Yeastar P-Series Open API v1.0 implementation of PbxDirectory. Create one per worker process. */
export class YeastarDirectory implements PbxDirectory {
  readonly capabilities: PbxCapabilities;
  private readonly client: YeastarClient;
  private readonly o: ResolvedYeastarOptions;
  private rootOrg: Promise<string | undefined> | undefined;

  constructor(options: YeastarOptions) {
    this.o = resolveOptions(options);
    this.client = new YeastarClient(this.o);
    this.capabilities = {
      disableExtension: this.o.extensionEnabledField !== null,
      linkusToggle: this.o.linkusEnabledField !== null,
      renumberExtension: this.o.renumberExtension,
      maxExtensionGroups: 63,
    };
  }

  /** Token requests made so far by this process (diagnostics; never the tokens themselves). */
  get tokenRequests(): number {
    return this.client.tokens.tokenRequests;
  }

  private async *pages(endpoint: string, query: Record<string, string | number>, object: string) {
    let seen = 0;
    for (let page = 1; ; page++) {
      const body = await this.client.get(endpoint, { ...query, page, page_size: this.o.pageSize }, object);
      const data = rows(body);
      yield* data;
      seen += data.length;
      if (data.length === 0 || seen >= Number(body.total_number ?? 0)) return;
    }
  }

  // ── extensions ──────────────────────────────────────────────────────────────

  async *listExtensions(): AsyncIterable<PbxExtensionSummary> {
    for await (const r of this.pages(
      'extension/list',
      { sort_by: 'id', order_by: 'asc' },
      'extension list',
    )) {
      yield summaryFromRow(r);
    }
  }

  async getExtension(id: PbxId): Promise<PbxExtension | undefined> {
    const res = await this.client.attempt(
      'GET',
      'extension/get',
      { id },
      extensionLabel(undefined, undefined, id),
    );
    if (res.ok) return extensionFromDetail(res.body.data as Row, this.o);
    if (res.body && (NOT_FOUND.has(res.body.errcode) || res.body.errcode === 40002)) return undefined;
    throw res.failure;
  }

  private async searchExtensions(
    value: string,
    match: (r: Row) => boolean,
  ): Promise<PbxExtension | undefined> {
    for await (const r of this.pages(
      'extension/search',
      { search_value: value },
      `extension search "${value}"`,
    )) {
      if (match(r)) return this.getExtension(String(r.id));
    }
    return undefined;
  }

  findExtensionByNumber(number: string): Promise<PbxExtension | undefined> {
    return this.searchExtensions(number, (r) => r.number === number);
  }

  async getExtensions(ids: PbxId[]): Promise<PbxExtension[]> {
    if (ids.length === 0) return [];
    const body = await this.client.get(
      'extension/query',
      { ids: ids.join(',') },
      `extensions ${ids.join(',')}`,
    );
    return rows(body).map((r) => extensionFromDetail(r, this.o));
  }

  /**
   * Search may not match emails on every firmware (UNCONFIRMED): with `searchMatchesEmail: false` a miss
   * falls back to a full list scan, which costs a whole list per lookup on a large PBX.
   */
  async findExtensionByEmail(email: string): Promise<PbxExtension | undefined> {
    const match = (r: Row) => sameText(r.email_addr as string, email);
    const hit = await this.searchExtensions(email, match);
    if (hit || this.o.searchMatchesEmail) return hit;
    for await (const s of this.listExtensions()) if (sameText(s.email, email)) return this.getExtension(s.id);
    return undefined;
  }

  async createExtension(input: PbxExtensionInput): Promise<PbxCreateResult> {
    const label = extensionLabel(input.number, input.email);
    const body: Row = {
      ...extensionBody(input, this.o, label),
      type: 'SIP',
      reg_name: input.number,
      user_password:
        input.userPassword ?? generateUserPassword([input.number, input.firstName, input.lastName]),
      reg_password: input.sipPassword ?? generateSipPassword(),
      concurrent_registrations: this.o.concurrentRegistrations,
      presence_status: input.presence ?? 'available',
    };
    if (!input.organizationIds?.length) {
      const root = await this.rootOrganizationId();
      if (root) body.organization_list = [ref(root)];
    }
    const res = await this.client.attempt('POST', 'extension/create', body, label);
    if (res.ok) return { id: String(res.body.id), created: true };
    if (res.body?.errcode !== 40003) throw res.failure;
    // A duplicate may be our own earlier create whose response was lost: adopt it if it carries our data.
    const byNumber = await this.findExtensionByNumber(input.number);
    const ours =
      byNumber &&
      sameText(byNumber.email, input.email) &&
      byNumber.firstName === input.firstName &&
      byNumber.lastName === (input.lastName ?? '');
    if (ours) return { id: byNumber.id, created: false };
    if (res.body.duplicate_field_list?.length) throw res.failure;
    const holder = byNumber ?? (input.email ? await this.findExtensionByEmail(input.email) : undefined);
    const what = byNumber ? `number ${input.number}` : `email ${input.email}`;
    const heldBy = holder ? extensionLabel(holder.number, holder.email) : 'another extension';
    throw pbxFailure(
      PBX_FAILURE.DUPLICATE,
      `${label}: extension/create failed: ${what} is already used by ${heldBy}`,
      {
        object: label,
        operation: 'extension/create',
        code: 40003,
        fields: [byNumber ? 'number' : 'email_addr'],
        heldBy,
      },
    );
  }

  async updateExtension(id: PbxId, patch: PbxExtensionPatch): Promise<void> {
    const label = extensionLabel(patch.number, patch.email, id);
    if (patch.number !== undefined && !this.capabilities.renumberExtension) {
      throw this.unsupported(label, 'changing the extension number');
    }
    await this.client.post(
      'extension/update',
      { id: Number(id), ...extensionBody(patch, this.o, label) },
      label,
    );
  }

  async deleteExtension(id: PbxId): Promise<void> {
    const label = extensionLabel(undefined, undefined, id);
    const res = await this.client.attempt('GET', 'extension/delete', { id }, label);
    if (res.ok || (res.body && NOT_FOUND.has(res.body.errcode))) return;
    if (res.body?.errcode === 40002 && !(await this.getExtension(id))) return;
    throw res.failure;
  }

  setPresence(id: PbxId, presence: PbxPresence): Promise<void> {
    return this.updateExtension(id, { presence });
  }

  async setExtensionEnabled(id: PbxId, enabled: boolean): Promise<void> {
    const label = extensionLabel(undefined, undefined, id);
    const field = this.o.extensionEnabledField;
    if (!field) throw this.unsupported(label, 'disabling an extension');
    await this.client.post('extension/update', { id: Number(id), [field]: enabled ? 1 : 0 }, label);
  }

  async setLinkusAccess(id: PbxId, access: { enabled: boolean; ssoIdentity?: string }): Promise<void> {
    const label = extensionLabel(undefined, undefined, id);
    if (!access.enabled && !this.o.linkusEnabledField) throw this.unsupported(label, 'turning Linkus off');
    const body = extensionBody(
      { linkusEnabled: access.enabled, ssoIdentity: access.ssoIdentity },
      this.o,
      label,
    );
    if (Object.keys(body).length > 0)
      await this.client.post('extension/update', { id: Number(id), ...body }, label);
  }

  async sendWelcomeEmail(ids: PbxId[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.post(
      'extension/send_welcome_email',
      { id_list: ids.map(Number) },
      `extensions ${ids.join(',')}`,
    );
  }

  private unsupported(object: string, what: string) {
    return pbxFailure(PBX_FAILURE.UNSUPPORTED, `${object}: this PBX does not support ${what}`, {
      object,
      operation: what,
    });
  }

  // ── organizations ──────────────────────────────────────────────────────────

  async listOrganizations(): Promise<PbxOrganization[]> {
    const body = await this.client.get('organization/list', { is_all: 1 }, 'organization list');
    const out: PbxOrganization[] = [];
    const walk = (nodes: unknown, parentId?: string) => {
      for (const n of Array.isArray(nodes) ? (nodes as Row[]) : []) {
        const org: PbxOrganization = {
          id: String(n.id),
          name: String(n.name),
          memberIds: Array.isArray(n.ext_list) ? n.ext_list.map(String) : [],
        };
        if (parentId !== undefined) org.parentId = parentId;
        out.push(org);
        walk(n.children, org.id);
      }
    };
    walk(body.organization_list);
    return out;
  }

  /** The root organization's id, or undefined when Organization Management is off (70120). Cached. */
  private rootOrganizationId(): Promise<string | undefined> {
    this.rootOrg ??= this.client
      .attempt('GET', 'organization/list', { is_all: 2 }, 'organization list')
      .then((res) => {
        if (res.ok) return refId((res.body.organization_list as unknown[] | undefined)?.[0]) ?? '1';
        if (res.body?.errcode === 70120) return undefined;
        this.rootOrg = undefined;
        throw res.failure;
      });
    return this.rootOrg;
  }

  async createOrganization(input: { name: string; parentId?: PbxId }): Promise<PbxCreateResult> {
    const label = `organization "${input.name}"`;
    const find = async () => {
      const all = await this.listOrganizations();
      const parentId = input.parentId ?? all.find((o) => o.parentId === undefined)?.id;
      return { parentId, existing: all.find((o) => o.parentId === parentId && o.name === input.name) };
    };
    const { parentId, existing } = await find();
    if (existing) return { id: existing.id, created: false };
    const res = await this.client.attempt(
      'POST',
      'organization/create',
      { name: input.name, parent_id: Number(parentId) },
      label,
    );
    if (res.ok) return { id: String(res.body.id), created: true };
    const again = res.body?.errcode === 40003 ? (await find()).existing : undefined;
    if (again) return { id: again.id, created: false };
    throw res.failure;
  }

  async renameOrganization(id: PbxId, name: string): Promise<void> {
    await this.client.post('organization/update', { id: Number(id), name }, `organization #${id}`);
  }

  async deleteOrganization(id: PbxId): Promise<void> {
    await this.deleteIgnoringMissing('organization/delete', id, `organization #${id}`);
  }

  private async deleteIgnoringMissing(endpoint: string, id: PbxId, label: string): Promise<void> {
    const res = await this.client.attempt('GET', endpoint, { id }, label);
    if (!res.ok && !(res.body && NOT_FOUND.has(res.body.errcode))) throw res.failure;
  }

  // ── extension groups ───────────────────────────────────────────────────────

  async listExtensionGroups(): Promise<PbxExtensionGroup[]> {
    const out: PbxExtensionGroup[] = [];
    for await (const r of this.pages('extensiongroup/list', {}, 'extension group list')) {
      // The list row's shape is UNCONFIRMED: fetch the detail when it carries no members.
      const g = Array.isArray(r.members)
        ? r
        : ((await this.client.get('extensiongroup/get', { id: String(r.id) }, `extension group #${r.id}`))
            .data as Row);
      out.push({
        id: String(g.id),
        name: String(g.name),
        allExtensions: g.member_select === 'sel_all_ext',
        memberIds: Array.isArray(g.members) ? g.members.map(refId).filter((x): x is string => !!x) : [],
      });
    }
    return out;
  }

  async createExtensionGroup(input: { name: string; memberIds: PbxId[] }): Promise<PbxCreateResult> {
    const label = `extension group "${input.name}"`;
    const find = async () => (await this.listExtensionGroups()).find((g) => g.name === input.name);
    const existing = await find();
    if (existing) return { id: existing.id, created: false };
    const body = { name: input.name, member_select: 'sel_specific', members: input.memberIds.map(ref) };
    const res = await this.client.attempt('POST', 'extensiongroup/create', body, label);
    if (res.ok) return { id: String(res.body.id), created: true };
    const again = res.body?.errcode === 40003 ? await find() : undefined;
    if (again) return { id: again.id, created: false };
    throw res.failure;
  }

  async updateExtensionGroup(id: PbxId, patch: { name?: string; memberIds?: PbxId[] }): Promise<void> {
    const body: Row = { id: Number(id) };
    if (patch.name !== undefined) body.name = patch.name;
    if (patch.memberIds)
      Object.assign(body, { member_select: 'sel_specific', members: patch.memberIds.map(ref) });
    await this.client.post('extensiongroup/update', body, `extension group ${patch.name ?? `#${id}`}`);
  }

  async deleteExtensionGroup(id: PbxId): Promise<void> {
    await this.deleteIgnoringMissing('extensiongroup/delete', id, `extension group #${id}`);
  }

  // ── company contacts and phonebooks ────────────────────────────────────────

  async *listContacts(): AsyncIterable<PbxContact> {
    for await (const r of this.pages('company_contact/list', {}, 'company contact list'))
      yield contactFromRow(r);
  }

  private contactBody(input: Partial<Omit<PbxContactInput, 'sourceKey'>>): Row {
    const body: Row = {};
    if (input.firstName !== undefined) body.first_name = input.firstName;
    if (input.lastName !== undefined) body.last_name = input.lastName;
    if (input.company !== undefined) body.company = input.company;
    if (input.email !== undefined) body.email = input.email;
    if (input.numbers) body.number_list = numberList(input.numbers);
    return body;
  }

  /** Contacts have no unique field: the source key in `remark` identifies ours. Search by name, then filter. */
  private async findContact(input: PbxContactInput): Promise<PbxContact | undefined> {
    const name = [input.firstName, input.lastName].filter(Boolean).join(' ');
    for await (const r of this.pages(
      'company_contact/search',
      { search_value: name },
      `contact search "${name}"`,
    )) {
      const c = contactFromRow(r);
      if (c.sourceKey === input.sourceKey) return c;
    }
    return undefined;
  }

  async createContact(input: PbxContactInput & { phonebookIds?: PbxId[] }): Promise<PbxCreateResult> {
    const existing = await this.findContact(input);
    if (existing) return { id: existing.id, created: false };
    const body = {
      ...this.contactBody(input),
      remark: remarkFor(input.sourceKey),
      ...(input.phonebookIds?.length ? { phonebook_id_list: input.phonebookIds.map(Number) } : {}),
    };
    const created = await this.client.post('company_contact/create', body, `contact ${input.sourceKey}`);
    return { id: String(created.id), created: true };
  }

  async updateContact(id: PbxId, patch: Partial<Omit<PbxContactInput, 'sourceKey'>>): Promise<void> {
    await this.client.post(
      'company_contact/update',
      { id: Number(id), ...this.contactBody(patch) },
      `contact #${id}`,
    );
  }

  async deleteContact(id: PbxId): Promise<void> {
    const label = `contact #${id}`;
    const res = await this.client.attempt('GET', 'company_contact/delete', { id }, label);
    if (res.ok || (res.body && NOT_FOUND.has(res.body.errcode))) return;
    if (res.body?.errcode !== 70091) throw res.failure;
    for await (const c of this.listContacts()) {
      if (c.id !== id) continue;
      for (const pb of c.phonebookIds) await this.removeFromPhonebook(pb, [id]);
      break;
    }
    await this.deleteIgnoringMissing('company_contact/delete', id, label);
  }

  async listPhonebooks(): Promise<PbxPhonebook[]> {
    const out: PbxPhonebook[] = [];
    for await (const r of this.pages('phonebook/list', {}, 'phonebook list')) {
      out.push({
        id: String(r.id),
        name: String(r.name),
        allContacts: r.member_select === 'sel_all',
        total: Number(r.total),
      });
    }
    return out;
  }

  async createPhonebook(input: { name: string }): Promise<PbxCreateResult> {
    const label = `phonebook "${input.name}"`;
    const find = async () => (await this.listPhonebooks()).find((p) => p.name === input.name);
    const existing = await find();
    if (existing) return { id: existing.id, created: false };
    const res = await this.client.attempt(
      'POST',
      'phonebook/create',
      { name: input.name, member_select: 'sel_specific' },
      label,
    );
    if (res.ok) return { id: String(res.body.id), created: true };
    const again = res.body?.errcode === 40003 ? await find() : undefined;
    if (again) return { id: again.id, created: false };
    throw res.failure;
  }

  async renamePhonebook(id: PbxId, name: string): Promise<void> {
    await this.client.post('phonebook/update', { id: Number(id), name }, `phonebook "${name}"`);
  }

  async deletePhonebook(id: PbxId): Promise<void> {
    await this.deleteIgnoringMissing('phonebook/delete', id, `phonebook #${id}`);
  }

  async addToPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void> {
    const body = { id: Number(phonebookId), add_contacts_id_list: contactIds.map(Number) };
    await this.client.post('phonebook/update', body, `phonebook #${phonebookId}`);
  }

  async removeFromPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void> {
    const body = { id: Number(phonebookId), del_contacts_id_list: contactIds.map(Number) };
    await this.client.post('phonebook/update', body, `phonebook #${phonebookId}`);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
