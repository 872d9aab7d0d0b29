import { randomBytes } from 'node:crypto';
import { ContactFolder } from './contact-folder.js';
import type { SimContact, SimContactFolder } from './model.js';
import { TenantError } from './tenant-error.js';
import type { TenantEvent } from './tenant.js';

export type ContactInput = Partial<Omit<SimContact, 'id' | 'parentFolderId'>> & { displayName: string };

export interface MailboxSnapshot {
  userId: string;
  /** The default Contacts folder first; a child folder's `parentFolderId` is its parent's id. */
  folders: (SimContactFolder & { contacts: SimContact[] })[];
}

export interface MailboxHooks {
  requireUser(id: string): void;
  /** Next change sequence number: folder logs and the directory change log share one sequence. */
  nextSequence(): number;
  emit(event: TenantEvent): void;
}

export function outlookId(): string {
  return 'AAMk' + randomBytes(24).toString('base64url');
}

/** A contact with every property Graph returns, the unset ones empty. */
export function newContact(
  input: ContactInput,
  id: string,
  folderId: string,
  stamp: string,
  key: string,
): SimContact {
  return {
    givenName: null,
    surname: null,
    companyName: null,
    jobTitle: null,
    department: null,
    businessPhones: [],
    homePhones: [],
    mobilePhone: null,
    emailAddresses: [],
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    ...input,
    id,
    parentFolderId: folderId,
    changeKey: key,
  };
}

function changeKey(): string {
  return randomBytes(12).toString('base64');
}

function notFound(): TenantError {
  return new TenantError(404, 'The specified object was not found in the store.');
}

/** Outlook contact folders of every mailbox (users and shared mailboxes alike), with per-folder change logs. */
export class Mailboxes {
  private readonly boxes = new Map<string, Map<string, ContactFolder>>();
  /** Contact delta tokens carry their mailbox's generation; a bump makes older ones answer 410. */
  private readonly generations = new Map<string, number>();
  private generationOfAll = 0;

  constructor(private readonly hooks: MailboxHooks) {}

  /** Every folder, child folders included, default folder first. */
  folders(userId: string): SimContactFolder[] {
    return [...this.mailbox(userId).values()].map((f) => f.info);
  }

  /** Folders directly under the mailbox root (what `GET /contactFolders` lists). */
  topLevelFolders(userId: string): ContactFolder[] {
    const box = this.mailbox(userId);
    return [...box.values()].filter((f) => !box.has(f.info.parentFolderId));
  }

  childFolders(userId: string, parentId: string): ContactFolder[] {
    this.folder(userId, parentId);
    return [...this.mailbox(userId).values()].filter((f) => f.info.parentFolderId === parentId);
  }

  /** A folder under the mailbox root, or under `parentFolderId`. */
  createFolder(userId: string, displayName: string, parentFolderId?: string): SimContactFolder {
    const parent =
      parentFolderId === undefined
        ? this.defaultFolder(userId).info.parentFolderId
        : this.folder(userId, parentFolderId).info.id;
    const info = { id: outlookId(), displayName, parentFolderId: parent };
    this.mailbox(userId).set(info.id, new ContactFolder(info));
    return info;
  }

  /** Any folder of the mailbox by id (child folders too); the default Contacts folder without an id. */
  folder(userId: string, folderId?: string): ContactFolder {
    if (folderId === undefined) return this.defaultFolder(userId);
    const folder = this.mailbox(userId).get(folderId);
    if (!folder) throw notFound();
    return folder;
  }

  addContact(userId: string, input: ContactInput, folderId?: string): SimContact {
    const folder = this.folder(userId, folderId);
    const contact = newContact(input, outlookId(), folder.info.id, new Date().toISOString(), changeKey());
    folder.put(contact);
    this.changed(userId, [folder], contact.id, 'created');
    return contact;
  }

  updateContact(userId: string, contactId: string, patch: Partial<ContactInput>): SimContact {
    const { folder, contact } = this.findContact(userId, contactId);
    Object.assign(contact, patch, { lastModifiedDateTime: new Date().toISOString(), changeKey: changeKey() });
    this.changed(userId, [folder], contactId, 'updated');
    return contact;
  }

  deleteContact(userId: string, contactId: string): void {
    const { folder } = this.findContact(userId, contactId);
    folder.remove(contactId);
    this.changed(userId, [folder], contactId, 'deleted');
  }

  /**
   * Moves a contact to another folder of the same mailbox. Both folders' deltas see it: removed from the old
   * one, new in the new one. `keepId` false gives the moved item a new id.
   */
  moveContact(userId: string, contactId: string, toFolderId: string, keepId: boolean): SimContact {
    const { folder, contact } = this.findContact(userId, contactId);
    const target = this.folder(userId, toFolderId);
    if (target === folder) return contact;
    folder.remove(contactId);
    const moved: SimContact = {
      ...contact,
      id: keepId ? contactId : outlookId(),
      parentFolderId: target.info.id,
      lastModifiedDateTime: new Date().toISOString(),
      changeKey: changeKey(),
    };
    target.put(moved);
    if (keepId) {
      this.changed(userId, [folder, target], contactId, 'updated');
    } else {
      this.changed(userId, [folder], contactId, 'deleted');
      this.changed(userId, [target], moved.id, 'created');
    }
    return moved;
  }

  tokenGeneration(userId: string): number {
    return this.generationOfAll + (this.generations.get(userId) ?? 0);
  }

  /** Contact delta tokens issued so far (of one mailbox, or of all) stop working. */
  expireTokens(userId?: string): void {
    if (userId === undefined) this.generationOfAll++;
    else this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
  }

  drop(userId: string): void {
    this.boxes.delete(userId);
  }

  clear(): void {
    this.boxes.clear();
    this.generations.clear();
  }

  /** Adds pre-built folders and contacts without logging changes. */
  load(snapshots: readonly MailboxSnapshot[]): void {
    for (const { userId, folders } of snapshots) {
      const box = new Map<string, ContactFolder>();
      for (const { contacts, ...info } of folders) {
        const folder = new ContactFolder(info);
        for (const contact of contacts) folder.put(contact);
        box.set(info.id, folder);
      }
      this.boxes.set(userId, box);
    }
  }

  snapshot(): MailboxSnapshot[] {
    return [...this.boxes].map(([userId, box]) => ({
      userId,
      folders: [...box.values()].map((f) => ({ ...f.info, contacts: f.list() })),
    }));
  }

  private mailbox(userId: string): Map<string, ContactFolder> {
    this.hooks.requireUser(userId);
    let box = this.boxes.get(userId);
    if (!box) {
      const info = { id: outlookId(), displayName: 'Contacts', parentFolderId: outlookId() };
      box = new Map([[info.id, new ContactFolder(info)]]);
      this.boxes.set(userId, box);
    }
    return box;
  }

  private defaultFolder(userId: string): ContactFolder {
    const first = this.mailbox(userId).values().next();
    if (first.done) throw new TenantError(500, 'Mailbox without a default folder.');
    return first.value;
  }

  private findContact(userId: string, contactId: string): { folder: ContactFolder; contact: SimContact } {
    for (const folder of this.mailbox(userId).values()) {
      const contact = folder.get(contactId);
      if (contact) return { folder, contact };
    }
    throw notFound();
  }

  private changed(
    userId: string,
    folders: readonly ContactFolder[],
    id: string,
    changeType: TenantEvent['changeType'],
  ): void {
    for (const folder of folders) folder.logChange(this.hooks.nextSequence(), id);
    this.hooks.emit({ resource: 'contact', id, changeType, mailboxId: userId });
  }
}
