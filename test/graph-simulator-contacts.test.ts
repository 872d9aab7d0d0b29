import { appToken, rawRequest, startHarness, type SimHarness } from './support/graph-sim.js';
import type { SimContact, SimUser } from '../simulators/graph/index.js';

let h: SimHarness;
let token: string;

beforeAll(async () => {
  h = await startHarness({ users: 300, seed: 5 });
  token = await appToken(h.sim);
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => h.sim.control.configure({ contactMoveKeepsId: false }));

interface Page {
  value: (Partial<SimContact> & { id: string; '@removed'?: { reason: string } })[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const get = (url: string, headers: Record<string, string> = {}, bearer = token) =>
  rawRequest(h.sim, 'GET', url.startsWith('https://') ? url.slice(h.sim.url.length) : `/v1.0${url}`, {
    headers: { authorization: `Bearer ${bearer}`, ...headers },
  });

/** Follows nextLinks to the deltaLink; returns the pages and the deltaLink. */
async function deltaRound(url: string, maxPageSize?: number) {
  const headers: Record<string, string> =
    maxPageSize === undefined ? {} : { prefer: `odata.maxpagesize=${maxPageSize}` };
  const pages: Page[] = [];
  let next: string | undefined = url;
  while (next) {
    const res = await get(next, headers);
    expect(res.status).toBe(200);
    const page = res.json<Page>();
    pages.push(page);
    next = page['@odata.nextLink'];
    if (!next)
      return { pages, items: pages.flatMap((p) => p.value), deltaLink: page['@odata.deltaLink'] ?? '' };
  }
  throw new Error('unreachable');
}

const deltaUrl = (mailbox: string, folderId: string) =>
  `/users/${mailbox}/contactFolders/${folderId}/contacts/delta`;

/** A shared mailbox with an empty folder of its own for one test. */
function freshFolder(name: string) {
  const mailbox = sharedMailboxes()[0] as SimUser;
  return { mailbox: mailbox.id, folder: h.sim.control.createContactFolder(mailbox.id, name).id };
}

function sharedMailboxes(): SimUser[] {
  return h.sim.control
    .listUsers()
    .filter((u) => !u.accountEnabled && u.mail?.match(/^[a-z]+@contoso\.example$/));
}

describe('generated tenant', () => {
  test('shared mailboxes Reception, Suppliers, Customers: by default from 1,250 users, on request below', () => {
    h.sim.control.generateTenant({ users: 1500, seed: 8 });
    const byMail = (mail: string) => h.sim.control.listUsers().find((u) => u.mail === mail);
    for (const mail of ['reception', 'suppliers', 'customers']) {
      expect(byMail(`${mail}@contoso.example`)).toMatchObject({ accountEnabled: false, userType: 'Member' });
    }

    const small = h.sim.control.generateTenant({ users: 40, seed: 1, sharedMailboxes: 3 });
    expect(small.liveUsers).toBe(40);
    const suppliers = byMail('suppliers@contoso.example');
    if (!suppliers) throw new Error('no Suppliers mailbox');
    expect(suppliers.userPrincipalName).toBe('suppliers@contoso.onmicrosoft.com');
    expect(byMail('customers@contoso.example')).toBeDefined();
    // Reception keeps exactly its two folders; the others also have a child folder under Suppliers.
    const reception = byMail('reception@contoso.example')?.id ?? '';
    expect(h.sim.control.contactFolders(reception).map((f) => f.displayName)).toEqual([
      'Contacts',
      'Suppliers',
    ]);
    const folders = h.sim.control.contactFolders(suppliers.id);
    const parent = folders.find((f) => f.displayName === 'Suppliers');
    expect(folders.find((f) => f.displayName === 'Europe')?.parentFolderId).toBe(parent?.id);
  });

  test('the generator is deterministic per seed and adds messy and personal contacts', async () => {
    h.sim.control.generateTenant({ users: 300, seed: 5 });
    const users = h.sim.control.listUsers();
    const contacts = (u: SimUser) =>
      h.sim.control.contactFolders(u.id).flatMap((f) => h.sim.control.listContacts(u.id, f.id));
    const all = users.flatMap(contacts);
    h.sim.control.generateTenant({ users: 300, seed: 5 });
    expect(h.sim.control.listUsers().map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect(users.flatMap(contacts).map((c) => c.id)).toEqual(all.map((c) => c.id));

    const numbers = (c: SimContact) => [
      ...c.businessPhones,
      ...c.homePhones,
      ...(c.mobilePhone ? [c.mobilePhone] : []),
    ];
    expect(all.some((c) => c.businessPhones.length >= 3)).toBe(true);
    expect(all.some((c) => c.homePhones.length >= 2)).toBe(true);
    expect(all.some((c) => numbers(c).length === 0)).toBe(true);
    expect(all.some((c) => !c.givenName && !c.surname && !c.companyName)).toBe(true); // displayName only
    expect(all.some((c) => /[\u0590-\u06ff]/.test(c.displayName))).toBe(true); // RTL
    expect(all.some((c) => /[\u3040-\u9fff\uac00-\ud7af]/.test(c.displayName))).toBe(true); // CJK
    const formats = all.flatMap(numbers);
    expect(formats.some((n) => n.includes('(0)'))).toBe(true);
    expect(formats.some((n) => n.startsWith('00'))).toBe(true);
    expect(formats.some((n) => n.includes('ext.'))).toBe(true);

    // Personal contacts: a few ordinary users have some in their default Contacts folder.
    const personal = users.filter((u) => u.accountEnabled && h.sim.control.listContacts(u.id).length > 0);
    expect(personal.length).toBeGreaterThanOrEqual(3);
    const res = await get(`/users/${personal[0]?.id}/contacts?$top=100`);
    expect(res.json<Page>().value.length).toBe(h.sim.control.listContacts(personal[0]?.id ?? '').length);
  });
});

describe('Graph surface', () => {
  test('contactFolders lists the top level; childFolders pages with $top and nextLink; child folder contacts', async () => {
    const { mailbox, folder } = freshFolder('Partners');
    const children = ['A', 'B', 'C'].map((name) => h.sim.control.createChildFolder(mailbox, folder, name));
    h.sim.control.addContact(
      mailbox,
      { displayName: 'In B', businessPhones: ['+1 555 0100'] },
      children[1]?.id,
    );

    const top = (await get(`/users/${mailbox}/contactFolders?$top=100&$select=id,displayName`)).json<Page>();
    expect(top.value.map((f) => f.displayName)).toContain('Partners');
    expect(top.value.map((f) => f.displayName)).not.toContain('A');
    expect(Object.keys(top.value[0] ?? {}).sort()).toEqual(['displayName', 'id']);

    const first = (await get(`/users/${mailbox}/contactFolders/${folder}/childFolders?$top=2`)).json<Page>();
    expect(first.value.map((f) => f.displayName)).toEqual(['A', 'B']);
    expect(first.value[0]?.parentFolderId).toBe(folder);
    const second = (await get(first['@odata.nextLink'] ?? '')).json<Page>();
    expect(second.value.map((f) => f.displayName)).toEqual(['C']);
    expect(second['@odata.nextLink']).toBeUndefined();

    const inChild = await get(
      `/users/${mailbox}/contactFolders/${folder}/childFolders/${children[1]?.id}/contacts`,
    );
    expect(inChild.json<Page>().value.map((c) => c.displayName)).toEqual(['In B']);
    const wrongParent = await get(
      `/users/${mailbox}/contactFolders/${children[0]?.id}/childFolders/${children[1]?.id}/contacts`,
    );
    expect(wrongParent.status).toBe(404);
    expect(wrongParent.json()).toMatchObject({ error: { code: 'ErrorItemNotFound' } });

    // Delta is per folder, child folders included (addressed by id under contactFolders).
    const round = await deltaRound(deltaUrl(mailbox, children[1]?.id ?? ''));
    expect(round.items.map((c) => c.displayName)).toEqual(['In B']);
  });

  test('Contacts.Read is required: 403 ErrorAccessDenied; unknown folder: 404 ErrorItemNotFound', async () => {
    const { mailbox } = freshFolder('Any');
    const app = h.sim.control.registerApp({ clientSecret: 'no-contacts-secret', roles: ['User.Read.All'] });
    const weak = await appToken(h.sim, app.clientId, 'no-contacts-secret');
    for (const path of [`/users/${mailbox}/contacts`, `/users/${mailbox}/contactFolders`]) {
      const res = await get(path, {}, weak);
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'ErrorAccessDenied' } });
    }
    const missing = await get(deltaUrl(mailbox, 'AAMkNoSuchFolder'));
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'ErrorItemNotFound' } });
  });
});

