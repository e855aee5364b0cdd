/**
 * `/admin/v1/CustomClaims` over HTTP, and what the claims do to tokens: the blog's use case 2
 * done through REST only (schema attribute, user, claim, password token), expression forms,
 * constants, modes, token types, CRUD, every refusal, the [MOS] unknown-scope trip-up and the
 * legacy-IDCS feature switch (reference §6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_DISABLED_MESSAGE_ID, STANDARD_CLAIMS } from '../../mock-iam/admin/custom-claims.js';
import { basic, decodeJwtParts, defaultConfigObject, SEEDED, startTestIam, tokenRequest, type HttpResult, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, CUSTOM_ATTR, CUSTOM_ATTR_PATH, CUSTOM_USER, expectScimError, LIST_RESPONSE, MYSCOPES, passwordGrant, PATCH_OP, scimRequest, SEARCH_REQUEST, userBody } from './support.js';

const CLAIM_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim';
const EXPRESSION = `$user.${CUSTOM_USER}.${CUSTOM_ATTR}`;
const USER = { userName: 'michael.fischer', password: 'Michael-Passw0rd' };
const FQS = 'anwendung1AnwendungReadA';

const claimBody = (overrides: Record<string, unknown>) => ({ schemas: [CLAIM_SCHEMA], expression: false, mode: 'always', tokenType: 'AT', allScopes: true, ...overrides });
const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

function jwtClaims(res: HttpResult, which: 'access_token' | 'id_token' = 'access_token'): Record<string, unknown> {
  expect(res.status, res.text).toBe(200);
  expect(typeof res.body[which], `${which} in ${res.text}`).toBe('string');
  return decodeJwtParts(res.body[which]).claims;
}

describe('/admin/v1/CustomClaims', () => {
  let iam: TestIam;
  let api: ReturnType<typeof adminApi>;
  let userId: string;
  const userToken = (scope = MYSCOPES) => passwordGrant(iam, USER.userName, USER.password, scope);
  const clientCredentials = (scope: string, id: string = SEEDED.useCase1.id, secret: string = SEEDED.useCase1.secret) =>
    tokenRequest(iam, { grant_type: 'client_credentials', scope }, { authorization: basic(id, secret) });
  const create = async (overrides: Record<string, unknown>) => {
    const res = await api.post('/admin/v1/CustomClaims', claimBody(overrides));
    expect(res.status, res.text).toBe(201);
    return res.body as Record<string, any>;
  };

  beforeAll(async () => {
    iam = await startTestIam({
      // A fresh domain: no schema attributes, no users, no custom claims; everything comes by REST.
      customUserSchemaAttributes: [],
      users: [],
      customClaims: [],
      apps: [
        ...(defaultConfigObject().iam.apps as unknown[]),
        { name: 'user_admin_client', displayName: 'User Admin', isOAuthClient: true, clientSecret: 'user-admin-secret', allowedGrants: ['client_credentials'], grantedAppRoles: ['User Administrator'] },
      ],
    });
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam?.stop());

  describe('use case 2 of the blog, through the REST API only', () => {
    it('adds the schema attribute, creates the user and the claim; the password token carries the claim', async () => {
      const schema = await api.patch(`/admin/v1/Schemas/${CUSTOM_USER}`, patchOp({ op: 'add', path: 'attributes', value: [{ name: CUSTOM_ATTR, type: 'string', multiValued: false }] }));
      expect(schema.status, schema.text).toBe(200);

      const user = await api.post('/admin/v1/Users', userBody(USER.userName, { password: USER.password, displayName: 'Michael Fischer7' }));
      expect(user.status, user.text).toBe(201);
      expect(user.body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api1Access' });
      userId = user.body.id;

      const res = await api.post('/admin/v1/CustomClaims', {
        schemas: [CLAIM_SCHEMA],
        name: 'APIGWMichael4',
        value: EXPRESSION,
        expression: true,
        mode: 'always',
        tokenType: 'AT',
        allScopes: true,
      });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(res.body).toEqual({
        schemas: [CLAIM_SCHEMA],
        id,
        name: 'APIGWMichael4',
        value: EXPRESSION,
        expression: true,
        mode: 'always',
        tokenType: 'AT',
        allScopes: true,
        meta: {
          resourceType: 'CustomClaim',
          created: expect.any(String),
          lastModified: expect.any(String),
          location: `${iam.url}/admin/v1/CustomClaims/${id}`,
          version: 'W/"1"',
        },
      });
      expect(res.headers.get('location')).toBe(`${iam.url}/admin/v1/CustomClaims/${id}`);

      const claims = jwtClaims(await userToken());
      expect(claims.APIGWMichael4).toBe('Api1Access');
      expect(claims.user_displayname).toBe('Michael Fischer7');
      expect(claims.sub).toBe(USER.userName);
    });

    it('shows a changed attribute value in the next token', async () => {
      const patched = await api.patch(`/admin/v1/Users/${userId}`, patchOp({ op: 'replace', path: CUSTOM_ATTR_PATH, value: 'Api2Access' }));
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api2Access' });
      expect(jwtClaims(await userToken()).APIGWMichael4).toBe('Api2Access');
    });

    it('leaves out (not null) a claim whose expression resolves to nothing', async () => {
      await create({ name: 'MissingCustom', value: `$user.${CUSTOM_USER}.NoSuchAttribute`, expression: true });
      await create({ name: 'MissingCore', value: '$user.nickName', expression: true });
      await create({ name: 'MissingIndex', value: '$user.emails.5.value', expression: true });
      const claims = jwtClaims(await userToken());
      expect(claims).not.toHaveProperty('MissingCustom');
      expect(claims).not.toHaveProperty('MissingCore');
      expect(claims).not.toHaveProperty('MissingIndex');
      expect(claims.APIGWMichael4).toBe('Api2Access');
    });

    it('evaluates the colon (SCIM path) form and the $(…) form of the expression too', async () => {
      await create({ name: 'ColonForm', value: `$user.${CUSTOM_ATTR_PATH}`, expression: true });
      await create({ name: 'ParenForm', value: `$(user.${CUSTOM_USER}.${CUSTOM_ATTR})`, expression: true });
      await create({ name: 'FirstEmail', value: '$(user.emails[0].value)', expression: true });
      const claims = jwtClaims(await userToken());
      expect(claims.ColonForm).toBe('Api2Access');
      expect(claims.ParenForm).toBe('Api2Access');
      expect(claims.FirstEmail).toBe(`${USER.userName}@example.org`);
    });
  });

  it('adds a constant to user and client tokens; an expression claim only to user tokens', async () => {
    await create({ name: 'environment', value: 'harness-test', expression: false });
    expect(jwtClaims(await userToken()).environment).toBe('harness-test');
    const client = jwtClaims(await clientCredentials(MYSCOPES, SEEDED.admin.id, SEEDED.admin.secret));
    expect(client.sub_type).toBe('client');
    expect(client.environment).toBe('harness-test');
    expect(client).not.toHaveProperty('APIGWMichael4');
  });

  it('takes mode in any letter case, stores it lowercase, and never adds never (or request) claims', async () => {
    const never = await create({ name: 'NeverClaim', value: 'no', mode: 'NEVER' });
    expect(never.mode).toBe('never');
    const request = await create({ name: 'RequestClaim', value: 'no', mode: 'Request' });
    expect(request.mode).toBe('request');
    const always = await create({ name: 'AlwaysClaim', value: 'yes', mode: 'ALWAYS' });
    expect(always.mode).toBe('always');
    expect((await api.get(`/admin/v1/CustomClaims/${never.id}`)).body.mode).toBe('never');
    const claims = jwtClaims(await userToken());
    expect(claims).not.toHaveProperty('NeverClaim');
    expect(claims).not.toHaveProperty('RequestClaim');
    expect(claims.AlwaysClaim).toBe('yes');
  });

  it('puts tokenType IT claims in the ID token (openid) and BOTH in both', async () => {
    await create({ name: 'idOnly', value: `$user.${CUSTOM_USER}.${CUSTOM_ATTR}`, expression: true, tokenType: 'IT' });
    await create({ name: 'inBoth', value: 'both', tokenType: 'BOTH' });
    const res = await userToken(`openid ${MYSCOPES}`);
    const at = jwtClaims(res);
    const it = jwtClaims(res, 'id_token');
    expect(it.tok_type).toBe('IT');
    expect(it.idOnly).toBe('Api2Access');
    expect(it.inBoth).toBe('both');
    expect(it).not.toHaveProperty('APIGWMichael4');
    expect(at).not.toHaveProperty('idOnly');
    expect(at.inBoth).toBe('both');
    expect(at.APIGWMichael4).toBe('Api2Access');
  });

  it('adds a scoped claim only to tokens of a request naming one of its scopes', async () => {
    const scoped = await create({ name: 'readers', value: 'yes', allScopes: false, scopes: [FQS] });
    expect(scoped.scopes).toEqual([FQS]);
    expect(jwtClaims(await clientCredentials(FQS)).readers).toBe('yes');
    expect(jwtClaims(await clientCredentials('anwendung1AnwendungWriteA'))).not.toHaveProperty('readers');
    expect(jwtClaims(await userToken())).not.toHaveProperty('readers');
  });

  it('lists, filters, searches, projects, patches, replaces and deletes claims', async () => {
    const all = await api.get('/admin/v1/CustomClaims');
    expect(all.status, all.text).toBe(200);
    expect(all.body.schemas).toEqual([LIST_RESPONSE]);
    const names = all.body.Resources.map((c: any) => c.name);
    expect(names.slice(0, 2)).toEqual(['APIGWMichael4', 'MissingCustom']);
    expect(all.body.totalResults).toBe(names.length);

    const filtered = await api.get(`/admin/v1/CustomClaims?filter=${encodeURIComponent('name eq "apigwmichael4"')}&attributes=name,value`);
    expect(filtered.body.totalResults).toBe(1);
    expect(filtered.body.Resources).toEqual([{ schemas: [CLAIM_SCHEMA], id: expect.any(String), name: 'APIGWMichael4', value: EXPRESSION }]);
    const searched = await api.post('/admin/v1/CustomClaims/.search', { schemas: [SEARCH_REQUEST], filter: 'tokenType eq "IT"' });
    expect(searched.body.Resources.map((c: any) => c.name)).toEqual(['idOnly']);

    const claim = await create({ name: 'MyATCustomClaim', value: 'MyATValue' });
    // Oracle's own PATCH example, plus the scopes it needs once allScopes is false.
    const patched = await api.patch(`/admin/v1/CustomClaims/${claim.id}`, patchOp({ op: 'replace', path: 'allScopes', value: false }, { op: 'add', path: 'scopes', value: [FQS] }));
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ name: 'MyATCustomClaim', allScopes: false, scopes: [FQS], meta: { version: 'W/"2"' } });
    expect(jwtClaims(await userToken())).not.toHaveProperty('MyATCustomClaim');
    expect(jwtClaims(await clientCredentials(FQS)).MyATCustomClaim).toBe('MyATValue');

    // Oracle's PUT example: mode request, renamed.
    const replaced = await api.put(`/admin/v1/CustomClaims/${claim.id}`, { schemas: [CLAIM_SCHEMA], name: 'MyATClaim1', value: 'MyATValue1', expression: false, mode: 'request', tokenType: 'AT', allScopes: true });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toMatchObject({ id: claim.id, name: 'MyATClaim1', value: 'MyATValue1', mode: 'request', allScopes: true, meta: { version: 'W/"3"' } });
    expect(replaced.body).not.toHaveProperty('scopes');
    expect(jwtClaims(await clientCredentials(FQS))).not.toHaveProperty('MyATCustomClaim');

    const deleted = await api.delete(`/admin/v1/CustomClaims/${claim.id}`);
    expect(deleted.status).toBe(204);
    expectScimError(await api.get(`/admin/v1/CustomClaims/${claim.id}`), 404, { messageId: 'error.common.exception.resourceNotFound' });
    expectScimError(await api.delete(`/admin/v1/CustomClaims/${claim.id}`), 404);
  });

  it('refuses invalid claims with a clear detail', async () => {
    const INVALID = 'error.common.validation.invalidValue';
    const cases: Array<[Record<string, unknown>, number, string, string | RegExp]> = [
      [{ schemas: undefined, name: 'x', value: 'y' }, 400, 'error.common.validation.missingReqAttributes', `schemas must contain "${CLAIM_SCHEMA}"`],
      [{ value: 'y' }, 400, 'error.common.validation.missingReqAttributes', 'Missing required attribute(s): name'],
      [{ name: 'x' }, 400, 'error.common.validation.missingReqAttributes', 'Missing required attribute(s): value'],
      [{ name: '', value: 'y' }, 400, INVALID, 'name must be a string of 1 to 100 characters (got "", 0 characters)'],
      [{ name: 'n'.repeat(101), value: 'y' }, 400, INVALID, /^name must be a string of 1 to 100 characters \(got "n+", 101 characters\)$/],
      [{ name: 'sub', value: 'y' }, 400, INVALID, 'name "sub" is a standard claim of IDCS tokens; a custom claim must not clash with one (choose another name)'],
      [{ name: 'user.tenant.name', value: 'y' }, 400, INVALID, /^name "user\.tenant\.name" is a standard claim/],
      [{ name: 'groups', value: 'y' }, 400, INVALID, /^name "groups" is a standard claim/],
      [{ name: 'APIGWMICHAEL4', value: 'y' }, 409, 'error.common.validation.uniqueness', /^A custom claim with name "APIGWMichael4" already exists \(id [0-9a-f]{32}\)\.$/],
      [{ name: 'long', value: 'v'.repeat(101) }, 400, INVALID, 'value is 101 characters long; a constant value may have at most 100 (only an expression\'s result is unlimited)'],
      [{ name: 'badExpr', value: 'user.userName', expression: true }, 400, INVALID, /^value "user\.userName" is not a user expression/],
      [{ name: 'badExpr', value: '$user.', expression: true }, 400, INVALID, /^value "\$user\." is not a user expression/],
      [{ name: 'x', value: 'y', expression: 'yes' }, 400, INVALID, 'expression must be true or false (got "yes")'],
      [{ name: 'x', value: 42 }, 400, INVALID, 'value must be a non-empty string (got 42)'],
      [{ name: 'x', value: 'y', mode: 'sometimes' }, 400, INVALID, 'mode must be always, request or never (any letter case; got "sometimes")'],
      [{ name: 'x', value: 'y', tokenType: 'ID' }, 400, INVALID, 'tokenType must be AT, IT or BOTH (got "ID")'],
      [{ name: 'x', value: 'y', allScopes: false }, 400, INVALID, 'Set "allScopes": true, or list at least one fully qualified scope in "scopes" (the claim would never be added otherwise).'],
      [{ name: 'x', value: 'y', allScopes: false, scopes: [] }, 400, INVALID, /^Set "allScopes": true, or list at least one/],
      [{ name: 'x', value: 'y', allScopes: false, scopes: FQS }, 400, INVALID, `scopes must be an array of fully qualified scopes (non-empty strings; got "${FQS}")`],
      [{ name: 'x', value: 'y', allScopes: false, scopes: [''] }, 400, INVALID, /^scopes must be an array/],
      [{ name: 'x', value: 'y', colour: 'red' }, 400, 'error.common.validation.invalidAttribute', /^Attribute "colour" is not an attribute of urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim/],
    ];
    const before = (await api.get('/admin/v1/CustomClaims')).body.totalResults;
    for (const [overrides, status, messageId, detail] of cases) {
      const body: Record<string, unknown> = claimBody(overrides);
      if ('schemas' in overrides && overrides.schemas === undefined) delete body.schemas;
      expectScimError(await api.post('/admin/v1/CustomClaims', body), status, { messageId, detail });
    }
    // An expression's value may be longer than 100 characters; attribute names match in any case.
    const long = await api.post('/admin/v1/CustomClaims', { schemas: [CLAIM_SCHEMA], NAME: 'LongExpression', Value: `$user.${CUSTOM_USER}.${'a'.repeat(120)}`, expression: true, allscopes: true });
    expect(long.status, long.text).toBe(201);
    expect(long.body).toMatchObject({ name: 'LongExpression', allScopes: true, mode: 'always', tokenType: 'AT' });
    expectScimError(await api.post('/admin/v1/CustomClaims', '{not json'), 400);
    expectScimError(await api.post('/admin/v1/CustomClaims', '[1]'), 400, { messageId: 'error.common.validation.invalidSyntax' });
    expect((await api.get('/admin/v1/CustomClaims')).body.totalResults).toBe(before + 1);
  });

  it('keeps names unique on replace and patch too', async () => {
    const a = await create({ name: 'uniqueA', value: 'a' });
    const renamed = await api.patch(`/admin/v1/CustomClaims/${a.id}`, patchOp({ op: 'replace', path: 'name', value: 'apigwMichael4' }));
    expectScimError(renamed, 409, { scimType: 'uniqueness', detail: /^A custom claim with name "APIGWMichael4" already exists/ });
    expectScimError(await api.put(`/admin/v1/CustomClaims/${a.id}`, claimBody({ name: 'environment', value: 'a' })), 409, { messageId: 'error.common.validation.uniqueness' });
    // Its own name (any case) is no clash.
    const same = await api.put(`/admin/v1/CustomClaims/${a.id}`, claimBody({ name: 'UNIQUEA', value: 'b' }));
    expect(same.status, same.text).toBe(200);
    expect(same.body.name).toBe('UNIQUEA');
    expectScimError(await api.patch(`/admin/v1/CustomClaims/${a.id}`, patchOp({ op: 'remove', path: 'scopes' }, { op: 'replace', path: 'allScopes', value: false })), 400, {
      detail: /^Set "allScopes": true, or list at least one/,
    });
    expect((await api.delete(`/admin/v1/CustomClaims/${a.id}`)).status).toBe(204);
  });

  it('accepts a claim whose scopes name no real scope, then fails resource-scope token requests with invalid_scope ([MOS])', async () => {
    const typo = await create({ name: 'typoScoped', value: 'x', allScopes: false, scopes: [FQS, 'anwendung1AnwendungReedA'] });
    expect(typo.scopes).toEqual([FQS, 'anwendung1AnwendungReedA']);

    const refused = await clientCredentials(FQS);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'invalid_scope', error_description: 'Invalid scope.' });
    expect(refused.headers.get('x-harness-reason')).toContain(`custom claim "typoScoped" (id ${typo.id}) lists "anwendung1AnwendungReedA" in its scopes`);
    // Any request for a resource scope, not only those naming the claim's scopes.
    expect((await clientCredentials('anwendung1AnwendungWriteA')).status).toBe(400);
    // Requests without a resource scope are not affected: the admin can still repair the claim.
    expect((await clientCredentials(MYSCOPES, SEEDED.admin.id, SEEDED.admin.secret)).status).toBe(200);
    expect(jwtClaims(await userToken())).not.toHaveProperty('typoScoped');

    // A claim out of play does not trip: mode never, or a token type the request does not issue.
    const url = `/admin/v1/CustomClaims/${typo.id}`;
    expect((await api.patch(url, patchOp({ op: 'replace', path: 'mode', value: 'never' }))).status).toBe(200);
    expect((await clientCredentials(FQS)).status).toBe(200);
    expect((await api.patch(url, patchOp({ op: 'replace', path: 'mode', value: 'always' }, { op: 'replace', path: 'tokenType', value: 'IT' }))).status).toBe(200);
    expect((await clientCredentials(FQS)).status).toBe(200);
    expect((await api.patch(url, patchOp({ op: 'replace', path: 'tokenType', value: 'BOTH' }))).status).toBe(200);
    expect((await clientCredentials(FQS)).status).toBe(400);

    // OIDC and admin scope names are real scopes; fixing the typo makes the claim work.
    const fixed = await api.patch(url, patchOp({ op: 'replace', path: 'scopes', value: [FQS, 'phone', 'urn:opc:idm:t.users'] }));
    expect(fixed.status, fixed.text).toBe(200);
    expect(jwtClaims(await clientCredentials(FQS)).typoScoped).toBe('x');
    expect((await api.delete(url)).status).toBe(204);
  });

  it('refuses names of every claim the mock emits itself (STANDARD_CLAIMS covers AT and ID token)', async () => {
    const custom = new Set(((await api.get('/admin/v1/CustomClaims?count=1000')).body.Resources as Array<{ name: string }>).map((c) => c.name));
    const res = await userToken(`openid offline_access ${MYSCOPES}`);
    const tokens = [jwtClaims(res), jwtClaims(res, 'id_token'), jwtClaims(await clientCredentials(FQS)), jwtClaims(await clientCredentials(MYSCOPES, SEEDED.admin.id, SEEDED.admin.secret))];
    const emitted = new Set(tokens.flatMap((t) => Object.keys(t)).filter((k) => !custom.has(k)));
    expect([...emitted].filter((k) => !STANDARD_CLAIMS.has(k))).toEqual([]);
    expect(emitted.size).toBeGreaterThan(40);
    for (const name of ['iss', 'tok_type', 'user_displayname', 'at_hash', 'clientAppRoles', 'onBehalfOfUser']) {
      expectScimError(await api.post('/admin/v1/CustomClaims', claimBody({ name, value: 'v' })), 400, { detail: `name "${name}" is a standard claim of IDCS tokens; a custom claim must not clash with one (choose another name)` });
    }
  });

  it('needs urn:opc:idm:t.settings (Identity Domain Administrator)', async () => {
    expectScimError(await scimRequest(iam, 'GET', '/admin/v1/CustomClaims'), 401, { messageId: 'error.common.exception.unauthorizedAccess' });
    const userAdmin = adminApi(iam, await clientToken(iam, 'user_admin_client', 'user-admin-secret'));
    const forbidden = await userAdmin.get('/admin/v1/CustomClaims');
    expectScimError(forbidden, 403, { messageId: 'error.common.exception.forbidden' });
    expect(forbidden.headers.get('x-harness-reason')).toContain('GET /admin/v1/CustomClaims needs one of the scopes urn:opc:idm:t.settings');
    expectScimError(await userAdmin.post('/admin/v1/CustomClaims', claimBody({ name: 'x', value: 'y' })), 403);
    const endUser = adminApi(iam, (await userToken()).body.access_token);
    expectScimError(await endUser.get('/admin/v1/CustomClaims'), 403);
  });
});

describe('/admin/v1/CustomClaims with the feature switched off (legacy IDCS without the service request)', () => {
  let iam: TestIam;
  let api: ReturnType<typeof adminApi>;
  beforeAll(async () => {
    // The default seeds keep the blog's APIGWMichael4 claim: it must not reach tokens.
    iam = await startTestIam({ settings: { signingCertPublicAccess: true, customClaimsEnabled: false } });
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam?.stop());

  it('fails every CustomClaims call with a SCIM error naming the missing feature', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    const calls = [
      api.get('/admin/v1/CustomClaims'),
      api.post('/admin/v1/CustomClaims/.search', { schemas: [SEARCH_REQUEST] }),
      api.post('/admin/v1/CustomClaims', claimBody({ name: 'x', value: 'y' })),
      api.get(`/admin/v1/CustomClaims/${id}`),
      api.put(`/admin/v1/CustomClaims/${id}`, claimBody({ name: 'x', value: 'y' })),
      api.patch(`/admin/v1/CustomClaims/${id}`, patchOp({ op: 'replace', path: 'value', value: 'z' })),
      api.delete(`/admin/v1/CustomClaims/${id}`),
    ];
    for (const res of await Promise.all(calls)) {
      expectScimError(res, 400, {
        messageId: FEATURE_DISABLED_MESSAGE_ID,
        detail: 'Custom claims are not enabled for this identity domain. Raise a service request with Oracle Support to enable the custom claims feature.',
      });
      expect(res.body).not.toHaveProperty('scimType');
      expect(res.headers.get('x-harness-reason')).toContain('iam.settings.customClaimsEnabled is false');
    }
    expect(FEATURE_DISABLED_MESSAGE_ID).toBe('error.common.feature.notEnabled');
    // Authentication still comes first.
    expectScimError(await scimRequest(iam, 'GET', '/admin/v1/CustomClaims'), 401);
  });

  it('adds no existing claim to tokens', async () => {
    const claims = jwtClaims(await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password));
    expect(claims.sub).toBe(SEEDED.user.userName);
    expect(claims.user_displayname).toBe('Michael Fischer7');
    expect(claims).not.toHaveProperty('APIGWMichael4');
  });
});
