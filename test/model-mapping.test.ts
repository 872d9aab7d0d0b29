import { describe, expect, it } from '@jest/globals';
import {
  defaultSyncPolicy,
  mapUser,
  normalizePhone,
  parseSyncPolicy,
  type DirectoryUser,
  type MappingResult,
  type SyncPolicy,
} from '../model/index.js';

const user = (overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id: 'oid-1',
  userPrincipalName: 'Jane.Doe@contoso.com',
  mail: 'jane.doe@contoso.com',
  givenName: 'Jane',
  surname: 'Doe',
  displayName: 'Jane Doe',
  mobilePhone: '+49 (30) 1234-567',
  businessPhones: [],
  jobTitle: 'Engineer',
  department: 'R&D',
  accountEnabled: true,
  userType: 'Member',
  ...overrides,
});

const policyWith = (input: object): SyncPolicy => {
  const parsed = parseSyncPolicy(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.policy;
};

function expectOk(result: MappingResult) {
  if (!result.ok) throw new Error(result.errors.map((e) => e.reason).join('\n'));
  return result;
}

function expectErrors(result: MappingResult) {
  if (result.ok) throw new Error('expected mapping errors');
  return result.errors;
}

describe('mapUser', () => {
  const policy = defaultSyncPolicy();

  it('maps the default attributes', () => {
    const { extension, warnings } = expectOk(mapUser(user(), policy));
    expect(extension).toEqual({
      objectId: 'oid-1',
      userPrincipalName: 'Jane.Doe@contoso.com',
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane.doe@contoso.com',
      mobile: '+49301234567',
      title: 'Engineer',
      department: 'RD',
      ssoIdentity: 'jane.doe@contoso.com',
      linkusEnabled: true,
    });
    expect(warnings).toEqual([
      { field: 'department', reason: expect.stringContaining('Jane.Doe@contoso.com (oid-1): department') },
    ]);
  });

  it('uses the UPN when mail is missing', () => {
    const { extension } = expectOk(mapUser(user({ mail: null }), policy));
    expect(extension.email).toBe('jane.doe@contoso.com');
  });

  it('reports a guest without mail whose UPN is not an address the PBX accepts', () => {
    const guest = user({
      mail: undefined,
      userPrincipalName: 'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    });
    const errors = expectErrors(mapUser(guest, policy));
    expect(errors).toEqual([
      {
        field: 'email',
        reason: expect.stringMatching(
          /^bob_fabrikam\.com#EXT#@contoso\.onmicrosoft\.com \(oid-1\): email .*not an address/,
        ),
      },
    ]);
  });

  it('falls back to displayName, then the UPN local part, for names', () => {
    const fromDisplay = expectOk(
      mapUser(user({ givenName: null, surname: ' ', displayName: 'Mary Ann Lee' }), policy),
    );
    expect([fromDisplay.extension.firstName, fromDisplay.extension.lastName]).toEqual(['Mary', 'Ann Lee']);
    const fromUpn = expectOk(mapUser(user({ givenName: null, surname: null, displayName: null }), policy));
    expect([fromUpn.extension.firstName, fromUpn.extension.lastName]).toEqual(['JaneDoe', '']);
  });

  it('rejects names longer than the PBX allows, naming user and field', () => {
    const errors = expectErrors(mapUser(user({ givenName: 'A'.repeat(64) }), policy));
    expect(errors).toEqual([
      {
        field: 'firstName',
        reason: expect.stringContaining('Jane.Doe@contoso.com (oid-1): firstName is 64 characters long'),
      },
    ]);
  });

  it('shortens long titles by default and names with the truncate transform', () => {
    const truncating = policyWith({
      mapping: { firstName: { from: ['givenName'], transforms: ['trim', 'truncate:10'] } },
    });
    const result = expectOk(
      mapUser(user({ givenName: 'Maximiliane-Alexandra', jobTitle: 'T'.repeat(300) }), truncating),
    );
    expect(result.extension.firstName).toBe('Maximilian');
    expect(result.extension.title).toHaveLength(127);
    expect(result.warnings.map((w) => w.field)).toEqual(['title', 'department']);
  });

  it('strips characters the PBX rejects and says so', () => {
    const result = expectOk(mapUser(user({ givenName: 'Zoë "Z" <admin>', surname: "O'Brien" }), policy));
    expect(result.extension.firstName).toBe('Zoë Z admin');
    expect(result.extension.lastName).toBe('OBrien');
    expect(result.warnings.map((w) => w.field)).toEqual(['firstName', 'lastName', 'department']);
  });

  it('reports a name made only of rejected characters', () => {
    const errors = expectErrors(mapUser(user({ givenName: '...', surname: '$$' }), policy));
    expect(errors.map((e) => e.field)).toEqual(['firstName']);
  });

  it('rejects a name made only of bidi and zero-width characters as empty', () => {
    const errors = expectErrors(
      mapUser(user({ givenName: '\u202E\u200B', surname: null, displayName: '\u202E\u200B' }), policy),
    );
    expect(errors).toEqual([
      { field: 'firstName', reason: expect.stringContaining('firstName is empty') as unknown },
    ]);
  });

  it('strips bidi and zero-width format characters from names and titles, naming them', () => {
    const result = expectOk(
      mapUser(
        user({ givenName: 'Ada\u200BLovelace', surname: '\u202EecalevoL', jobTitle: 'Eng\u2066ineer\u2069' }),
        policy,
      ),
    );
    expect(result.extension.firstName).toBe('AdaLovelace');
    expect(result.extension.lastName).toBe('ecalevoL');
    expect(result.extension.title).toBe('Engineer');
    expect(result.warnings.find((w) => w.field === 'firstName')?.reason).toContain('(U+200B)');
    expect(result.warnings.find((w) => w.field === 'title')?.reason).toContain('(U+2066 U+2069)');
  });

  it('falls back to the first business phone and reports a phone that is not one', () => {
    const fallback = expectOk(
      mapUser(user({ mobilePhone: null, businessPhones: ['0049 89 555 12 x 300'] }), policy),
    );
    expect(fallback.extension.mobile).toBe('+498955512');
    const errors = expectErrors(mapUser(user({ mobilePhone: 'call reception' }), policy));
    expect(errors).toEqual([
      { field: 'mobile', reason: expect.stringContaining('"call reception" is not a phone number') },
    ]);
  });

  it('reads a requested number and reports one that is not an extension', () => {
    const numbered = policyWith({ numbers: { attribute: 'extensionAttribute3' } });
    const ok = expectOk(mapUser(user({ extensionAttributes: { extensionAttribute3: ' 1042 ' } }), numbered));
    expect(ok.extension.requestedNumber).toBe('1042');
    for (const bad of ['10-42', '123456789']) {
      const errors = expectErrors(
        mapUser(user({ extensionAttributes: { extensionAttribute3: bad } }), numbered),
      );
      expect(errors).toEqual([
        { field: 'number', reason: expect.stringContaining('number from extensionAttribute3') },
      ]);
    }
  });

  it('never throws on malformed input', () => {
    const broken = { id: 42, businessPhones: 'nope', extensionAttributes: null } as unknown as DirectoryUser;
    const errors = expectErrors(mapUser(broken, policy));
    expect(errors.map((e) => e.field)).toEqual(expect.arrayContaining(['id', 'userPrincipalName', 'email']));
  });

  it('sets the SSO identity from the configured source', () => {
    const byUpn = policyWith({ mapping: { ssoIdentity: 'userPrincipalName', linkus: false } });
    const { extension } = expectOk(mapUser(user({ mail: 'JD@Contoso.com' }), byUpn));
    expect([extension.ssoIdentity, extension.linkusEnabled]).toEqual(['jane.doe@contoso.com', false]);
  });
});

describe('normalizePhone', () => {
  it.each([
    ['+1 (555) 123-4567', '+15551234567'],
    ['030/123 45', '03012345'],
    ['0044 20 7946 0000 ext. 12', '+442079460000'],
  ])('%s → %s', (input, phone) => expect(normalizePhone(input)).toEqual({ ok: true, phone }));

  it('rejects text, too short and too long numbers', () => {
    expect(normalizePhone('n/a').ok).toBe(false);
    expect(normalizePhone('12').ok).toBe(false);
    expect(normalizePhone('1'.repeat(32)).ok).toBe(false);
  });
});

describe('parseSyncPolicy', () => {
  it('fills defaults', () => {
    const policy = defaultSyncPolicy();
    expect(policy.numbers.ranges).toEqual([{ from: 1000, to: 5999 }]);
    expect(policy.mapping.email.from).toEqual(['mail', 'userPrincipalName']);
    expect(policy.offboarding).toEqual({
      graceDays: 7,
      maxCount: 10,
      maxPercent: 10,
      welcomeEmailOnReturn: false,
    });
  });

  it('names each bad key', () => {
    const parsed = parseSyncPolicy({
      scope: { attributeFilter: { attribute: 'shoeSize', equals: 'x', in: ['y'] } },
      numbers: { ranges: [{ from: 2000, to: 1000 }] },
      mapping: { title: { from: ['jobTitle'], transforms: ['shout'] } },
      upsertOnyl: true,
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      expect.stringMatching(/^scope\.attributeFilter\.attribute: unknown user attribute "shoeSize"/),
      expect.stringMatching(/^scope\.attributeFilter: .*exactly one of/),
      expect.stringMatching(/^numbers\.ranges\.0: a range needs from ≤ to/),
      expect.stringMatching(/^mapping\.title\.transforms\.0: unknown transform/),
      expect.stringMatching(/upsertOnyl/),
    ]);
  });
});
