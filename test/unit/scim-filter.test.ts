/**
 * SCIM attribute paths and filters (mock-iam/scim/attribute-path.ts, filter.ts): the filter
 * examples of RFC 7644 §3.4.2.2 on a small set of users, IDCS extension paths
 * (`urn:…:custom:User:MichaelFischerTest1`), and every invalidFilter / invalidPath error.
 */
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../common/errors.js';
import { formatAttributePath, parseAttributePath, resolvePath } from '../../mock-iam/scim/attribute-path.js';
import { compileFilter, defaultCaseExact, parseFilter, type FilterOptions } from '../../mock-iam/scim/filter.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CUSTOM = 'urn:ietf:params:scim:schemas:idcs:extension:custom:User';
const ORACLE_USER = 'urn:ietf:params:scim:schemas:oracle:idcs:extension:user:User';
const USER_STATE = 'urn:ietf:params:scim:schemas:oracle:idcs:extension:userState:User';

const users: Array<Record<string, unknown>> = [
  {
    schemas: [CORE, ENTERPRISE, CUSTOM, ORACLE_USER],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen',
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    title: 'Tour Guide',
    userType: 'Employee',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
    [CUSTOM]: { MichaelFischerTest1: 'Api1Access' },
    [ORACLE_USER]: { isFederatedUser: false },
    [USER_STATE]: { loginAttempts: 3 },
  },
  {
    schemas: [CORE],
    id: '902c246b-6245-4190-8e05-00816be7344a',
    userName: 'jomalley',
    name: { familyName: "O'Malley", givenName: 'Jim' },
    userType: 'Intern',
    active: false,
    emails: [{ value: 'jim@example.org', type: 'work' }],
    ims: [{ value: 'jim@foo.com', type: 'xmpp' }],
    meta: { resourceType: 'User', created: '2011-01-01T00:00:00Z', lastModified: '2011-05-13T04:42:34.5Z' },
    [ORACLE_USER]: { isFederatedUser: true },
    [USER_STATE]: { loginAttempts: 1 },
  },
  {
    schemas: [CORE, ENTERPRISE, CUSTOM],
    id: '08e1d05d-121c-4561-8b96-473d93df9210',
    userName: 'jdoe',
    name: { familyName: 'Doe', givenName: 'John' },
    title: 'Manager',
    userType: 'Contractor',
    emails: [{ value: 'jdoe@example.net', type: 'work' }],
    meta: { resourceType: 'User', created: '2011-06-01T00:00:00Z', lastModified: '2012-01-01T00:00:00Z' },
    [CUSTOM]: { MichaelFischerTest1: 'Api2Access' },
  },
  {
    schemas: [CORE],
    id: 'c0ffee00-0000-4000-8000-000000000004',
    userName: 'Contractor1',
    title: '',
    emails: [],
    meta: { resourceType: 'User', created: '2010-12-01T00:00:00Z', lastModified: '2010-12-31T23:59:59Z' },
  },
  {
    schemas: [CORE],
    id: 'c0ffee00-0000-4000-8000-000000000005',
    userName: 'mpepperidge',
    userType: 'Employee',
    emails: [{ value: 'mandy@example.org', type: 'work' }],
    meta: { resourceType: 'User', created: '2011-02-01T00:00:00Z', lastModified: '2011-02-01T00:00:00Z' },
  },
  {
    schemas: [CORE],
    id: 'c0ffee00-0000-4000-8000-000000000006',
    userName: 'ecross',
    userType: 'Employee',
    emails: [
      { value: 'home@example.com', type: 'home' },
      { value: 'work@example.net', type: 'work' },
    ],
    meta: { resourceType: 'User', created: '2011-03-01T00:00:00Z', lastModified: '2011-03-01T00:00:00Z' },
  },
];

/** The userNames a filter selects, in the order of `users`. */
function select(filter: string, options?: FilterOptions): string[] {
  const matches = compileFilter(filter, options);
  return users.filter((u) => matches(u)).map((u) => u.userName as string);
}

/** Runs `f`, expects a 400 invalidFilter ScimError, returns its detail. */
function filterError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidFilter');
    expect(err.messageId).toBe('error.common.validation.invalidFilter');
    return err.detail;
  }
  throw new Error('expected an invalidFilter error');
}

