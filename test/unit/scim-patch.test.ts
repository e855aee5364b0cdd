/**
 * SCIM PATCH (mock-iam/scim/patch.ts): the PATCH examples of RFC 7644 §3.5.2 on the RFC's
 * "Tour Guides" group and Babs Jensen, IDCS custom extension attributes in the path form and the
 * value-object form, and every error (invalidSyntax, invalidPath, invalidFilter, noTarget,
 * invalidValue, mutability).
 */
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../common/errors.js';
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA, type PatchOptions } from '../../mock-iam/scim/patch.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const CUSTOM = 'urn:ietf:params:scim:schemas:idcs:extension:custom:User';
const ORACLE_USER = 'urn:ietf:params:scim:schemas:oracle:idcs:extension:user:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const BABS = '2819c223-7f76-453a-919d-413861904646';
const MANDY = '902c246b-6245-4190-8e05-00816be7344a';
const JAMES = '08e1d05d-121c-4561-8b96-473d93df9210';
const ref = (id: string) => `https://example.com/v2/Users/${id}`;

/** Deep-freezes a fixture so that any mutation of the input throws. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

const group = frozen({
  schemas: [CORE_GROUP],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [{ value: MANDY, $ref: ref(MANDY), display: 'Mandy Pepperidge' }],
  meta: { resourceType: 'Group', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z', version: 'W/"3694e05e9dff592"' },
});

const bjensen = frozen({
  schemas: [CORE_USER, CUSTOM],
  id: BABS,
  userName: 'bjensen',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  nickName: 'B',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'other' },
  ],
  addresses: [
    { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true },
    { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' },
  ],
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z', version: 'W/"a330bc54f0671c9"' },
  [CUSTOM]: { MichaelFischerTest1: 'Api1Access' },
});

const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });

/** Runs `f`, expects a 400 ScimError of that scimType, returns its detail. */
function patchError(scimType: string, f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe(scimType);
    expect(err.messageId).toBe(`error.common.validation.${scimType}`);
    return err.detail;
  }
  throw new Error(`expected a ${scimType} error`);
}

