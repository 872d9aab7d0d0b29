import type { DirectoryUser, ObjectId } from '../../model/types.js';

/** An Entra user as the adapter reads it: the model's DirectoryUser plus what else Graph gave us. */
export interface EntraUser extends DirectoryUser {
  otherMails: string[];
}

export interface EntraGroup {
  id: ObjectId;
  displayName: string;
  mail: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
}

export type MemberType = 'user' | 'group' | 'other';

export interface MemberRef {
  id: ObjectId;
  type: MemberType;
}

export interface Page<T> {
  items: T[];
  /** Opaque: pass back to read the next page (heartbeat it in long activities). */
  nextCursor?: string;
}

export type RemovalReason = 'changed' | 'deleted';

export type UserDelta =
  { kind: 'upsert'; user: EntraUser } | { kind: 'removed'; id: ObjectId; reason: RemovalReason };

export type GroupDelta =
  | {
      kind: 'upsert';
      group: EntraGroup;
      /** Present only when this page carries `members@delta` for the group (a slice; merge across pages). */
      members?: { added: MemberRef[]; removed: ObjectId[] };
    }
  | { kind: 'removed'; id: ObjectId; reason: RemovalReason };

export interface DeltaPage<C> {
  changes: C[];
  /** More pages in this round. */
  nextCursor?: string;
  /** Round finished: store this and pass it as the cursor of the next round. */
  deltaLink?: string;
}

export interface ContactFolder {
  id: string;
  displayName: string;
}

export interface EntraContact {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  companyName: string | null;
  jobTitle: string | null;
  businessPhones: string[];
  homePhones: string[];
  mobilePhone: string | null;
  emailAddresses: { name?: string | null; address?: string | null }[];
}

export type ContactDelta = { kind: 'upsert'; contact: EntraContact } | { kind: 'removed'; id: string };

export interface Presence {
  id: ObjectId;
  /** Open strings: Graph's value sets differ between documentation versions. */
  availability: string;
  activity: string;
}

/** A change-notification subscription (users or groups); the clientState is never read back. */
export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  expirationDateTime: string;
}

export interface CreateSubscriptionInput {
  resource: 'users' | 'groups';
  /** Where Graph delivers change notifications (https; the simulator also takes http on loopback). */
  notificationUrl: string;
  /** Where Graph delivers lifecycle notifications (missed, subscriptionRemoved, reauthorizationRequired). */
  lifecycleNotificationUrl?: string;
  /** Echoed in every notification: the receiver drops notifications without it. At most 128 characters. */
  clientState: string;
  expirationDateTime: string;
}