function pathError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidPath');
    expect(err.messageId).toBe('error.common.validation.invalidPath');
    return err.detail;
  }
  throw new Error('expected an invalidPath error');
}

describe('attribute paths', () => {
  it('core attributes, sub-attributes and meta', () => {
    expect(parseAttributePath('userName')).toEqual({ text: 'userName', attribute: 'userName' });
    expect(parseAttributePath('name.givenName')).toEqual({ text: 'name.givenName', attribute: 'name', subAttribute: 'givenName' });
    expect(parseAttributePath('emails')).toEqual({ text: 'emails', attribute: 'emails' });
    expect(parseAttributePath('meta.lastModified')).toEqual({ text: 'meta.lastModified', attribute: 'meta', subAttribute: 'lastModified' });
    expect(parseAttributePath('members.$ref')).toEqual({ text: 'members.$ref', attribute: 'members', subAttribute: '$ref' });
  });

  it('value paths keep the filter text and an optional sub-attribute', () => {
    expect(parseAttributePath('emails[type eq "work"]')).toEqual({ text: 'emails[type eq "work"]', attribute: 'emails', valueFilter: 'type eq "work"' });
    expect(parseAttributePath('emails[type eq "work"].value')).toEqual({
      text: 'emails[type eq "work"].value',
      attribute: 'emails',
      valueFilter: 'type eq "work"',
      subAttribute: 'value',
    });
    // a "]" inside a quoted string does not close the filter
    expect(parseAttributePath('emails[value eq "a]b"].type').valueFilter).toBe('value eq "a]b"');
  });

  it('extension paths: the URN, a colon, the attribute', () => {
    expect(parseAttributePath(`${CUSTOM}:MichaelFischerTest1`)).toEqual({ text: `${CUSTOM}:MichaelFischerTest1`, schema: CUSTOM, attribute: 'MichaelFischerTest1' });
    expect(parseAttributePath(`${ORACLE_USER}:isFederatedUser`)).toEqual({ text: `${ORACLE_USER}:isFederatedUser`, schema: ORACLE_USER, attribute: 'isFederatedUser' });
    expect(parseAttributePath(`${ENTERPRISE}:manager.value`)).toEqual({
      text: `${ENTERPRISE}:manager.value`,
      schema: ENTERPRISE,
      attribute: 'manager',
      subAttribute: 'value',
    });
    expect(parseAttributePath(`${CUSTOM}:nickName`).attribute).toBe('nickName');
  });

  it('a bare extension URN is the whole extension; the core URN prefix is dropped', () => {
    expect(parseAttributePath(CUSTOM)).toEqual({ text: CUSTOM, schema: CUSTOM });
    expect(parseAttributePath(ENTERPRISE)).toEqual({ text: ENTERPRISE, schema: ENTERPRISE });
    expect(parseAttributePath(`${CORE}:userName`)).toEqual({ text: `${CORE}:userName`, attribute: 'userName' });
    expect(parseAttributePath(`${CORE}:name.familyName`)).toEqual({ text: `${CORE}:name.familyName`, attribute: 'name', subAttribute: 'familyName' });
  });

  it('knownSchemas and coreSchemas override the capitalisation rule', () => {
    const lowerUrn = 'urn:example:params:ext:profile';
    // without the hint, "profile" (lowercase) is read as the attribute of "urn:example:params:ext"
    expect(parseAttributePath(lowerUrn)).toEqual({ text: lowerUrn, schema: 'urn:example:params:ext', attribute: 'profile' });
    expect(parseAttributePath(lowerUrn, { knownSchemas: [lowerUrn] })).toEqual({ text: lowerUrn, schema: lowerUrn });
    expect(parseAttributePath(`${lowerUrn}:Level`, { knownSchemas: [lowerUrn] })).toEqual({ text: `${lowerUrn}:Level`, schema: lowerUrn, attribute: 'Level' });
    const app = 'urn:ietf:params:scim:schemas:oracle:idcs:App';
    expect(parseAttributePath(`${app}:displayName`, { coreSchemas: [app] })).toEqual({ text: `${app}:displayName`, attribute: 'displayName' });
  });

  it('formatAttributePath drops the filter and the core URN', () => {
    expect(formatAttributePath(parseAttributePath('emails[type eq "work"].value'))).toBe('emails.value');
    expect(formatAttributePath(parseAttributePath(`${CORE}:userName`))).toBe('userName');
    expect(formatAttributePath(parseAttributePath(`${CUSTOM}:MichaelFischerTest1`))).toBe(`${CUSTOM}:MichaelFischerTest1`);
    expect(formatAttributePath(parseAttributePath(CUSTOM))).toBe(CUSTOM);
  });

  it('invalid paths → invalidPath with a clear detail', () => {
    expect(pathError(() => parseAttributePath(''))).toBe('attribute path is empty');
    expect(pathError(() => parseAttributePath('a.b.c'))).toBe('attribute path "a.b.c" has 3 levels; SCIM allows an attribute and one sub-attribute (attr.subAttr)');
    expect(pathError(() => parseAttributePath('name..givenName'))).toBe(
      'attribute path "name..givenName" has 3 levels; SCIM allows an attribute and one sub-attribute (attr.subAttr)',
    );
    expect(pathError(() => parseAttributePath('1name'))).toBe('attribute path "1name": "1name" is not a valid attribute name (a letter, then letters, digits, "_" or "-")');
    expect(pathError(() => parseAttributePath('emails[type eq "work"'))).toBe('attribute path "emails[type eq \\"work\\"": the "[" at position 7 is never closed by "]"');
    expect(pathError(() => parseAttributePath('emails[type eq "work"]value'))).toBe(
      'attribute path "emails[type eq \\"work\\"]value": after "]" only ".subAttribute" may follow (got "value")',
    );
    expect(pathError(() => parseAttributePath('emails[]'))).toBe('attribute path "emails[]": the value filter is empty');
    expect(pathError(() => parseAttributePath('emails[a[b eq 1]]'))).toBe('attribute path "emails[a[b eq 1]]": value filters cannot be nested (second "[" at position 9)');
    expect(pathError(() => parseAttributePath('name.givenName[x eq 1]'))).toBe(
      'attribute path "name.givenName[x eq 1]": a value filter applies to a multi-valued attribute, not to sub-attribute "givenName"',
    );
    expect(pathError(() => parseAttributePath('emails]'))).toBe('attribute path "emails]": "]" without "["');
    expect(pathError(() => parseAttributePath(CORE))).toBe(`attribute path "${CORE}" names the core schema, not an attribute`);
    expect(pathError(() => parseAttributePath('urn:x'))).toBe(
      'attribute path "urn:x": "urn" is not a schema URN (urn:<namespace>:<name>, then ":" and the attribute)',
    );
    expect(pathError(() => parseAttributePath(`${CUSTOM}:`))).toBe(
      `attribute path "${CUSTOM}:": "" is not a valid attribute name (a letter, then letters, digits, "_" or "-")`,
    );
    expect(pathError(() => parseAttributePath('x'.repeat(10_001)))).toBe('attribute path is 10001 characters long; the limit is 10000');
  });

  it('resolvePath: values for sorting and filtering, names matched case-insensitively', () => {
    const bjensen = users[0]!;
    expect(resolvePath(bjensen, 'userName')).toEqual(['bjensen']);
    expect(resolvePath(bjensen, 'USERNAME')).toEqual(['bjensen']);
    expect(resolvePath(bjensen, 'name.givenname')).toEqual(['Barbara']);
    expect(resolvePath(bjensen, 'emails.value')).toEqual(['bjensen@example.com', 'babs@jensen.org']);
    expect(resolvePath(bjensen, 'emails')).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    expect(resolvePath(bjensen, 'meta.lastModified')).toEqual(['2011-05-13T04:42:34Z']);
    expect(resolvePath(bjensen, `${CUSTOM}:MichaelFischerTest1`)).toEqual(['Api1Access']);
    expect(resolvePath(bjensen, `${CUSTOM.toUpperCase()}:michaelfischertest1`)).toEqual(['Api1Access']);
    expect(resolvePath(bjensen, `${ORACLE_USER}:isFederatedUser`)).toEqual([false]);
    expect(resolvePath(bjensen, CUSTOM)).toEqual([{ MichaelFischerTest1: 'Api1Access' }]);
    expect(resolvePath(bjensen, `${CORE}:userName`)).toEqual(['bjensen']);
    expect(resolvePath(bjensen, 'nickName')).toEqual([]);
    expect(resolvePath(bjensen, 'name.middleName')).toEqual([]);
    expect(resolvePath(users[2]!, `${ORACLE_USER}:isFederatedUser`)).toEqual([]);
    expect(resolvePath('not a resource', 'userName')).toEqual([]);
    expect(pathError(() => resolvePath(bjensen, 'emails[type eq "work"].value'))).toBe(
      'attribute path "emails[type eq \\"work\\"].value": a value filter cannot be used here; use a filter expression instead',
    );
  });
});

