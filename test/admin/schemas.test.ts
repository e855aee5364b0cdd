/**
 * `/admin/v1/Schemas` over HTTP: the core User schema, the custom user extension and its
 * attribute definitions (PATCH add/replace/remove, PUT of the whole schema), and the effect on
 * `POST /admin/v1/Users` (reference §4.4; Oracle "Customizing User Schemas").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfigObject, startTestIam, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, CUSTOM_ATTR, CUSTOM_ATTR_PATH, CUSTOM_USER, expectScimError, LIST_RESPONSE, passwordGrant, PATCH_OP, scimRequest, SEARCH_REQUEST, USER_SCHEMA, userBody } from './support.js';

const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const CUSTOM_PATH = `/admin/v1/Schemas/${CUSTOM_USER}`;
const ENCODED_CUSTOM_PATH = `/admin/v1/Schemas/${encodeURIComponent(CUSTOM_USER)}`;

const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const addAttributes = (...value: unknown[]) => patchOp({ op: 'add', path: 'attributes', value });
const schemaBody = (attributes: unknown[]) => ({ schemas: [SCHEMA], id: CUSTOM_USER, name: 'CustomUser', attributes });

/** The definition the blog's attribute gets when only name and type are sent. */
const MICHAEL = {
  name: CUSTOM_ATTR,
  type: 'string',
  multiValued: false,
  description: 'API gateway permission',
  required: false,
  caseExact: true,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  idcsDisplayName: CUSTOM_ATTR,
  idcsSearchable: false,
  idcsValuePersisted: true,
  idcsTargetAttributeName: 'U_VC_4K_IFLEX_1',
};