describe('RFC 7644 §3.5.2 PATCH examples', () => {
  it('§3.5.2.1 add members: appends, and adding the same member again changes nothing', () => {
    const body = patchOp({ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: ref(BABS), value: BABS }] });
    const patched = applyPatch(group, body);
    expect(patched.members).toEqual([
      { value: MANDY, $ref: ref(MANDY), display: 'Mandy Pepperidge' },
      { display: 'Babs Jensen', $ref: ref(BABS), value: BABS },
    ]);
    expect(applyPatch(patched, body)).toEqual(patched);
    // the same member value without display is the same member
    expect(applyPatch(patched, patchOp({ op: 'add', path: 'members', value: [{ value: MANDY }] })).members).toHaveLength(2);
    expect(group.members).toHaveLength(1);
  });

  it('§3.5.2.1 add with no path: the value object is merged into the resource', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }));
    expect(patched.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'other' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    // "nickname" matches the existing "nickName" case-insensitively (RFC 7643 §2.1)
    expect(patched.nickName).toBe('Babs');
    expect(Object.keys(patched)).not.toContain('nickname');
  });

  it('§3.5.2.2 remove a single member: members[value eq "2819c223…"]', () => {
    const withBabs = { ...group, members: [...group.members, { value: BABS, $ref: ref(BABS), display: 'Babs Jensen' }] };
    const patched = applyPatch(withBabs, patchOp({ op: 'remove', path: `members[value eq "${BABS}"]` }));
    expect(patched.members).toEqual([{ value: MANDY, $ref: ref(MANDY), display: 'Mandy Pepperidge' }]);
  });

  it('§3.5.2.2 remove all members; the last remove leaves the attribute unassigned', () => {
    expect('members' in applyPatch(group, patchOp({ op: 'remove', path: 'members' }))).toBe(false);
    expect('members' in applyPatch(group, patchOp({ op: 'remove', path: `members[value eq "${MANDY}"]` }))).toBe(false);
  });

  it('§3.5.2.2 remove all members, then add members, in one request', () => {
    const patched = applyPatch(
      group,
      patchOp(
        { op: 'remove', path: 'members' },
        { op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: ref(BABS), value: BABS }, { display: 'James Smith', $ref: ref(JAMES), value: JAMES }] },
      ),
    );
    expect(patched.members).toEqual([
      { display: 'Babs Jensen', $ref: ref(BABS), value: BABS },
      { display: 'James Smith', $ref: ref(JAMES), value: JAMES },
    ]);
  });

  it('§3.5.2.3 replace members: all values are replaced', () => {
    const value = [
      { display: 'Babs Jensen', $ref: ref(BABS), value: BABS },
      { display: 'James Smith', $ref: ref(JAMES), value: JAMES },
    ];
    expect(applyPatch(group, patchOp({ op: 'replace', path: 'members', value })).members).toEqual(value);
  });

  it('§3.5.2.3 replace emails[type eq "work"].value', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' }));
    expect(patched.emails).toEqual([
      { value: 'babs@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'other' },
    ]);
  });

  it('§3.5.2.3 replace addresses[type eq "work"] and addresses[type eq "work"].streetAddress', () => {
    const work = { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true };
    const replaced = applyPatch(bjensen, patchOp({ op: 'replace', path: 'addresses[type eq "work"]', value: work }));
    expect(replaced.addresses).toEqual([work, bjensen.addresses[1]]);
    const street = applyPatch(bjensen, patchOp({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect(street.addresses).toEqual([{ ...bjensen.addresses[0], streetAddress: '1010 Broadway Ave' }, bjensen.addresses[1]]);
  });

  it('§3.5.2.3 replace with no path: emails and nickName', () => {
    const patched = applyPatch(
      bjensen,
      patchOp({ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' } }),
    );
    expect(patched.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
    expect(patched.nickName).toBe('Babs');
    expect(patched.userName).toBe('bjensen');
  });
});

describe('IDCS custom extension attribute', () => {
  const CUSTOM_PATH = `${CUSTOM}:MichaelFischerTest1`;

  it('path form: replace, add on a user without the extension (which joins schemas), remove', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'replace', path: CUSTOM_PATH, value: 'Api2Access' }))[CUSTOM]).toEqual({ MichaelFischerTest1: 'Api2Access' });
    const plain = { schemas: [CORE_USER], id: 'u2', userName: 'jdoe' };
    const added = applyPatch(plain, patchOp({ op: 'add', path: CUSTOM_PATH, value: 'Api1Access' }));
    expect(added).toEqual({ schemas: [CORE_USER, CUSTOM], id: 'u2', userName: 'jdoe', [CUSTOM]: { MichaelFischerTest1: 'Api1Access' } });
    // removing the last attribute removes the extension object and its URN
    expect(applyPatch(added, patchOp({ op: 'remove', path: CUSTOM_PATH }))).toEqual(plain);
  });

  it('path form matches the attribute and the URN key case-insensitively', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'replace', path: `${CUSTOM.toLowerCase()}:michaelfischertest1`, value: 'Api3Access' }));
    expect(patched[CUSTOM]).toEqual({ MichaelFischerTest1: 'Api3Access' });
  });

  it('value-object form: add with no path and the extension URN as a key', () => {
    const plain = { schemas: [CORE_USER], id: 'u2', userName: 'jdoe' };
    const patched = applyPatch(plain, patchOp({ op: 'add', value: { [CUSTOM]: { MichaelFischerTest1: 'Api1Access' }, displayName: 'J Doe' } }));
    expect(patched).toEqual({ schemas: [CORE_USER, CUSTOM], id: 'u2', userName: 'jdoe', displayName: 'J Doe', [CUSTOM]: { MichaelFischerTest1: 'Api1Access' } });
  });

  it('value-object form: replace with no path keeps the other extension attributes', () => {
    const two = { ...bjensen, [CUSTOM]: { MichaelFischerTest1: 'Api1Access', Level: 'gold' } };
    const patched = applyPatch(two, patchOp({ op: 'replace', value: { [CUSTOM]: { MichaelFischerTest1: 'Api9Access' } } }));
    expect(patched[CUSTOM]).toEqual({ MichaelFischerTest1: 'Api9Access', Level: 'gold' });
  });

  it('no-path keys may be full paths (as Entra ID sends them)', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'replace', value: { [CUSTOM_PATH]: 'Api5Access', 'name.givenName': 'Babs' } }));
    expect(patched[CUSTOM]).toEqual({ MichaelFischerTest1: 'Api5Access' });
    expect(patched.name).toEqual({ familyName: 'Jensen', givenName: 'Babs' });
  });

  it('bare extension URN as the path: add merges, remove drops the extension and its URN', () => {
    const added = applyPatch(bjensen, patchOp({ op: 'add', path: CUSTOM, value: { Level: 'gold' } }));
    expect(added[CUSTOM]).toEqual({ MichaelFischerTest1: 'Api1Access', Level: 'gold' });
    const removed = applyPatch(bjensen, patchOp({ op: 'remove', path: CUSTOM }));
    expect(CUSTOM in removed).toBe(false);
    expect(removed.schemas).toEqual([CORE_USER]);
  });

  it('other Oracle extensions: isFederatedUser', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'add', path: `${ORACLE_USER}:isFederatedUser`, value: true }));
    expect(patched[ORACLE_USER]).toEqual({ isFederatedUser: true });
    expect(patched.schemas).toEqual([CORE_USER, CUSTOM, ORACLE_USER]);
  });

  it('enterprise extension sub-attribute: manager.value', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'add', path: `${ENTERPRISE}:manager.value`, value: JAMES }));
    expect(patched[ENTERPRISE]).toEqual({ manager: { value: JAMES } });
  });

  it('the core schema URN prefix is the core attribute', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'replace', path: `${CORE_USER}:userName`, value: 'babs' })).userName).toBe('babs');
  });
});

