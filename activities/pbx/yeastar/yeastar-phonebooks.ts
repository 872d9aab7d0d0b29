import type { PbxCreateResult, PbxId } from '../pbx-directory.js';
import type { PbxContact, PbxContactInput, PbxPhonebook, PbxPhonebooks } from '../pbx-phonebooks.js';
import { NOT_FOUND_CODES, type YeastarClient } from './yeastar-client.js';
import { contactFromRow, numberList, remarkFor } from './yeastar-contact-mapping.js';
import { createUnlessFound } from './yeastar-create.js';

type Row = Record<string, unknown>;

/** Company contacts and phonebooks (the Outlook contacts capability, next: nothing runs this yet). */
export class YeastarPhonebooks implements PbxPhonebooks {
  constructor(private readonly client: YeastarClient) {}

  async *listContacts(): AsyncIterable<PbxContact> {
    for await (const r of this.client.pages('company_contact/list', {}, 'company contact list'))
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
    for await (const r of this.client.pages(
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
    if (res.ok || (res.body && NOT_FOUND_CODES.has(res.body.errcode))) return;
    if (res.body?.errcode !== 70091) throw res.failure;
    for await (const c of this.listContacts()) {
      if (c.id !== id) continue;
      for (const pb of c.phonebookIds) await this.removeFromPhonebook(pb, [id]);
      break;
    }
    await this.client.deleteIgnoringMissing('company_contact/delete', id, label);
  }

  async listPhonebooks(): Promise<PbxPhonebook[]> {
    const out: PbxPhonebook[] = [];
    for await (const r of this.client.pages('phonebook/list', {}, 'phonebook list')) {
      out.push({
        id: String(r.id),
        name: String(r.name),
        allContacts: r.member_select === 'sel_all',
        total: Number(r.total),
      });
    }
    return out;
  }

  createPhonebook(input: { name: string }): Promise<PbxCreateResult> {
    return createUnlessFound(
      this.client,
      async () => (await this.listPhonebooks()).find((p) => p.name === input.name),
      'phonebook/create',
      { name: input.name, member_select: 'sel_specific' },
      `phonebook "${input.name}"`,
    );
  }

  async renamePhonebook(id: PbxId, name: string): Promise<void> {
    await this.client.post('phonebook/update', { id: Number(id), name }, `phonebook "${name}"`);
  }

  async deletePhonebook(id: PbxId): Promise<void> {
    await this.client.deleteIgnoringMissing('phonebook/delete', id, `phonebook #${id}`);
  }

  async addToPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void> {
    const body = { id: Number(phonebookId), add_contacts_id_list: contactIds.map(Number) };
    await this.client.post('phonebook/update', body, `phonebook #${phonebookId}`);
  }

  async removeFromPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void> {
    const body = { id: Number(phonebookId), del_contacts_id_list: contactIds.map(Number) };
    await this.client.post('phonebook/update', body, `phonebook #${phonebookId}`);
  }
}