describe('/admin/v1/Schemas', () => {
  let iam: TestIam;
  let api: ReturnType<typeof adminApi>;
  let userAdmin: ReturnType<typeof adminApi>;

  beforeAll(async () => {
    const apps = defaultConfigObject().iam.apps as unknown[];
    iam = await startTestIam({
      // An empty custom schema and no users, as a fresh identity domain has them.
      customUserSchemaAttributes: [],
      users: [],
      customClaims: [],
      apps: [
        ...apps,
        { name: 'user_admin_client', displayName: 'User Admin', isOAuthClient: true, clientSecret: 'user-admin-secret', allowedGrants: ['client_credentials'], grantedAppRoles: ['User Administrator'] },
      ],
    });
    api = adminApi(iam, await clientToken(iam));
    userAdmin = adminApi(iam, await clientToken(iam, 'user_admin_client', 'user-admin-secret'));
  });
  afterAll(() => iam?.stop());

  it('lists the core User schema and the custom user extension', async () => {
    const res = await api.get('/admin/v1/Schemas');
    expect(res.status, res.text).toBe(200);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    expect(res.body.totalResults).toBe(2);
    expect(res.body.Resources.map((r: any) => [r.id, r.meta.resourceType])).toEqual([
      [USER_SCHEMA, 'Schema'],
      [CUSTOM_USER, 'TenantSchema'],
    ]);
    const filtered = await api.get(`/admin/v1/Schemas?filter=${encodeURIComponent(`id eq "${CUSTOM_USER}"`)}&attributes=name`);
    expect(filtered.body.totalResults).toBe(1);
    expect(filtered.body.Resources).toEqual([{ schemas: [SCHEMA], id: CUSTOM_USER, name: 'CustomUser' }]);
    const searched = await api.post('/admin/v1/Schemas/.search', { schemas: [SEARCH_REQUEST], filter: 'name eq "user"', attributes: ['id'] });
    expect(searched.body.Resources).toEqual([{ schemas: [SCHEMA], id: USER_SCHEMA }]);
  });

  it('serves the core User schema by its URN, with raw or URL-encoded colons', async () => {
    const raw = await api.get(`/admin/v1/Schemas/${USER_SCHEMA}`);
    const encoded = await api.get(`/admin/v1/Schemas/${encodeURIComponent(USER_SCHEMA)}`);
    expect(raw.status, raw.text).toBe(200);
    expect(encoded.body).toEqual(raw.body);
    expect(raw.headers.get('etag')).toBe('W/"1"');
    const s = raw.body;
    expect(s.schemas).toEqual([SCHEMA]);
    expect([s.id, s.name, s.description]).toEqual([USER_SCHEMA, 'User', 'User Account']);
    expect(s.meta).toMatchObject({ resourceType: 'Schema', location: `${iam.url}/admin/v1/Schemas/${encodeURIComponent(USER_SCHEMA)}`, version: 'W/"1"' });
    expect(s.attributes.map((a: any) => a.name)).toEqual(['userName', 'name', 'displayName', 'emails', 'active', 'password', 'timezone', 'locale', 'preferredLanguage']);
    const byName = Object.fromEntries(s.attributes.map((a: any) => [a.name, a]));
    expect(byName.userName).toEqual({
      name: 'userName',
      type: 'string',
      multiValued: false,
      description: expect.any(String),
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
    expect(byName.password).toMatchObject({ type: 'string', mutability: 'writeOnly', returned: 'never', required: false });
    expect(byName.active).toMatchObject({ type: 'boolean', multiValued: false });
    expect(byName.name.subAttributes.map((a: any) => a.name)).toEqual(['formatted', 'familyName', 'givenName', 'middleName']);
    expect(byName.emails).toMatchObject({ type: 'complex', multiValued: true });
    expect(byName.emails.subAttributes.map((a: any) => a.name)).toEqual(['value', 'type', 'primary', 'secondary', 'verified']);
    expect(byName.emails.subAttributes[1].canonicalValues).toEqual(['work', 'home', 'other', 'recovery']);
  });

  it('has the custom user extension empty out of the box, with no attributes member (as Oracle shows it)', async () => {
    const res = await api.get(CUSTOM_PATH);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      schemas: [SCHEMA],
      id: CUSTOM_USER,
      name: 'CustomUser',
      description: 'Custom User',
      idcsResourceTypes: ['User'],
      meta: {
        resourceType: 'TenantSchema',
        created: expect.any(String),
        lastModified: expect.any(String),
        location: `${iam.url}${ENCODED_CUSTOM_PATH}`,
        version: 'W/"1"',
      },
    });
    expect((await api.get(ENCODED_CUSTOM_PATH)).body).toEqual(res.body);
    // Schema URNs are matched ignoring case.
    expect((await api.get(`/admin/v1/Schemas/${CUSTOM_USER.toLowerCase()}`)).body.id).toBe(CUSTOM_USER);
  });

  it('answers 404 for an unknown schema', async () => {
    expectScimError(await api.get('/admin/v1/Schemas/urn:ietf:params:scim:schemas:idcs:extension:custom:Group'), 404, { messageId: 'error.common.exception.resourceNotFound' });
  });

  it('refuses a user carrying the attribute before the schema defines it', async () => {
    const res = await api.post('/admin/v1/Users', userBody('too.early'));
    expectScimError(res, 400, { messageId: 'error.common.validation.invalidAttribute', detail: new RegExp(`Attribute "${CUSTOM_ATTR}" is not defined in schema`) });
  });

  it('adds the blog attribute with PATCH op add path attributes; users then take it', async () => {
    const res = await api.patch(CUSTOM_PATH, addAttributes({ name: CUSTOM_ATTR, type: 'string', multiValued: false, description: 'API gateway permission' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.attributes).toEqual([MICHAEL]);
    expect(res.body.meta).toMatchObject({ resourceType: 'TenantSchema', version: 'W/"2"' });
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.headers.get('x-harness-reason')).toBeNull();
    expect((await api.get(CUSTOM_PATH)).body.attributes).toEqual([MICHAEL]);

    const created = await api.post('/admin/v1/Users', userBody('schema.user'));
    expect(created.status, created.text).toBe(201);
    expect(created.body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api1Access' });
    // The user signs in and the attribute is there to be read (by custom claims, test/admin/custom-claims.test.ts).
    expect((await passwordGrant(iam, 'schema.user', 'Initial-Passw0rd')).status).toBe(200);
  });

  it('replaces a definition added again under the same name, keeping immutable fields (IDCS ignores changes to them)', async () => {
    const res = await api.patch(CUSTOM_PATH, addAttributes({ name: 'michaelfischertest1', type: 'integer', multiValued: true, caseExact: false, description: 'changed', idcsDisplayName: 'Permission' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.attributes).toEqual([{ ...MICHAEL, description: 'changed', idcsDisplayName: 'Permission' }]);
    const reason = res.headers.get('x-harness-reason') ?? '';
    expect(reason).toContain('immutable after creation, change ignored as IDCS does');
    expect(reason).toContain('MichaelFischerTest1.type (kept "string", ignored "integer")');
    expect(reason).toContain('MichaelFischerTest1.multiValued (kept false, ignored true)');
    expect(reason).toContain('MichaelFischerTest1.caseExact (kept true, ignored false)');
    // The user's string value is still valid: the type did not change.
    expect((await api.post('/admin/v1/Users', userBody('second.user', { [CUSTOM_USER]: { [CUSTOM_ATTR]: 'x' } }))).status).toBe(201);
    // A replaced definition drops mutable fields it does not repeat (description back to none).
    const again = await api.patch(CUSTOM_PATH, patchOp({ op: 'replace', path: 'attributes', value: [{ name: CUSTOM_ATTR, idcsDisplayName: 'Permission' }] }));
    expect(again.status, again.text).toBe(200);
    const { description: _gone, ...withoutDescription } = MICHAEL;
    expect(again.body.attributes).toEqual([{ ...withoutDescription, idcsDisplayName: 'Permission' }]);
  });

  it('patches one field of one definition through a value filter', async () => {
    const res = await api.patch(CUSTOM_PATH, patchOp({ op: 'replace', path: `attributes[name eq "${CUSTOM_ATTR}"].idcsDisplayName`, value: 'API Gateway permission' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.attributes[0].idcsDisplayName).toBe('API Gateway permission');
    expect(res.body.attributes[0].idcsTargetAttributeName).toBe('U_VC_4K_IFLEX_1');
  });

  it('refuses replace of an attribute that does not exist', async () => {
    const res = await api.patch(CUSTOM_PATH, patchOp({ op: 'replace', path: 'attributes', value: [{ name: 'nickName', type: 'string' }] }));
    expectScimError(res, 400, { messageId: 'error.common.validation.noTarget', scimType: 'noTarget', detail: 'Operations[0]: "replace" on attributes: the schema has no attribute "nickName" (use "add" to create it)' });
  });

  it('takes a PUT of the whole schema and allocates columns by type, length and searchability', async () => {
    const current = (await api.get(CUSTOM_PATH)).body;
    const res = await api.put(
      CUSTOM_PATH,
      schemaBody([
        ...current.attributes,
        { name: 'subDivision', idcsDisplayName: 'Sub Division', type: 'string', idcsMinLength: 5, idcsMaxLength: 30, idcsSearchable: true, returned: 'always' },
        { name: 'level', type: 'integer', idcsSearchable: true },
        { name: 'since', type: 'dateTime' },
        { name: 'hobbies', type: 'string', multiValued: true, idcsMaxLength: 20 },
      ]),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.attributes.map((a: any) => [a.name, a.idcsTargetAttributeName])).toEqual([
      [CUSTOM_ATTR, 'U_VC_4K_IFLEX_1'],
      ['subDivision', 'I_VC_40_IFLEX_1'],
      ['level', 'I_NUM_IFLEX_1'],
      ['since', 'U_TS_IFLEX_1'],
      ['hobbies', 'U_VC_40_IFLEX_1'],
    ]);
    expect(res.body.attributes[1]).toMatchObject({ idcsMinLength: 5, idcsMaxLength: 30, returned: 'always', idcsDisplayName: 'Sub Division' });
    // Types are checked on users: integer and multi-valued.
    expect((await api.post('/admin/v1/Users', userBody('typed.user', { [CUSTOM_USER]: { level: 'high' } }))).status).toBe(400);
    const typed = await api.post('/admin/v1/Users', userBody('typed.user', { [CUSTOM_USER]: { level: 3, hobbies: ['chess'] } }));
    expect(typed.status, typed.text).toBe(201);
  });

  it('keeps a string column: idcsMaxLength cannot grow past it', async () => {
    const current = (await api.get(CUSTOM_PATH)).body.attributes;
    const grown = current.map((a: any) => (a.name === 'subDivision' ? { ...a, idcsMaxLength: 41 } : a));
    expectScimError(await api.put(CUSTOM_PATH, schemaBody(grown)), 400, {
      messageId: 'error.common.validation.invalidValue',
      detail: 'attributes[1]: idcsMaxLength 41 is over the limit 40 of the column I_VC_40_IFLEX_1 allocated to "subDivision"',
    });
    const within = current.map((a: any) => (a.name === 'subDivision' ? { ...a, idcsMaxLength: 40 } : a));
    expect((await api.put(CUSTOM_PATH, schemaBody(within))).status).toBe(200);
  });

  it('refuses invalid definitions', async () => {
    const cases: Array<[unknown, number, string, string | RegExp]> = [
      [{ type: 'string' }, 400, 'error.common.validation.missingReqAttributes', 'Operations[0]: value[0]: Missing required attribute(s): name'],
      [{ name: '1stAttr' }, 400, 'error.common.validation.invalidValue', 'attributes[5]: name "1stAttr" must start with a letter, then letters, digits or "_", at most 100 characters'],
      [{ name: 'has-dash' }, 400, 'error.common.validation.invalidValue', /name "has-dash" must start with a letter/],
      [{ name: 'x'.repeat(101) }, 400, 'error.common.validation.invalidValue', /at most 100 characters/],
      [{ name: 'f', type: 'float' }, 400, 'error.common.validation.invalidValue', 'attributes[5]: type must be one of string, boolean, integer, decimal, dateTime, reference (got "float")'],
      [{ name: 'c', type: 'complex' }, 400, 'error.common.validation.invalidValue', /type "complex" is not supported by this mock/],
      [{ name: 'm', mutability: 'sometimes' }, 400, 'error.common.validation.invalidValue', /mutability must be one of readWrite, readOnly, immutable, writeOnly/],
      [{ name: 'r', returned: 'maybe' }, 400, 'error.common.validation.invalidValue', /returned must be one of always, default, request, never/],
      [{ name: 'u', uniqueness: 'tenant' }, 400, 'error.common.validation.invalidValue', /uniqueness must be one of none, server, global/],
      [{ name: 'b', multiValued: 'yes' }, 400, 'error.common.validation.invalidValue', 'attributes[5]: multiValued must be true or false (got "yes")'],
      [{ name: 'k', colour: 'red' }, 400, 'error.common.validation.invalidValue', /"colour" is not a field of an attribute definition/],
      [{ name: 'l', idcsMaxLength: 1 }, 400, 'error.common.validation.invalidValue', "attributes[5]: idcsMaxLength can't be less than 2 (got 1)"],
      [{ name: 'n', idcsMinLength: 0 }, 400, 'error.common.validation.invalidValue', "attributes[5]: idcsMinLength can't be less than 1 (got 0)"],
      [{ name: 'o', idcsMinLength: 10, idcsMaxLength: 5 }, 400, 'error.common.validation.invalidValue', 'attributes[5]: idcsMinLength 10 is greater than idcsMaxLength 5'],
      [{ name: 'p', idcsMaxLength: 4001 }, 400, 'error.common.validation.invalidValue', /idcsMaxLength 4001 is over the largest string column \(4000\)/],
      [{ name: 'SUBDIVISION' }, 409, 'error.common.validation.uniqueness', /attributes\[5\]: an attribute named "SUBDIVISION" is already defined \(attributes\[1\]\)/],
      [{ name: 'q', idcsDisplayName: 'sub division' }, 409, 'error.common.validation.uniqueness', /idcsDisplayName "sub division" is already the display name of attributes\[1\]/],
    ];
    const before = (await api.get(CUSTOM_PATH)).body;
    for (const [def, status, messageId, detail] of cases) {
      // The name-less definition is refused by PATCH before the list check; the others by PUT.
      const res = typeof (def as any).name === 'string' ? await api.put(CUSTOM_PATH, schemaBody([...before.attributes, def])) : await api.patch(CUSTOM_PATH, addAttributes(def));
      expectScimError(res, status, { messageId, detail });
    }
    // Two definitions of one name in one add are a duplicate, not a replace.
    expectScimError(await api.patch(CUSTOM_PATH, addAttributes({ name: 'twin' }, { name: 'Twin' })), 409, { scimType: 'uniqueness' });
    expectScimError(await api.put(CUSTOM_PATH, { ...schemaBody([]), attributes: { name: 'x' } }), 400, { detail: /attributes: must be an array of attribute definitions/ });
    expectScimError(await api.put(CUSTOM_PATH, { attributes: [] }), 400, { messageId: 'error.common.validation.missingReqAttributes', detail: `schemas must contain "${SCHEMA}"` });
    expectScimError(await api.patch(CUSTOM_PATH, { Operations: [{ op: 'add', path: 'attributes', value: [] }] }), 400, { scimType: 'invalidSyntax' });
    expectScimError(await api.patch(CUSTOM_PATH, patchOp({ op: 'replace', path: 'name', value: 'Renamed' })), 400, { scimType: 'mutability' });
    // Nothing of it was stored.
    const after = (await api.get(CUSTOM_PATH)).body;
    expect(after).toEqual(before);
  });

  it('refuses to remove an attribute users still have values for, then removes it once they have none', async () => {
    const withoutMichael = (await api.get(CUSTOM_PATH)).body.attributes.filter((a: any) => a.name !== CUSTOM_ATTR);
    const removeOp = patchOp({ op: 'remove', path: `attributes[name eq "${CUSTOM_ATTR}"]` });
    expectScimError(await api.patch(CUSTOM_PATH, removeOp), 409, {
      messageId: 'error.idcs.schema.attributeHasValues',
      detail: new RegExp(`^Attribute "${CUSTOM_ATTR}" cannot be removed from ${CUSTOM_USER}: 2 user\\(s\\) have a value for it \\(schema\\.user, second\\.user\\)`),
    });
    expectScimError(await api.put(CUSTOM_PATH, schemaBody(withoutMichael)), 409, { messageId: 'error.idcs.schema.attributeHasValues' });

    const users = (await api.get(`/admin/v1/Users?filter=${encodeURIComponent(`${CUSTOM_ATTR_PATH} pr`)}`)).body.Resources as Array<{ id: string }>;
    expect(users).toHaveLength(2);
    for (const u of users) {
      const res = await api.patch(`/admin/v1/Users/${u.id}`, patchOp({ op: 'remove', path: CUSTOM_ATTR_PATH }));
      expect(res.status, res.text).toBe(200);
    }
    const removed = await api.patch(CUSTOM_PATH, removeOp);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.attributes.map((a: any) => a.name)).toEqual(['subDivision', 'level', 'since', 'hobbies']);
    expectScimError(await api.post('/admin/v1/Users', userBody('after.removal')), 400, { messageId: 'error.common.validation.invalidAttribute' });
    // Re-adding the name allocates a column again: the freed one, which holds no data.
    const readded = await api.patch(CUSTOM_PATH, addAttributes({ name: CUSTOM_ATTR }));
    expect(readded.body.attributes.at(-1)).toMatchObject({ name: CUSTOM_ATTR, idcsTargetAttributeName: 'U_VC_4K_IFLEX_1' });
  });

  it('checks If-Match against the schema version', async () => {
    const current = await api.get(CUSTOM_PATH);
    const etag = current.headers.get('etag')!;
    expectScimError(await api.patch(CUSTOM_PATH, addAttributes({ name: 'stale' }), { 'if-match': 'W/"1"' }), 412, { messageId: 'error.common.exception.versionMismatch' });
    const ok = await api.patch(CUSTOM_PATH, addAttributes({ name: 'fresh' }), { 'if-match': etag });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get('etag')).not.toBe(etag);
    expect((await api.get(CUSTOM_PATH, undefined, { 'if-none-match': ok.headers.get('etag')! })).status).toBe(304);
  });

  it('allows PUT and PATCH on the custom user extension only; POST and DELETE on none', async () => {
    const core = `/admin/v1/Schemas/${USER_SCHEMA}`;
    expectScimError(await api.put(core, { schemas: [SCHEMA], attributes: [] }), 405, {
      messageId: 'error.common.exception.methodNotAllowed',
      detail: `PUT is not supported on schema ${USER_SCHEMA}: it is defined by SCIM and IDCS. Only ${CUSTOM_USER} takes PUT and PATCH.`,
    });
    expectScimError(await api.patch(core, addAttributes({ name: 'x' })), 405, { detail: /^PATCH is not supported on schema urn:ietf:params:scim:schemas:core:2\.0:User/ });
    expectScimError(await api.post('/admin/v1/Schemas', schemaBody([])), 405, { detail: /^POST is not supported on \/admin\/v1\/Schemas/ });
    expectScimError(await api.delete(CUSTOM_PATH), 405, { detail: /^DELETE is not supported on schema urn:ietf:params:scim:schemas:idcs:extension:custom:User/ });
    expectScimError(await api.put('/admin/v1/Schemas/urn:x:y:Nope', schemaBody([])), 404);
  });

  it('needs urn:opc:idm:t.schemas to write; t.users is enough to read', async () => {
    expectScimError(await scimRequest(iam, 'GET', CUSTOM_PATH), 401, { messageId: 'error.common.exception.unauthorizedAccess' });
    const read = await userAdmin.get(CUSTOM_PATH);
    expect(read.status, read.text).toBe(200);
    const write = await userAdmin.patch(CUSTOM_PATH, addAttributes({ name: 'sneaky' }));
    expectScimError(write, 403, { messageId: 'error.common.exception.forbidden' });
    expect(write.headers.get('x-harness-reason')).toContain('PATCH /admin/v1/Schemas needs one of the scopes urn:opc:idm:t.schemas');
    // An end user's token (Me role only) reads nothing.
    const userToken = (await passwordGrant(iam, 'typed.user', 'Initial-Passw0rd')).body.access_token as string;
    expectScimError(await adminApi(iam, userToken).get('/admin/v1/Schemas'), 403);
  });
});
