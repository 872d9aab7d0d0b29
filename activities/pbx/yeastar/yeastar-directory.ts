import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import type {
  PbxCapabilities,
  PbxCreateResult,
  PbxDirectory,
  PbxExtension,
  PbxExtensionGroup,
  PbxExtensionInput,
  PbxExtensionPatch,
  PbxExtensionSummary,
  PbxId,
  PbxOrganization,
} from '../pbx-directory.js';
import { generateSipPassword, generateUserPassword } from './extension-credentials.js';
import { NOT_FOUND_CODES, type YeastarClient } from './yeastar-client.js';
import { YeastarExtensionGroups } from './yeastar-extension-groups.js';
import {
  extensionBody,
  extensionFromDetail,
  extensionLabel,
  ref,
  summaryFromRow,
} from './yeastar-mapping.js';
import { YeastarOrganizations } from './yeastar-organizations.js';

type Row = Record<string, unknown>;
const sameText = (a: string | undefined, b: string | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Yeastar P-Series Open API v1.0 implementation of PbxDirectory. Create one per worker process. */
export class YeastarDirectory implements PbxDirectory {
  readonly capabilities: PbxCapabilities;
  private readonly organizations: YeastarOrganizations;
  private readonly extensionGroups: YeastarExtensionGroups;

  constructor(private readonly client: YeastarClient) {
    const o = client.options;
    this.capabilities = {
      disableExtension: o.extensionEnabledField !== null,
      linkusToggle: o.linkusEnabledField !== null,
      renumberExtension: o.renumberExtension,
      ssoIdentityClearable: o.ssoIdentityField !== 'email_addr',
      maxExtensionGroups: 63,
    };
    this.organizations = new YeastarOrganizations(client);
    this.extensionGroups = new YeastarExtensionGroups(client);
  }

  private get o() {
    return this.client.options;
  }

  /** Token requests made so far by this process (diagnostics; never the tokens themselves). */
  get tokenRequests(): number {
    return this.client.tokens.tokenRequests;
  }

  // ── extensions ──────────────────────────────────────────────────────────────

  async *listExtensions(): AsyncIterable<PbxExtensionSummary> {
    for await (const r of this.client.pages(
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
    if (res.body && (NOT_FOUND_CODES.has(res.body.errcode) || res.body.errcode === 40002)) return undefined;
    throw res.failure;
  }

  private async searchExtensions(
    value: string,
    match: (r: Row) => boolean,
  ): Promise<PbxExtension | undefined> {
    for await (const r of this.client.pages(
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
    const rows = await this.client.rows(
      'extension/query',
      { ids: ids.join(',') },
      `extensions ${ids.join(',')}`,
    );
    return rows.map((r) => extensionFromDetail(r, this.o));
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
      const root = await this.organizations.rootId();
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
      PbxFailure.Duplicate,
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
    if (res.ok || (res.body && NOT_FOUND_CODES.has(res.body.errcode))) return;
    if (res.body?.errcode === 40002 && !(await this.getExtension(id))) return;
    throw res.failure;
  }

  async replaceCredentials(id: PbxId): Promise<void> {
    const current = await this.getExtension(id);
    const label = extensionLabel(current?.number, current?.email, id);
    if (!current)
      throw pbxFailure(PbxFailure.NotFound, `${label}: not found, its passwords cannot be replaced`, {
        object: label,
        operation: 'extension/update',
      });
    await this.client.post(
      'extension/update',
      {
        id: Number(id),
        user_password: generateUserPassword([current.number, current.firstName, current.lastName]),
        reg_password: generateSipPassword(),
      },
      label,
    );
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
    return pbxFailure(PbxFailure.Unsupported, `${object}: this PBX does not support ${what}`, {
      object,
      operation: what,
    });
  }

  listOrganizations(): Promise<PbxOrganization[]> {
    return this.organizations.list();
  }

  createOrganization(input: { name: string; parentId?: PbxId }): Promise<PbxCreateResult> {
    return this.organizations.create(input);
  }

  listExtensionGroups(): Promise<PbxExtensionGroup[]> {
    return this.extensionGroups.list();
  }

  createExtensionGroup(input: { name: string; memberIds: PbxId[] }): Promise<PbxCreateResult> {
    return this.extensionGroups.create(input);
  }

  updateExtensionGroup(id: PbxId, patch: { name?: string; memberIds?: PbxId[] }): Promise<void> {
    return this.extensionGroups.update(id, patch);
  }

  deleteExtensionGroup(id: PbxId): Promise<void> {
    return this.extensionGroups.delete(id);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