describe('PATCH semantics', () => {
  it('the input is not mutated (fixtures are deep-frozen) and the result is a copy', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'replace', path: 'name.givenName', value: 'Babs' }));
    expect(patched.name).toEqual({ familyName: 'Jensen', givenName: 'Babs' });
    expect(bjensen.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' });
    expect(patched.emails).not.toBe(bjensen.emails);
  });

  it('op names are case-insensitive; operations apply in order', () => {
    const patched = applyPatch(
      bjensen,
      patchOp({ op: 'Replace', path: 'title', value: 'Tour Guide' }, { op: 'ADD', path: 'title', value: 'Lead Guide' }, { op: 'remove', path: 'nickName' }),
    );
    expect(patched.title).toBe('Lead Guide');
    expect('nickName' in patched).toBe(false);
  });

  it('complex attributes: add/replace merge the given sub-attributes; sub-attribute paths', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'replace', path: 'name', value: { givenName: 'Babs', middleName: 'J' } })).name).toEqual({
      familyName: 'Jensen',
      givenName: 'Babs',
      middleName: 'J',
    });
    expect(applyPatch(bjensen, patchOp({ op: 'add', path: 'name.honorificPrefix', value: 'Ms.' })).name).toEqual({
      familyName: 'Jensen',
      givenName: 'Barbara',
      honorificPrefix: 'Ms.',
    });
    expect(applyPatch(bjensen, patchOp({ op: 'remove', path: 'name.givenName' })).name).toEqual({ familyName: 'Jensen' });
    // a sub-attribute of an absent complex attribute creates it; removing its last one removes it
    const withX = applyPatch(bjensen, patchOp({ op: 'add', path: 'x509.subject', value: 'CN=Babs' }));
    expect(withX.x509).toEqual({ subject: 'CN=Babs' });
    expect('x509' in applyPatch(withX, patchOp({ op: 'remove', path: 'x509.subject' }))).toBe(false);
  });

  it('replace of an absent attribute is an add; remove of an absent one changes nothing', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'replace', path: 'title', value: 'Guide' })).title).toBe('Guide');
    expect(applyPatch(bjensen, patchOp({ op: 'remove', path: 'title' }))).toEqual(bjensen);
    expect(applyPatch(bjensen, patchOp({ op: 'remove', path: `${ORACLE_USER}:isFederatedUser` }))).toEqual(bjensen);
  });

  it('null unassigns (RFC 7643 §2.5)', () => {
    expect('nickName' in applyPatch(bjensen, patchOp({ op: 'replace', path: 'nickName', value: null }))).toBe(false);
    expect(applyPatch(bjensen, patchOp({ op: 'replace', value: { nickName: null, title: 'T' } }))).toEqual(
      Object.fromEntries([...Object.entries(bjensen).filter(([k]) => k !== 'nickName'), ['title', 'T']]),
    );
  });

  it('multi-valued add: a value with the same "value" and "type" merges into the existing one', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work', display: 'Work' }] }));
    expect(patched.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true, display: 'Work' },
      { value: 'babs@jensen.org', type: 'other' },
    ]);
  });

  it('multi-valued add: a single object is added as one value', () => {
    const patched = applyPatch(group, patchOp({ op: 'add', path: 'members', value: { value: BABS } }));
    expect(patched.members).toEqual([{ value: MANDY, $ref: ref(MANDY), display: 'Mandy Pepperidge' }, { value: BABS }]);
  });

  it('schemas may be extended by add, without duplicates', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'add', path: 'schemas', value: [ENTERPRISE, CUSTOM] })).schemas).toEqual([CORE_USER, CUSTOM, ENTERPRISE]);
  });

  it('at most one primary: the value this operation wrote wins', () => {
    const added = applyPatch(bjensen, patchOp({ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'home', primary: true }] }));
    expect(added.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'other' },
      { value: 'new@example.com', type: 'home', primary: true },
    ]);
    const moved = applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails[type eq "other"].primary', value: true }));
    expect(moved.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'other', primary: true },
    ]);
  });

  it('add with a value filter merges into the matching values', () => {
    const patched = applyPatch(bjensen, patchOp({ op: 'add', path: 'emails[value ew "jensen.org"]', value: { display: 'Babs' } }));
    expect(patched.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'other', display: 'Babs' },
    ]);
  });

  it('replace and remove with a filter affect every match', () => {
    const two = { ...bjensen, phoneNumbers: [{ value: '555-1', type: 'work' }, { value: '555-2', type: 'work' }, { value: '555-3', type: 'mobile' }] };
    expect(applyPatch(two, patchOp({ op: 'replace', path: 'phoneNumbers[type eq "work"].type', value: 'office' })).phoneNumbers).toEqual([
      { value: '555-1', type: 'office' },
      { value: '555-2', type: 'office' },
      { value: '555-3', type: 'mobile' },
    ]);
    expect(applyPatch(two, patchOp({ op: 'remove', path: 'phoneNumbers[type eq "work"]' })).phoneNumbers).toEqual([{ value: '555-3', type: 'mobile' }]);
    expect(applyPatch(two, patchOp({ op: 'remove', path: 'phoneNumbers[type eq "mobile"].type' })).phoneNumbers).toEqual([
      { value: '555-1', type: 'work' },
      { value: '555-2', type: 'work' },
      { value: '555-3' },
    ]);
  });

  it('value filters are case-insensitive on names and values; caseExact is an option', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'remove', path: 'EMAILS[TYPE eq "WORK"]' })).emails).toEqual([{ value: 'babs@jensen.org', type: 'other' }]);
    const options: PatchOptions = { caseExact: (p) => p === 'emails.type' };
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type eq "WORK"]' }), options))).toBe(
      'Operations[0]: path "emails[type eq \\"WORK\\"]" matches no value',
    );
  });

  it('a filter on a simple multi-valued attribute compares "value"', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'remove', path: `schemas[value eq "${CUSTOM}"]` })).schemas).toEqual([CORE_USER]);
  });

  it('remove with a value list removes those values (Entra ID group members)', () => {
    const both = { ...group, members: [...group.members, { value: BABS, display: 'Babs Jensen' }] };
    expect(applyPatch(both, patchOp({ op: 'remove', path: 'members', value: [{ value: MANDY }] })).members).toEqual([{ value: BABS, display: 'Babs Jensen' }]);
    expect('members' in applyPatch(both, patchOp({ op: 'remove', path: 'members', value: [{ value: MANDY }, { value: BABS }] }))).toBe(false);
  });

  it('multiValued option: a schema-known multi-valued attribute gets an array on first add', () => {
    const options: PatchOptions = { multiValued: (p) => p === 'roles' };
    expect(applyPatch(bjensen, patchOp({ op: 'add', path: 'roles', value: { value: 'admin' } }), options).roles).toEqual([{ value: 'admin' }]);
    expect(applyPatch(bjensen, patchOp({ op: 'add', path: 'roles', value: { value: 'admin' } })).roles).toEqual({ value: 'admin' });
  });

  it('read-only attributes may be echoed with their current value', () => {
    expect(applyPatch(bjensen, patchOp({ op: 'replace', value: { id: BABS, meta: bjensen.meta, title: 'T' } })).title).toBe('T');
  });

  it('immutable attributes may be added once', () => {
    const options: PatchOptions = { immutable: ['externalId'] };
    const added = applyPatch(bjensen, patchOp({ op: 'add', path: 'externalId', value: 'ext-1' }), options);
    expect(added.externalId).toBe('ext-1');
    expect(patchError('mutability', () => applyPatch(added, patchOp({ op: 'replace', path: 'externalId', value: 'ext-2' }), options))).toBe(
      'Operations[0]: path "externalId": attribute "externalId" is immutable and cannot be replaced',
    );
  });

  it('parsePatchRequest normalises the operations', () => {
    expect(parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'Add', path: 'title', value: 'x' }, { op: 'REMOVE', path: 'nickName' }] })).toEqual([
      { op: 'add', path: 'title', value: 'x' },
      { op: 'remove', path: 'nickName' },
    ]);
  });
});

