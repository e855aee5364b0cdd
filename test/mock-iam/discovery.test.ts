/**
 * `/.well-known/openid-configuration` and `/.well-known/idcs-configuration` (reference §3.2,
 * §3.3), and the issuer setting: presets and an explicit string change `iss` everywhere.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { DOMAIN_URL, http, IDCS_ISSUER, joseVerify, makeKeyFile, SECURE_DOMAIN_URL, tempDir, useCase1Token } from './helpers.js';

describe('discovery documents', () => {
  let iam: TestIam;
  let doc: any;
  beforeAll(async () => {
    iam = await startTestIam();
    const res = await http(`${iam.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    doc = res.body;
  });
  afterAll(() => iam.stop());

  it('names the configured issuer, not the host serving it', () => {
    expect(doc.issuer).toBe(IDCS_ISSUER);
    expect(doc.issuer).not.toContain('127.0.0.1');
  });

  it("puts every endpoint on the server's own URL", () => {
    const at = (path: string) => `${iam.url}${path}`;
    expect(doc).toMatchObject({
      authorization_endpoint: at('/oauth2/v1/authorize'),
      token_endpoint: at('/oauth2/v1/token'),
      userinfo_endpoint: at('/oauth2/v1/userinfo'),
      revocation_endpoint: at('/oauth2/v1/revoke'),
      introspection_endpoint: at('/oauth2/v1/introspect'),
      end_session_endpoint: at('/oauth2/v1/userlogout'),
      jwks_uri: at('/admin/v1/SigningCert/jwk'),
      secure_token_endpoint: at('/oauth2/v1/token'),
      secure_introspection_endpoint: at('/oauth2/v1/introspect'),
    });
    for (const [name, value] of Object.entries(doc)) {
      if (name.endsWith('_endpoint') || name === 'jwks_uri') expect(value, name).toMatch(new RegExp(`^${iam.url.replace(/[.]/g, '\\.')}/(oauth2|admin)/v1/`));
    }
  });

  it('carries the field values of a real IDCS document', () => {
    expect(doc).toMatchObject({
      scopes_supported: ['openid', 'profile', 'offline_access', 'email', 'address', 'phone', 'groups', 'get_groups', 'approles', 'get_approles'],
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_signing_alg_values_supported: ['none'],
      claims_supported: ['aud', 'exp', 'iat', 'iss', 'jti', 'sub'],
      grant_types_supported: ['client_credentials', 'password', 'refresh_token', 'authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'tls_cert_auth'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt', 'client_secret_post'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      ui_locales_supported: ['en'],
      claims_parameter_supported: false,
      http_logout_supported: true,
      logout_session_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      require_request_uri_registration: false,
      idcs_id_token: 'supported',
      idcs_logout_v3: 'supported',
    });
  });

  it('is public even when the JWKS is not: no Authorization needed', async () => {
    const locked = await startTestIam({ settings: { signingCertPublicAccess: false } });
    try {
      const res = await http(`${locked.url}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.body.issuer).toBe(IDCS_ISSUER);
      expect((await http(res.body.jwks_uri)).status).toBe(401);
    } finally {
      await locked.stop();
    }
  });

  it('/.well-known/idcs-configuration nests the same document under openid-configuration', async () => {
    const res = await http(`${iam.url}/.well-known/idcs-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(Object.keys(res.body)).toEqual(['openid-configuration']);
    expect(res.body['openid-configuration']).toEqual(doc);
  });

  it('the advertised token endpoint issues tokens whose iss is the advertised issuer', async () => {
    const { claims } = decodeJwtParts(await useCase1Token(iam));
    expect(claims.iss).toBe(doc.issuer);
  });
});

describe('issuer setting', () => {
  let iam: TestIam | undefined;
  let tmp: ReturnType<typeof tempDir>;
  let keyFile: string;
  beforeAll(async () => {
    tmp = tempDir();
    keyFile = await makeKeyFile(tmp.dir);
  });
  afterEach(async () => {
    await iam?.stop();
    iam = undefined;
  });
  afterAll(() => tmp.cleanup());
  /** Starts on the shared key file (no key generation; these tests never rotate). */
  const start = (overrides: Record<string, unknown>) =>
    startTestIam({ signingKeys: { file: keyFile, activeKid: 'SIGNING_KEY', retiredKids: [] }, ...overrides });

  const cases: Array<[string, string]> = [
    ['idcs', 'https://identity.oraclecloud.com/'],
    ['identity-domain', 'https://identity.oraclecloud.com'],
    [DOMAIN_URL, DOMAIN_URL],
    ['https://issuer.example.test/custom/path', 'https://issuer.example.test/custom/path'],
  ];

  it.each(cases)('issuer %s: discovery and tokens say %s', async (setting, expected) => {
    iam = await start({ issuer: setting });
    const openid = await http(`${iam.url}/.well-known/openid-configuration`);
    const idcs = await http(`${iam.url}/.well-known/idcs-configuration`);
    expect(openid.body.issuer).toBe(expected);
    expect(idcs.body['openid-configuration'].issuer).toBe(expected);
    const token = await useCase1Token(iam);
    expect(decodeJwtParts(token).claims.iss).toBe(expected);
    // a verifier pinned to the advertised issuer accepts it; the other preset does not
    const { payload } = await joseVerify(iam, token, { issuer: expected, audience: 'anwendung1' });
    expect(payload.iss).toBe(expected);
    const other = expected === IDCS_ISSUER ? 'https://identity.oraclecloud.com' : IDCS_ISSUER;
    await expect(joseVerify(iam, token, { issuer: other })).rejects.toThrow('unexpected "iss" claim value');
  });

  it('identity-domain issuer: ID tokens use it in iss and aud, and introspection accepts its own tokens', async () => {
    iam = await start({ issuer: 'identity-domain' });
    const res = await tokenRequest(
      iam,
      { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'openid urn:opc:idm:__myscopes__' },
      { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
    );
    expect(res.status).toBe(200);
    const id = decodeJwtParts(res.body.id_token).claims;
    expect(id.iss).toBe('https://identity.oraclecloud.com');
    expect(id.aud).toEqual(['usecase2_client', 'https://identity.oraclecloud.com']);
    const introspected = await http(`${iam.url}/oauth2/v1/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
      body: new URLSearchParams({ token: res.body.access_token }).toString(),
    });
    expect(introspected.body).toMatchObject({ active: true, iss: 'https://identity.oraclecloud.com', sub: 'usecase2.user' });
  });

  it('a configured baseUrl replaces the listen address in discovery', async () => {
    iam = await start({ baseUrl: 'https://idcs-mock.example.test' });
    const res = await http(`${iam.url}/.well-known/openid-configuration`);
    expect(res.body.token_endpoint).toBe('https://idcs-mock.example.test/oauth2/v1/token');
    expect(res.body.jwks_uri).toBe('https://idcs-mock.example.test/admin/v1/SigningCert/jwk');
    expect(res.body.issuer).toBe(IDCS_ISSUER);
  });

  it('the admin audience of __myscopes__ tokens follows the tenant, not the issuer', async () => {
    iam = await start({ issuer: 'https://issuer.example.test' });
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: 'urn:opc:idm:__myscopes__' }, { authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) });
    expect(res.status).toBe(200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.iss).toBe('https://issuer.example.test');
    expect(claims.aud).toContain(SECURE_DOMAIN_URL);
    expect(claims.aud).toContain(DOMAIN_URL);
  });
});
