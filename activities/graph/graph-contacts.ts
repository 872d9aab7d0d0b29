import { CONTACT_FIELDS, toContactDelta } from './graph-mapping.js';
import {
  PAGE_SIZE,
  query,
  readAll,
  withDeltaLinks,
  withNext,
  type Collection,
  type GraphRequests,
} from './graph-requests.js';
import type { ContactDelta, ContactFolder, DeltaPage, Page } from './graph-types.js';

const PERMISSION = 'Contacts.Read';
const CONTACT_DELTA_PAGE_SIZE = 200;

/** Outlook contacts of mailboxes (the Outlook contacts capability, next: nothing runs this yet). */
export class GraphContacts {
  constructor(private readonly requests: GraphRequests) {}

  async readContactFoldersPage(mailbox: string, cursor?: string): Promise<Page<ContactFolder>> {
    const url =
      cursor ??
      `/users/${encodeURIComponent(mailbox)}/contactFolders?${query({ $select: 'id,displayName', $top: String(PAGE_SIZE) })}`;
    const res = await this.requests.send<Collection<{ id?: string; displayName?: string }>>('GET', {
      url,
      permission: PERMISSION,
    });
    return withNext(
      (res.value ?? []).map((f) => ({ id: f.id ?? '', displayName: f.displayName ?? '' })),
      res,
    );
  }

  listContactFolders(mailbox: string): Promise<ContactFolder[]> {
    return readAll((cursor) => this.readContactFoldersPage(mailbox, cursor));
  }

  /** Outlook delta is per folder; tokens may vanish at any time (→ DeltaTokenExpired). */
  async contactsDeltaPage(
    mailbox: string,
    folderId: string,
    cursor?: string,
  ): Promise<DeltaPage<ContactDelta>> {
    const url =
      cursor ??
      `/users/${encodeURIComponent(mailbox)}/contactFolders/${encodeURIComponent(folderId)}/contacts/delta?${query({ $select: CONTACT_FIELDS.join(',') })}`;
    const res = await this.requests.send<Collection<Parameters<typeof toContactDelta>[0]>>('GET', {
      url,
      permission: PERMISSION,
      headers: { Prefer: `odata.maxpagesize=${CONTACT_DELTA_PAGE_SIZE}` },
    });
    return withDeltaLinks((res.value ?? []).map(toContactDelta), res);
  }
}