describe('PATCH errors → 400 with a detail naming the operation and the path', () => {
  it('the body is the IDCS SCIM error shape', () => {
    try {
      applyPatch(bjensen, patchOp({ op: 'add', path: 'title', value: 'x' }, { op: 'replace', path: 'emails[type eq "x"]', value: {} }));
      expect.unreachable();
    } catch (e) {
      expect((e as ScimError).body()).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error', 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error'],
        detail: 'Operations[1]: path "emails[type eq \\"x\\"]" matches no value',
        status: '400',
        scimType: 'noTarget',
        'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error': { messageId: 'error.common.validation.noTarget' },
      });
    }
  });

  it('invalidSyntax: the PatchOp message shape', () => {
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, 'nope'))).toBe('the PATCH body must be a JSON object (a PatchOp message)');
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, [patchOp()]))).toBe('the PATCH body must be a JSON object (a PatchOp message)');
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, { Operations: [{ op: 'add', path: 'title', value: 'x' }] }))).toBe(
      `"schemas" must be an array containing "${PATCH_OP_SCHEMA}"`,
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, { schemas: [CORE_USER], Operations: [{ op: 'add', path: 'title', value: 'x' }] }))).toBe(
      `"schemas" must be an array containing "${PATCH_OP_SCHEMA}"`,
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, { schemas: [PATCH_OP_SCHEMA] }))).toBe('"Operations" must be a non-empty array of {op, path, value}');
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, patchOp()))).toBe('"Operations" must be a non-empty array of {op, path, value}');
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, { schemas: [PATCH_OP_SCHEMA], Operations: { op: 'add' } }))).toBe(
      '"Operations" must be a non-empty array of {op, path, value}',
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'title', value: 'x' }, 'remove')))).toBe(
      'Operations[1] must be an object {op, path, value}',
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, patchOp({ op: 'move', path: 'title', value: 'x' })))).toBe(
      'Operations[0]: "op" must be "add", "replace" or "remove" (got "move")',
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, patchOp({ path: 'title', value: 'x' })))).toBe(
      'Operations[0]: "op" must be "add", "replace" or "remove" (got nothing)',
    );
    expect(patchError('invalidSyntax', () => applyPatch(bjensen, patchOp({ op: 1, path: 'title', value: 'x' })))).toBe(
      'Operations[0]: "op" must be "add", "replace" or "remove" (got 1)',
    );
  });

  it('invalidValue: a missing or unusable value', () => {
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'title' })))).toBe('Operations[0]: "add" needs a "value"');
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'title' })))).toBe(
      'Operations[1]: "replace" needs a "value"',
    );
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'add', value: 'Babs' })))).toBe(
      'Operations[0]: the value of "add" without "path" must be an object of attributes (got "Babs")',
    );
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'replace', value: [{ nickName: 'Babs' }] })))).toBe(
      'Operations[0]: the value of "replace" without "path" must be an object of attributes (got [{"nickName":"Babs"}])',
    );
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'add', path: CUSTOM, value: 'Api1Access' })))).toBe(
      `Operations[0]: path "${CUSTOM}": the value of extension "${CUSTOM}" must be an object of its attributes (got "Api1Access")`,
    );
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails[type eq "work"]', value: [{ value: 'a@b' }] })))).toBe(
      'Operations[0]: path "emails[type eq \\"work\\"]": replaces each matching value with one value; got an array',
    );
    expect(patchError('invalidValue', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'emails[type eq "work"]', value: 'a@b' })))).toBe(
      'Operations[0]: path "emails[type eq \\"work\\"]": "add" to matching values needs an object of sub-attributes and complex values (got "a@b")',
    );
    expect(
      patchError('invalidValue', () =>
        applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails', value: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] })),
      ),
    ).toBe('Operations[0]: path "emails": more than one value of "emails" would have "primary": true');
  });

  it('noTarget: remove without path, filters that match nothing', () => {
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'remove' })))).toBe('Operations[0]: "remove" needs a "path" (RFC 7644 §3.5.2.2)');
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'remove', value: { nickName: 'B' } })))).toBe(
      'Operations[0]: "remove" needs a "path" (RFC 7644 §3.5.2.2)',
    );
    expect(patchError('noTarget', () => applyPatch(group, patchOp({ op: 'remove', path: `members[value eq "${BABS}"]` })))).toBe(
      `Operations[0]: path "members[value eq \\"${BABS}\\"]" matches no value`,
    );
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails[type eq "home"].value', value: 'h@x' })))).toBe(
      'Operations[0]: path "emails[type eq \\"home\\"].value" matches no value',
    );
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'emails[type eq "home"]', value: { display: 'x' } })))).toBe(
      'Operations[0]: path "emails[type eq \\"home\\"]" matches no value',
    );
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'phoneNumbers[type eq "work"]' })))).toBe(
      'Operations[0]: path "phoneNumbers[type eq \\"work\\"]" matches no value ("phoneNumbers" has no values)',
    );
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'replace', path: `${ENTERPRISE}:emails[type eq "work"]`, value: {} })))).toBe(
      `Operations[0]: path "${ENTERPRISE}:emails[type eq \\"work\\"]" matches no value (the resource has no ${ENTERPRISE} attributes)`,
    );
    expect(patchError('noTarget', () => applyPatch(bjensen, patchOp({ op: 'remove', path: `${ENTERPRISE}:emails[type eq "work"]` })))).toBe(
      `Operations[0]: path "${ENTERPRISE}:emails[type eq \\"work\\"]" matches no value (the resource has no ${ENTERPRISE} attributes)`,
    );
  });

  it('invalidPath: paths that do not parse or do not fit the resource', () => {
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'add', path: 42, value: 'x' })))).toBe('Operations[0]: "path" must be a string (got 42)');
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'add', path: '', value: 'x' })))).toBe('Operations[0]: attribute path is empty');
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'name.given.name', value: 'x' })))).toBe(
      'Operations[0]: attribute path "name.given.name" has 3 levels; SCIM allows an attribute and one sub-attribute (attr.subAttr)',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type eq "work"' })))).toBe(
      'Operations[0]: attribute path "emails[type eq \\"work\\"": the "[" at position 7 is never closed by "]"',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type eq "work"]value' })))).toBe(
      'Operations[0]: attribute path "emails[type eq \\"work\\"]value": after "]" only ".subAttribute" may follow (got "value")',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'emails.value', value: 'a@b' })))).toBe(
      'Operations[0]: path "emails.value": "emails" is multi-valued; select its elements with a value filter, e.g. emails[type eq "work"].value',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'userName.first', value: 'b' })))).toBe(
      'Operations[0]: path "userName.first": "userName" is not a complex attribute, so it has no sub-attribute "first"',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'name[givenName eq "Barbara"]' })))).toBe(
      'Operations[0]: path "name[givenName eq \\"Barbara\\"]": "name" is not multi-valued, so a value filter cannot select from it',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'remove', path: `schemas[value eq "${CUSTOM}"].type` })))).toBe(
      `Operations[0]: path "schemas[value eq \\"${CUSTOM}\\"].type": the values of "schemas" are not complex, so they have no sub-attribute "type"`,
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'replace', value: { 'emails[type eq "work"].value': 'x' } })))).toBe(
      'Operations[0]: value attribute "emails[type eq \\"work\\"].value": a value filter cannot be used as an attribute name',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'replace', value: { 'bad name': 'x' } })))).toBe(
      'Operations[0]: attribute path "bad name": "bad name" is not a valid attribute name (a letter, then letters, digits, "_" or "-")',
    );
    expect(patchError('invalidPath', () => applyPatch(bjensen, patchOp({ op: 'replace', path: CORE_USER, value: {} })))).toBe(
      `Operations[0]: attribute path "${CORE_USER}" names the core schema, not an attribute`,
    );
  });

  it('invalidFilter: the value filter of a path (RFC 7644 Table 9)', () => {
    expect(patchError('invalidFilter', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type xx "work"]' })))).toBe(
      'Operations[0]: path "emails[type xx \\"work\\"]": value filter "type xx \\"work\\"": Invalid filter: unknown operator "xx" (expected eq, ne, co, sw, ew, pr, gt, ge, lt or le) at position 6 (near "xx \\"work\\"")',
    );
    expect(patchError('invalidFilter', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type eq work]' })))).toBe(
      'Operations[0]: path "emails[type eq work]": value filter "type eq work": Invalid filter: comparison value work is not a JSON string, number, true, false or null (strings need double quotes) at position 9 (near "work")',
    );
    expect(patchError('invalidFilter', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'emails[type.x eq "work"]' })))).toBe(
      'Operations[0]: path "emails[type.x eq \\"work\\"]": value filter "type.x eq \\"work\\"": Invalid filter: inside the value filter of "emails", "type.x" must be a plain sub-attribute name at position 1',
    );
  });

  it('mutability: read-only attributes (default id and meta; options.readOnly)', () => {
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'id', value: 'other' })))).toBe(
      'Operations[0]: path "id": attribute "id" is readOnly and cannot be replaced',
    );
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'remove', path: 'meta' })))).toBe(
      'Operations[0]: path "meta": attribute "meta" is readOnly and cannot be removed',
    );
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' })))).toBe(
      'Operations[0]: path "meta.lastModified": attribute "meta.lastModified" is readOnly and cannot be added to',
    );
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'META.version', value: 'W/"1"' })))).toBe(
      'Operations[0]: path "META.version": attribute "META.version" is readOnly and cannot be replaced',
    );
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'add', value: { title: 'x', id: 'other' } })))).toBe(
      'Operations[0]: value attribute "id": attribute "id" is readOnly and cannot be added to',
    );
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'replace', path: 'meta', value: { version: 'x' } })))).toBe(
      'Operations[0]: path "meta": attribute "meta" is readOnly and cannot be replaced',
    );
    const options: PatchOptions = { readOnly: ['id', 'meta', 'groups', `${ORACLE_USER}:appRoles`] };
    expect(patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'add', path: 'groups', value: [{ value: 'g1' }] }), options))).toBe(
      'Operations[0]: path "groups": attribute "groups" is readOnly and cannot be added to',
    );
    expect(
      patchError('mutability', () => applyPatch(bjensen, patchOp({ op: 'add', path: ORACLE_USER, value: { isFederatedUser: true, appRoles: [{ value: 'r' }] } }), options)),
    ).toBe(`Operations[0]: path "${ORACLE_USER}": attribute "${ORACLE_USER}:appRoles" is readOnly and cannot be added to`);
    // without "groups" in readOnly, groups is writable
    expect(applyPatch(bjensen, patchOp({ op: 'add', path: 'groups', value: [{ value: 'g1' }] })).groups).toEqual([{ value: 'g1' }]);
  });

  it('an error in any operation applies none of them', () => {
    const before = structuredClone(bjensen);
    expect(
      patchError('noTarget', () =>
        applyPatch(bjensen, patchOp({ op: 'replace', path: 'userName', value: 'babs' }, { op: 'remove', path: 'emails[type eq "home"]' })),
      ),
    ).toBe('Operations[1]: path "emails[type eq \\"home\\"]" matches no value');
    expect(bjensen).toEqual(before);
  });
});
