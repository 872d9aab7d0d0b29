import { CONTACT_SHAPES, messyContacts } from './contact-generator.js';
import { newContact, type MailboxSnapshot } from './mailboxes.js';
import type { SimContact, SimUser } from './model.js';
import type { Rng } from './random.js';
import { asciiSlug, BASE_TIME, COMPANIES, GIVEN, phone, SURNAMES, TITLES } from './sample-data.js';

/** The two folders of every generated shared mailbox, drawn from the tenant's main random sequence. */
export function sharedMailboxFolders(rng: Rng, index: number): MailboxSnapshot['folders'] {
  const root = rng.outlookId();
  return ['Contacts', 'Suppliers'].map((displayName, f) => {
    const id = rng.outlookId();
    const contacts: SimContact[] = [];
    const n = 15 + rng.int(30);
    for (let c = 0; c < n; c++) {
      const given = rng.pick(GIVEN);
      const surname = rng.pick(SURNAMES);
      const company = rng.pick(COMPANIES);
      const stamp = new Date(BASE_TIME + (index * 100 + f * 50 + c) * 60_000).toISOString();
      contacts.push({
        id: rng.outlookId(),
        displayName: rng.chance(0.1) ? company : `${given} ${surname}`,
        givenName: given,
        surname,
        companyName: company,
        jobTitle: rng.chance(0.5) ? rng.pick(TITLES) : null,
        department: null,
        businessPhones: rng.chance(0.8) ? [phone(rng, c)] : [],
        homePhones: rng.chance(0.1) ? [phone(rng, c + 3)] : [],
        mobilePhone: rng.chance(0.5) ? phone(rng, c + 5) : null,
        emailAddresses: rng.chance(0.8)
          ? [
              {
                name: `${given} ${surname}`,
                address: `${asciiSlug(given) || 'contact'}${c}@${asciiSlug(company)}.example`,
              },
            ]
          : [],
        parentFolderId: id,
        createdDateTime: stamp,
        lastModifiedDateTime: stamp,
        changeKey: rng.outlookId().slice(4, 20),
      });
    }
    return { id, displayName, parentFolderId: root, contacts };
  });
}

function contactsIn(rng: Rng, folderId: string, count: number): SimContact[] {
  const stamp = new Date(BASE_TIME + rng.int(500_000) * 60_000).toISOString();
  return messyContacts(rng, count).map((input) =>
    newContact(input, rng.outlookId(), folderId, stamp, rng.outlookId().slice(4, 20)),
  );
}

function messyFolder(rng: Rng, displayName: string, parentFolderId: string, count: number) {
  const id = rng.outlookId();
  return { id, displayName, parentFolderId, contacts: contactsIn(rng, id, count) };
}

/**
 * Adds the contacts a contacts sync must cope with, from a random sequence of their own so that a seed's
 * users and groups stay as they were: messy contacts in each shared mailbox's Contacts folder; a child folder
 * under the Suppliers folder of each shared mailbox after Reception (whose two folders stay as before); and
 * personal contacts, with one child folder, for the first three enabled members and every 100th.
 * Returns the personal mailboxes.
 */
export function addMessyContacts(
  rng: Rng,
  shared: readonly MailboxSnapshot[],
  members: readonly SimUser[],
): MailboxSnapshot[] {
  shared.forEach(({ folders }, s) => {
    const [contacts, suppliers] = folders;
    contacts?.contacts.push(...contactsIn(rng, contacts.id, CONTACT_SHAPES));
    if (s > 0 && suppliers) folders.push(messyFolder(rng, 'Europe', suppliers.id, 12));
  });
  return members
    .filter((_, k) => k < 3 || k % 100 === 0)
    .map((user, k) => {
      const contacts = messyFolder(rng, 'Contacts', rng.outlookId(), 3 + rng.int(6));
      const family = k === 0 ? [messyFolder(rng, 'Family', contacts.id, 3)] : [];
      return { userId: user.id, folders: [contacts, ...family] };
    });
}