describe('RFC 7644 §3.4.2.2 filter examples', () => {
  it('userName eq "bjensen"', () => {
    expect(select('userName eq "bjensen"')).toEqual(['bjensen']);
  });

  it('name.familyName co "O\'Malley"', () => {
    expect(select(`name.familyName co "O'Malley"`)).toEqual(['jomalley']);
  });

  it('userName sw "J"', () => {
    expect(select('userName sw "J"')).toEqual(['jomalley', 'jdoe']);
  });

  it('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', () => {
    expect(select(`${CORE}:userName sw "J"`)).toEqual(['jomalley', 'jdoe']);
  });

  it('title pr (an empty string is not present)', () => {
    expect(select('title pr')).toEqual(['bjensen', 'jdoe']);
  });

  it('meta.lastModified gt "2011-05-13T04:42:34Z" (date-times compare as instants)', () => {
    // jomalley's "…34.5Z" is later although it sorts before "…34Z" lexically
    expect(select('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual(['jomalley', 'jdoe']);
    expect(select('meta.lastModified ge "2011-05-13T04:42:34Z"')).toEqual(['bjensen', 'jomalley', 'jdoe']);
    expect(select('meta.lastModified lt "2011-02-01T00:00:00Z"')).toEqual(['Contractor1']);
    expect(select('meta.lastModified le "2011-02-01T00:00:00.000Z"')).toEqual(['Contractor1', 'mpepperidge']);
  });

  it('title pr and userType eq "Employee"', () => {
    expect(select('title pr and userType eq "Employee"')).toEqual(['bjensen']);
  });

  it('title pr or userType eq "Intern"', () => {
    expect(select('title pr or userType eq "Intern"')).toEqual(['bjensen', 'jomalley', 'jdoe']);
  });

  it('schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', () => {
    expect(select(`schemas eq "${ENTERPRISE}"`)).toEqual(['bjensen', 'jdoe']);
  });

  it('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', () => {
    expect(select('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toEqual(['bjensen', 'mpepperidge', 'ecross']);
  });

  it('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', () => {
    // Contractor1 has no userType: "ne" needs the attribute to be present
    expect(select('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toEqual(['jdoe']);
  });

  it('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', () => {
    // ecross has a home address at example.com and a work address elsewhere: no single element matches
    expect(select('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toEqual(['bjensen', 'jomalley']);
  });
});

describe('filter semantics', () => {
  it('attribute names, operators and string values are case-insensitive', () => {
    expect(select('USERNAME EQ "BJensen"')).toEqual(['bjensen']);
    expect(select('Name.FamilyName co "o\'malley"')).toEqual(['jomalley']);
    expect(select('userName Sw "j" AnD NOT (userName eq "jdoe")')).toEqual(['jomalley']);
  });

  it('id is case-exact by default; caseExact is an option', () => {
    expect(select('id eq "2819c223-7f76-453a-919d-413861904646"')).toEqual(['bjensen']);
    expect(select('id eq "2819C223-7F76-453A-919D-413861904646"')).toEqual([]);
    expect(select('userName eq "BJENSEN"', { caseExact: (p) => p === 'userName' })).toEqual([]);
    expect(select('userName eq "bjensen"', { caseExact: (p) => p === 'userName' })).toEqual(['bjensen']);
    expect(select('id eq "2819C223-7F76-453A-919D-413861904646"', { caseExact: () => false })).toEqual(['bjensen']);
    expect(defaultCaseExact('id')).toBe(true);
    expect(defaultCaseExact('password')).toBe(true);
    expect(defaultCaseExact('urn:ietf:params:scim:schemas:oracle:idcs:extension:passwordState:User:oldPassword')).toBe(true);
    expect(defaultCaseExact('userName')).toBe(false);
    expect(defaultCaseExact('members.value')).toBe(false);
  });

  it('caseExact receives the path with the parent of a value filter', () => {
    const seen: string[] = [];
    compileFilter('emails[type eq "work"] and name.givenName pr and urn:ietf:params:scim:schemas:idcs:extension:custom:User:MichaelFischerTest1 eq "x"', {
      caseExact: (p) => (seen.push(p), false),
    });
    expect(seen).toEqual(['emails.type', `${CUSTOM}:MichaelFischerTest1`]);
  });

  it('IDCS custom extension attribute, full URN path form, any letter case', () => {
    expect(select(`${CUSTOM}:MichaelFischerTest1 eq "Api1Access"`)).toEqual(['bjensen']);
    expect(select(`${CUSTOM}:michaelfischertest1 eq "API1ACCESS"`)).toEqual(['bjensen']);
    expect(select(`${CUSTOM}:MichaelFischerTest1 sw "Api"`)).toEqual(['bjensen', 'jdoe']);
    expect(select(`${CUSTOM}:MichaelFischerTest1 pr`)).toEqual(['bjensen', 'jdoe']);
    expect(select(`not (${CUSTOM}:MichaelFischerTest1 pr)`)).toEqual(['jomalley', 'Contractor1', 'mpepperidge', 'ecross']);
    expect(select(`${CUSTOM}:MichaelFischerTest1 ne "Api1Access"`)).toEqual(['jdoe']);
  });

  it('IDCS custom extension attribute, bare extension URN form', () => {
    expect(select(`${CUSTOM} pr`)).toEqual(['bjensen', 'jdoe']);
    expect(select(`${CUSTOM} pr and userName eq "jdoe"`)).toEqual(['jdoe']);
  });

  it('Oracle extensions: booleans and numbers', () => {
    expect(select(`${ORACLE_USER}:isFederatedUser eq true`)).toEqual(['jomalley']);
    expect(select(`${ORACLE_USER}:isFederatedUser eq false`)).toEqual(['bjensen']);
    expect(select(`${USER_STATE}:loginAttempts gt 2`)).toEqual(['bjensen']);
    expect(select(`${USER_STATE}:loginAttempts le 3`)).toEqual(['bjensen', 'jomalley']);
    expect(select(`${USER_STATE}:loginAttempts eq "3"`)).toEqual([]);
    expect(select('active eq true')).toEqual(['bjensen']);
    expect(select('active eq "true"')).toEqual([]);
  });

  it('a value path with a sub-attribute binds the sub-attribute to the matching element', () => {
    expect(select('emails[type eq "work"].value ew "example.com"')).toEqual(['bjensen']);
    expect(select('emails[type eq "home"].value ew "example.com"')).toEqual(['ecross']);
    expect(select('emails[type eq "work" or type eq "home"].value ew ".org" and userName pr')).toEqual(['bjensen', 'jomalley', 'mpepperidge']);
    expect(select('emails[type eq "work"].primary pr')).toEqual(['bjensen']);
    expect(parseFilter('emails[type eq "work"].value co "x"')).toEqual({
      op: '[]',
      attrPath: 'emails',
      valFilter: { op: 'and', filters: [{ op: 'eq', attrPath: 'type', compValue: 'work' }, { op: 'co', attrPath: 'value', compValue: 'x' }] },
    });
  });

  it('value filters on a simple multi-valued attribute see each element as "value"', () => {
    expect(select(`schemas[value eq "${CUSTOM}"]`)).toEqual(['bjensen', 'jdoe']);
  });

  it('precedence: not > and > or; parentheses group', () => {
    expect(select('userName eq "jdoe" or userName eq "bjensen" and title eq "Manager"')).toEqual(['jdoe']);
    expect(select('(userName eq "jdoe" or userName eq "bjensen") and title eq "Manager"')).toEqual(['jdoe']);
    expect(select('(userName eq "jdoe" or userName eq "bjensen") and title eq "Tour Guide"')).toEqual(['bjensen']);
    expect(select('not (title pr) and userType eq "Employee"')).toEqual(['mpepperidge', 'ecross']);
  });

  it('ne, eq null and ne null', () => {
    expect(select('userType ne "Employee"')).toEqual(['jomalley', 'jdoe']);
    expect(select('not (userType eq "Employee")')).toEqual(['jomalley', 'jdoe', 'Contractor1']);
    expect(select('userType eq null')).toEqual(['Contractor1']);
    expect(select('title ne null')).toEqual(['bjensen', 'jdoe']);
    expect(select('emails pr')).toEqual(['bjensen', 'jomalley', 'jdoe', 'mpepperidge', 'ecross']);
  });

  it('string ordering compares lexically and case-insensitively', () => {
    expect(select('userName gt "j"')).toEqual(['jomalley', 'jdoe', 'mpepperidge']);
    expect(select('userName lt "C"')).toEqual(['bjensen']);
    expect(select('userName ge "CONTRACTOR1" and userName le "ecross"')).toEqual(['Contractor1', 'ecross']);
  });

  it('JSON string escapes in values decode as JSON', () => {
    const match = compileFilter('displayName eq "Caf\\u00e9 \\"Q\\" \\\\ x"');
    expect(match({ displayName: 'Café "Q" \\ x' })).toBe(true);
    expect(match({ displayName: 'Café "Q" \\\\ x' })).toBe(false);
  });

  it('a predicate over something that is not an object matches nothing', () => {
    const match = compileFilter('userName pr');
    expect([null, 'x', 42, []].map((r) => match(r))).toEqual([false, false, false, false]);
  });

  it('scope: a filter over the elements of a multi-valued attribute (PATCH value paths)', () => {
    const seen: string[] = [];
    const match = compileFilter('type eq "work" and value co "@EXAMPLE"', { scope: 'emails', caseExact: (p) => (seen.push(p), false) });
    expect(match({ type: 'work', value: 'a@example.com' })).toBe(true);
    expect(match({ type: 'home', value: 'a@example.com' })).toBe(false);
    expect(seen).toEqual(['emails.type', 'emails.value']);
  });
});

describe('invalid filters → 400 invalidFilter', () => {
  it('the body is the IDCS SCIM error shape', () => {
    try {
      compileFilter('userName xx "bjensen"');
      expect.unreachable();
    } catch (e) {
      expect((e as ScimError).body()).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error', 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error'],
        detail: 'Invalid filter: unknown operator "xx" (expected eq, ne, co, sw, ew, pr, gt, ge, lt or le) at position 10 (near "xx \\"bjensen\\"")',
        status: '400',
        scimType: 'invalidFilter',
        'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error': { messageId: 'error.common.validation.invalidFilter' },
      });
    }
  });

  it('syntax errors name the problem and the position', () => {
    expect(filterError(() => compileFilter(''))).toBe('Invalid filter: the filter is empty');
    expect(filterError(() => compileFilter('   '))).toBe('Invalid filter: the filter is empty');
    expect(filterError(() => compileFilter('userName eq bjensen'))).toBe(
      'Invalid filter: comparison value bjensen is not a JSON string, number, true, false or null (strings need double quotes) at position 13 (near "bjensen")',
    );
    expect(filterError(() => compileFilter('userName eq'))).toBe('Invalid filter: missing comparison value after "eq" at the end of the filter');
    expect(filterError(() => compileFilter('userName'))).toBe(
      'Invalid filter: expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) after "userName" at the end of the filter',
    );
    expect(filterError(() => compileFilter('(userName eq "a"'))).toBe('Invalid filter: missing ")" at the end of the filter');
    expect(filterError(() => compileFilter('(userName eq "a" title pr'))).toBe('Invalid filter: expected ")" but found "title" at position 18 (near "title pr")');
    expect(filterError(() => compileFilter('userName eq "a")'))).toBe(
      'Invalid filter: unexpected ")" after a complete expression at position 16 (near ")") (missing "and" or "or"?)',
    );
    expect(filterError(() => compileFilter('userName eq "a" "b"'))).toBe(
      'Invalid filter: unexpected "b" after a complete expression at position 17 (near "\\"b\\"") (missing "and" or "or"?)',
    );
    expect(filterError(() => compileFilter('userName eq "a" and'))).toBe('Invalid filter: unexpected end of the filter (an expression is missing) at the end of the filter');
    expect(filterError(() => compileFilter('and title pr'))).toBe(
      'Invalid filter: unknown operator "title" (expected eq, ne, co, sw, ew, pr, gt, ge, lt or le) at position 5 (near "title pr")',
    );
    expect(filterError(() => compileFilter(') or title pr'))).toBe('Invalid filter: unexpected ")" at position 1 (near ") or title pr")');
    expect(filterError(() => compileFilter('userName eq "bjensen'))).toBe(
      'Invalid filter: unterminated string (a closing " is missing) at position 13 (near "\\"bjensen")',
    );
    expect(filterError(() => compileFilter('userName eq "a" && title pr'))).toBe('Invalid filter: unexpected character "&" at position 17 (near "&& title pr")');
    expect(filterError(() => compileFilter('displayName eq "a\\qb"'))).toBe(
      'Invalid filter: comparison value "a\\qb" is not a JSON string, number, true, false or null (strings need double quotes) at position 16 (near "\\"a\\\\qb\\"")',
    );
  });

  it('value filter errors', () => {
    expect(filterError(() => compileFilter('emails[type eq "work"'))).toBe('Invalid filter: missing "]" at the end of the filter');
    expect(filterError(() => compileFilter('emails[type eq "work" value co "x"]'))).toBe('Invalid filter: expected "]" but found "value" at position 23 (near "value co \\"x\\"]")');
    expect(filterError(() => compileFilter('emails[value[type eq "x"] pr]'))).toBe(
      'Invalid filter: value filters cannot be nested ("[" inside "[…]") at position 13 (near "[type eq \\"x\\"] pr]")',
    );
    expect(filterError(() => compileFilter('emails[type.x eq "work"]'))).toBe(
      'Invalid filter: inside the value filter of "emails", "type.x" must be a plain sub-attribute name at position 8',
    );
    expect(filterError(() => compileFilter('emails[type eq "work"].value'))).toBe('Invalid filter: expected an operator after "value" at the end of the filter');
    expect(filterError(() => compileFilter('emails[type eq "work"].value xx "a"'))).toBe('Invalid filter: expected an operator after "value" at position 30 (near "xx \\"a\\"")');
    expect(filterError(() => compileFilter('emails[type eq "work"].value eq'))).toBe('Invalid filter: missing comparison value after "eq" at the end of the filter');
    expect(filterError(() => compileFilter('type pr', { scope: 'emails' }) && compileFilter('ims[type pr]', { scope: 'emails' }))).toBe(
      'Invalid filter: value filters cannot be nested (inside "emails[…]") at position 1',
    );
  });

  it('bad attribute paths', () => {
    expect(filterError(() => compileFilter('title pr and name.given.name eq "x"'))).toBe(
      'Invalid filter: attribute path "name.given.name" has 3 levels; SCIM allows an attribute and one sub-attribute (attr.subAttr) at position 14',
    );
    expect(filterError(() => compileFilter(`${CORE} pr`))).toBe(`Invalid filter: attribute path "${CORE}" names the core schema, not an attribute at position 1`);
  });

  it('values of the wrong type', () => {
    expect(filterError(() => compileFilter('title co 5'))).toBe('Invalid filter: operator "co" needs a string value; "title co 5" has a number at position 1');
    expect(filterError(() => compileFilter('userName pr and title sw true'))).toBe(
      'Invalid filter: operator "sw" needs a string value; "title sw true" has a boolean at position 17',
    );
    expect(filterError(() => compileFilter('active gt true'))).toBe('Invalid filter: operator "gt" cannot compare booleans ("active gt true") at position 1');
    expect(filterError(() => compileFilter('meta.lastModified gt null'))).toBe(
      'Invalid filter: "meta.lastModified gt null": null can only be compared with eq or ne (or use "pr") at position 1',
    );
    expect(filterError(() => compileFilter(`${USER_STATE}:loginAttempts gt 1e400`))).toBe(
      `Invalid filter: the number Infinity in "${USER_STATE}:loginAttempts gt" is out of range at position 1`,
    );
    // RFC 7644 §3.4.2.2: gt/ge/lt/le on a boolean attribute is invalidFilter (found when evaluating)
    const match = compileFilter('active lt "x"');
    expect(match(users[3])).toBe(false);
    expect(filterError(() => match(users[0]))).toBe('Invalid filter: operator "lt" cannot compare the boolean attribute "active" at position 1');
  });

  it('values of the wrong type for a known attribute type (attributeType option)', () => {
    const types: Record<string, 'boolean' | 'integer' | 'string' | 'dateTime' | 'binary' | 'decimal'> = {
      active: 'boolean',
      'urn:ietf:params:scim:schemas:oracle:idcs:extension:userState:User:loginAttempts': 'integer',
      userName: 'string',
      'meta.lastModified': 'dateTime',
      'x509Certificates.value': 'binary',
      score: 'decimal',
    };
    const options: FilterOptions = { attributeType: (p) => types[p] };
    expect(filterError(() => compileFilter('active eq "true"', options))).toBe('Invalid filter: "active" is a boolean attribute; "true" is not true or false at position 1');
    expect(filterError(() => compileFilter('active co "t"', options))).toBe('Invalid filter: operator "co" is not defined on the boolean attribute "active" at position 1');
    expect(filterError(() => compileFilter(`${USER_STATE}:loginAttempts eq 1.5`, options))).toBe(
      `Invalid filter: "${USER_STATE}:loginAttempts" is an integer attribute; 1.5 is not an integer at position 1`,
    );
    expect(filterError(() => compileFilter('userName eq 5', options))).toBe('Invalid filter: "userName" is a string attribute; 5 is not a string at position 1');
    expect(filterError(() => compileFilter('meta.lastModified gt "yesterday"', options))).toBe(
      'Invalid filter: "meta.lastModified" is a dateTime attribute; "yesterday" is not an ISO 8601 date-time (e.g. "2011-05-13T04:42:34Z") at position 1',
    );
    expect(filterError(() => compileFilter('x509Certificates.value gt "MII"', options))).toBe(
      'Invalid filter: operator "gt" is not defined on the binary attribute "x509Certificates.value" at position 1',
    );
    expect(filterError(() => compileFilter('score eq "1"', options))).toBe('Invalid filter: "score" is a decimal attribute; "1" is not a number at position 1');
    // and the right types pass
    expect(select(`active eq true and ${USER_STATE}:loginAttempts ge 3 and meta.lastModified co "2011"`, options)).toEqual(['bjensen']);
  });

  it('hostile input fails fast: length and nesting caps', () => {
    expect(filterError(() => compileFilter(`userName eq "${'x'.repeat(10_000)}"`))).toBe('Invalid filter: the filter is 10014 characters long; the limit is 10000');
    expect(filterError(() => compileFilter('userName pr', { maxLength: 5 }))).toBe('Invalid filter: the filter is 11 characters long; the limit is 5');
    expect(filterError(() => compileFilter(`${'('.repeat(33)}title pr${')'.repeat(33)}`))).toBe('Invalid filter: parentheses nest deeper than 32 levels at position 33');
    expect(filterError(() => compileFilter(`${'not '.repeat(40)}title pr`))).toBe('Invalid filter: the expression nests 41 levels deep; the limit is 32');
    expect(filterError(() => compileFilter('((title pr))', { maxDepth: 1 }))).toBe('Invalid filter: parentheses nest deeper than 1 levels at position 2');
    expect(filterError(() => compileFilter('('.repeat(5000)))).toBe('Invalid filter: parentheses nest deeper than 32 levels at position 33');
    // 32 levels are fine
    expect(select(`${'('.repeat(32)}title eq "Manager"${')'.repeat(32)}`)).toEqual(['jdoe']);
  });

  it('a non-string filter', () => {
    expect(filterError(() => compileFilter(42 as unknown as string))).toBe('Invalid filter: the filter must be a string');
  });
});