describe('per-folder contact delta', () => {
  test('Prefer: odata.maxpagesize pages with nextLinks, at most 200 per page', async () => {
    const { mailbox, folder } = freshFolder('Huge');
    expect(h.sim.control.generateContacts({ mailbox, folderId: folder, count: 450, seed: 4 }).added).toBe(
      450,
    );
    const capped = await deltaRound(deltaUrl(mailbox, folder), 500);
    expect(capped.pages.map((p) => p.value.length)).toEqual([200, 200, 50]);
    expect(new Set(capped.items.map((c) => c.id)).size).toBe(450);
    const small = await deltaRound(deltaUrl(mailbox, folder), 100);
    expect(small.pages.map((p) => p.value.length)).toEqual([100, 100, 100, 100, 50]);
    const empty = await deltaRound(capped.deltaLink);
    expect(empty.items).toEqual([]);
  });

  test('deleted and moved-out contacts come as @removed; a moved contact is new in its new folder', async () => {
    const { mailbox, folder: a } = freshFolder('Move A');
    const b = h.sim.control.createChildFolder(mailbox, a, 'Move B').id;
    const [stay, gone, moving, edited] = h.sim.control.addContacts(
      mailbox,
      ['Stay', 'Gone', 'Moving', 'Edited'].map((displayName) => ({
        displayName,
        mobilePhone: '+1 555 0101',
      })),
      a,
    );
    const roundA = await deltaRound(deltaUrl(mailbox, a));
    const roundB = await deltaRound(deltaUrl(mailbox, b));
    expect(roundA.items.map((c) => c.displayName)).toEqual(['Stay', 'Gone', 'Moving', 'Edited']);

    h.sim.control.deleteContact(mailbox, gone?.id ?? '');
    const moved = h.sim.control.moveContact(mailbox, moving?.id ?? '', b);
    expect(moved.id).not.toBe(moving?.id); // Outlook's default: a moved item has a new id
    expect(moved.parentFolderId).toBe(b);
    h.sim.control.updateContact(mailbox, edited?.id ?? '', { jobTitle: 'Edited' });
    const added = h.sim.control.addContact(mailbox, { displayName: 'Added' }, a);

    const nextA = await deltaRound(roundA.deltaLink);
    expect(nextA.items).toEqual(
      expect.arrayContaining([
        { id: gone?.id, '@removed': { reason: 'deleted' } },
        { id: moving?.id, '@removed': { reason: 'deleted' } },
        expect.objectContaining({ id: edited?.id, jobTitle: 'Edited' }),
        expect.objectContaining({ id: added.id, displayName: 'Added' }),
      ]),
    );
    expect(nextA.items).toHaveLength(4);
    expect(nextA.items.map((c) => c.id)).not.toContain(stay?.id);
    const nextB = await deltaRound(roundB.deltaLink);
    expect(nextB.items).toEqual([
      expect.objectContaining({ id: moved.id, displayName: 'Moving', parentFolderId: b }),
    ]);

    // With contactMoveKeepsId the same id leaves one folder and arrives in the other.
    h.sim.control.configure({ contactMoveKeepsId: true });
    const back = h.sim.control.moveContact(mailbox, moved.id, a);
    expect(back.id).toBe(moved.id);
    expect((await deltaRound(nextB.deltaLink)).items).toEqual([
      { id: moved.id, '@removed': { reason: 'deleted' } },
    ]);
    expect((await deltaRound(nextA.deltaLink)).items).toEqual([
      expect.objectContaining({ id: moved.id, parentFolderId: a }),
    ]);
  });

  test('an initial round does not skip contacts when others are deleted between its pages', async () => {
    const { mailbox, folder } = freshFolder('Shrinking');
    const created = h.sim.control.addContacts(
      mailbox,
      Array.from({ length: 10 }, (_, i) => ({ displayName: `Contact ${i}` })),
      folder,
    );
    const first = (await get(deltaUrl(mailbox, folder), { prefer: 'odata.maxpagesize=4' })).json<Page>();
    for (const c of first.value) h.sim.control.deleteContact(mailbox, c.id);
    const rest = await deltaRound(first['@odata.nextLink'] ?? '', 4);
    expect(rest.items.map((c) => c.id)).toEqual(created.slice(4).map((c) => c.id));
  });

  test('expireContactDeltaTokens: older tokens of that mailbox (or all) answer 410 SyncStateNotFound', async () => {
    const { mailbox, folder } = freshFolder('Expiring');
    const otherBox = sharedMailboxes()[1] ?? h.sim.control.listUsers()[0];
    const other = h.sim.control.contactFolders(otherBox?.id ?? '')[0]?.id ?? '';
    h.sim.control.addContacts(mailbox, [{ displayName: 'One' }, { displayName: 'Two' }], folder);
    const round = await deltaRound(deltaUrl(mailbox, folder));
    const skipLink = (await get(deltaUrl(mailbox, folder), { prefer: 'odata.maxpagesize=1' })).json<Page>()[
      '@odata.nextLink'
    ];
    const otherRound = await deltaRound(deltaUrl(otherBox?.id ?? '', other));

    await rawRequest(h.sim, 'POST', '/_sim/expireContactDeltaTokens', { body: JSON.stringify([mailbox]) });
    for (const link of [round.deltaLink, skipLink ?? '']) {
      const expired = await get(link);
      expect(expired.status).toBe(410);
      expect(expired.json()).toMatchObject({ error: { code: 'SyncStateNotFound' } });
    }
    expect((await get(otherRound.deltaLink)).status).toBe(200);
    const fresh = await deltaRound(deltaUrl(mailbox, folder));
    expect(fresh.items.map((c) => c.displayName)).toEqual(['One', 'Two']);
    expect((await get(fresh.deltaLink)).status).toBe(200);

    h.sim.control.expireContactDeltaTokens();
    expect((await get(fresh.deltaLink)).status).toBe(410);
    expect((await get(otherRound.deltaLink)).status).toBe(410);
  });

  test('bulk: 500 contacts into a folder quickly, over the HTTPS control API too', async () => {
    const { mailbox, folder } = freshFolder('Bulk');
    const started = Date.now();
    const res = await rawRequest(h.sim, 'POST', '/_sim/addContacts', {
      body: JSON.stringify([
        mailbox,
        Array.from({ length: 500 }, (_, i) => ({
          displayName: `Bulk ${i}`,
          businessPhones: [`+1 555 ${1000 + i}`],
        })),
        folder,
      ]),
    });
    expect(res.json<{ result: SimContact[] }>().result).toHaveLength(500);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.sim.control.listContacts(mailbox, folder)).toHaveLength(500);
  });
});
