/**
 * Company contacts and phonebooks, for the Outlook contacts capability (next; see the README's roadmap).
 * Nothing runs this yet; Yeastar (activities/pbx/yeastar/yeastar-phonebooks.ts) implements it.
 */
import type { PbxCreateResult, PbxId } from './pbx-directory.js';

export const PBX_CONTACT_NUMBER_KINDS = [
  'business',
  'business2',
  'businessFax',
  'mobile',
  'mobile2',
  'home',
  'home2',
  'homeFax',
  'other',
] as const;
export type PbxContactNumberKind = (typeof PBX_CONTACT_NUMBER_KINDS)[number];

export interface PbxContactInput {
  firstName: string;
  lastName?: string;
  company?: string;
  email?: string;
  numbers: Partial<Record<PbxContactNumberKind, string>>;
  /** Stable key of the source object (e.g. the Outlook contact id); makes creates idempotent. */
  sourceKey: string;
}

export interface PbxContact {
  id: PbxId;
  /** The PBX reads contacts back as one display name, not first/last. */
  displayName: string;
  company?: string;
  email?: string;
  numbers: Partial<Record<PbxContactNumberKind, string>>;
  /** undefined for contacts the sync did not create. */
  sourceKey?: string;
  phonebookIds: PbxId[];
}

export interface PbxPhonebook {
  id: PbxId;
  name: string;
  allContacts: boolean;
  total: number;
}

export interface PbxPhonebooks {
  listContacts(): AsyncIterable<PbxContact>;
  /** Idempotent by sourceKey. */
  createContact(input: PbxContactInput & { phonebookIds?: PbxId[] }): Promise<PbxCreateResult>;
  updateContact(id: PbxId, patch: Partial<Omit<PbxContactInput, 'sourceKey'>>): Promise<void>;
  /** Removes the contact from its phonebooks first; already gone is success. */
  deleteContact(id: PbxId): Promise<void>;

  listPhonebooks(): Promise<PbxPhonebook[]>;
  /** Idempotent by name. */
  createPhonebook(input: { name: string }): Promise<PbxCreateResult>;
  renamePhonebook(id: PbxId, name: string): Promise<void>;
  deletePhonebook(id: PbxId): Promise<void>;
  addToPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void>;
  removeFromPhonebook(phonebookId: PbxId, contactIds: PbxId[]): Promise<void>;
}
