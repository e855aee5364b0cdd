/**
 * openid-client v6 (panva) used as an IDCS user would: discovery, then client_credentials and
 * password grants. IDCS's issuer is not the host serving discovery, so strict discovery fails;
 * the working paths take the fetched metadata as is.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDED, startTestIam, type TestIam } from '../support/iam.js';
import { ADMIN_AUDIENCES, http, IDCS_ISSUER, JWKS_PATH, MY_SCOPES, TENANT } from './helpers.js';

describe('openid-client v6 against the mock IAM', () => {
  let iam: TestIam;
  let metadata: client.ServerMetadata;

  beforeAll(async () => {
    iam = await startTestIam();
    const res = await http(`${iam.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    metadata = res.body as client.ServerMetadata;
  });
  afterAll(() => iam.stop());

  /** The working path: a Configuration from the fetched metadata, HTTP allowed. */
  function configFor(id: string, secret: string): client.Configuration {
    const config = new client.Configuration(metadata, id, undefined, client.ClientSecretBasic(secret));
    client.allowInsecureRequests(config);
    return config;
  }

  describe('strict discovery', () => {
    it('refuses plain http without allowInsecureRequests', async () => {
      const err = await client.discovery(new URL(iam.url), SEEDED.useCase1.id, SEEDED.useCase1.secret).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(client.ClientError);
      expect((err as client.ClientError).code).toBe('OAUTH_HTTP_REQUEST_FORBIDDEN');
    });

    it('rejects the IDCS issuer, which is not the host serving the document', async () => {
      const err = await client
        .discovery(new URL(iam.url), SEEDED.useCase1.id, SEEDED.useCase1.secret, undefined, { execute: [client.allowInsecureRequests] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(client.ClientError);
      expect((err as client.ClientError).code).toBe('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
      const cause = (err as client.ClientError).cause as { expected: string; attribute: string; body: { issuer: string } };
      expect(cause.attribute).toBe('issuer');
      expect(cause.expected).toBe(`${iam.url}/`);
      expect(cause.body.issuer).toBe(IDCS_ISSUER);
    });

    it('accepts the document when given its full /.well-known URL (no issuer comparison then)', async () => {
      const config = await client.discovery(new URL(`${iam.url}/.well-known/openid-configuration`), SEEDED.useCase1.id, SEEDED.useCase1.secret, undefined, {
        execute: [client.allowInsecureRequests],
      });
      const server = config.serverMetadata();
      expect(server.issuer).toBe(IDCS_ISSUER);
      expect(server.token_endpoint).toBe(`${iam.url}/oauth2/v1/token`);
      const tokens = await client.clientCredentialsGrant(config, { scope: SEEDED.useCase1.scope });
      expect(tokens.claims()).toBeUndefined();
      expect(JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()).aud).toBe('anwendung1');
    });
  });

  describe('Configuration built from the fetched metadata', () => {
    it('takes the issuer and endpoints from the document', () => {
      const server = configFor(SEEDED.useCase1.id, SEEDED.useCase1.secret).serverMetadata();
      expect(server.issuer).toBe(IDCS_ISSUER);
      expect(server.token_endpoint).toBe(`${iam.url}/oauth2/v1/token`);
      expect(server.jwks_uri).toBe(`${iam.url}${JWKS_PATH}`);
      expect(server.introspection_endpoint).toBe(`${iam.url}/oauth2/v1/introspect`);
    });

    it('refuses http requests unless allowInsecureRequests is applied', async () => {
      const config = new client.Configuration(metadata, SEEDED.useCase1.id, undefined, client.ClientSecretBasic(SEEDED.useCase1.secret));
      const err = await client.clientCredentialsGrant(config, { scope: SEEDED.useCase1.scope }).catch((e: unknown) => e);
      expect((err as client.ClientError).code).toBe('OAUTH_HTTP_REQUEST_FORBIDDEN');
    });

    it('client_credentials (use case 1): a Bearer token for anwendung1 with the short scope', async () => {
      const tokens = await client.clientCredentialsGrant(configFor(SEEDED.useCase1.id, SEEDED.useCase1.secret), { scope: SEEDED.useCase1.scope });
      expect(tokens.token_type).toBe('bearer'); // oauth4webapi lowercases it
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.expiresIn()).toBeGreaterThan(3590);
      expect(tokens.scope).toBeUndefined(); // IDCS sends no scope member
      expect(tokens.refresh_token).toBeUndefined();
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({
        iss: IDCS_ISSUER,
        sub: 'usecase1_client',
        sub_type: 'client',
        aud: 'anwendung1',
        scope: 'AnwendungReadA',
        client_id: 'usecase1_client',
        client_name: 'ResourceServerUse',
        tenant: TENANT,
        tok_type: 'AT',
        gtp: 'cc',
      });
      expect(claims.exp - claims.iat).toBe(3600);
    });

    it('client_credentials with client_secret_post works too', async () => {
      const config = new client.Configuration(metadata, SEEDED.useCase1.id, undefined, client.ClientSecretPost(SEEDED.useCase1.secret));
      client.allowInsecureRequests(config);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'anwendung1AnwendungReadA anwendung1AnwendungWriteA' });
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
      expect(claims.scope).toBe('AnwendungReadA AnwendungWriteA');
      expect(claims.aud).toBe('anwendung1');
    });

    it('a wrong Basic secret surfaces as a 401 Basic challenge with the invalid_client body', async () => {
      const err = await client.clientCredentialsGrant(configFor(SEEDED.useCase1.id, 'wrong-secret'), { scope: SEEDED.useCase1.scope }).catch((e: unknown) => e);
      // RFC 6749 §5.2: a client that used Basic gets WWW-Authenticate back; oauth4webapi raises that first.
      expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError);
      const challenge = err as client.WWWAuthenticateChallengeError;
      expect(challenge.status).toBe(401);
      expect(challenge.cause[0]?.scheme).toBe('basic');
      expect(challenge.cause[0]?.parameters.realm).toBe('oauth');
      expect(await challenge.response.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    });

    it('a wrong client_secret_post secret is an invalid_client ResponseBodyError (no challenge)', async () => {
      const config = new client.Configuration(metadata, SEEDED.useCase1.id, undefined, client.ClientSecretPost('wrong-secret'));
      client.allowInsecureRequests(config);
      const err = await client.clientCredentialsGrant(config, { scope: SEEDED.useCase1.scope }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect((err as client.ResponseBodyError).error).toBe('invalid_client');
      expect((err as client.ResponseBodyError).status).toBe(401);
    });

    it('a scope the client does not hold is invalid_scope / "Invalid scope."', async () => {
      const err = await client.clientCredentialsGrant(configFor(SEEDED.useCase1.id, SEEDED.useCase1.secret), { scope: 'AnwendungReadA' }).catch((e: unknown) => e);
      expect((err as client.ResponseBodyError).error).toBe('invalid_scope');
      expect((err as client.ResponseBodyError).error_description).toBe('Invalid scope.');
      expect((err as client.ResponseBodyError).status).toBe(400);
    });

    it('password grant (use case 2) via genericGrantRequest: a user token with the custom claim', async () => {
      const tokens = await client.genericGrantRequest(configFor(SEEDED.useCase2.id, SEEDED.useCase2.secret), 'password', {
        username: SEEDED.user.userName,
        password: SEEDED.user.password,
        scope: MY_SCOPES,
      });
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.id_token).toBeUndefined();
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({
        iss: IDCS_ISSUER,
        sub: 'usecase2.user',
        sub_type: 'user',
        sub_mappingattr: 'userName',
        client_id: 'usecase2_client',
        client_name: 'EndUserLoginClient',
        scope: 'urn:opc:idm:t.user.me',
        user_displayname: 'Michael Fischer7',
        gtp: 'ro',
        APIGWMichael4: 'Api1Access',
        onBehalfOfUser: true,
        amr: ['USERNAME_PASSWORD'],
      });
      expect(claims.aud).toEqual(ADMIN_AUDIENCES);
      expect(claims.user_isAdmin).toBeUndefined();
    });

    it('password grant with openid: openid-client validates the ID token (aud [client, issuer] with azp)', async () => {
      const config = configFor(SEEDED.useCase2.id, SEEDED.useCase2.secret);
      const tokens = await client.genericGrantRequest(config, 'password', {
        username: SEEDED.user.userName,
        password: SEEDED.user.password,
        scope: `openid profile email offline_access ${MY_SCOPES}`,
      });
      const idClaims = tokens.claims();
      expect(idClaims).toBeDefined();
      expect(idClaims!.iss).toBe(IDCS_ISSUER);
      expect(idClaims!.sub).toBe('usecase2.user');
      expect(idClaims!.aud).toEqual(['usecase2_client', IDCS_ISSUER]);
      expect(idClaims!.azp).toBe('usecase2_client');
      expect(idClaims!.tok_type).toBe('IT');
      expect(typeof tokens.refresh_token).toBe('string');

      // userinfo with the subject check openid-client insists on
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims!.sub);
      expect(info).toMatchObject({
        sub: 'usecase2.user',
        name: 'Michael Fischer7',
        given_name: 'Michael',
        family_name: 'Fischer7',
        preferred_username: 'usecase2.user',
        email: 'usecase2.user@example.com',
      });
      const mismatch = await client.fetchUserInfo(config, tokens.access_token, 'someone.else').catch((e: unknown) => e);
      expect((mismatch as client.ClientError).code).toBe('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');

      // refresh: a new access token for the same user, gtp rt
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      const refreshedClaims = JSON.parse(Buffer.from(refreshed.access_token.split('.')[1]!, 'base64url').toString());
      expect(refreshedClaims).toMatchObject({ sub: 'usecase2.user', gtp: 'rt', client_id: 'usecase2_client' });
      expect(refreshed.access_token).not.toBe(tokens.access_token);
    });

    it('a wrong user password is invalid_grant / "Invalid username or password."', async () => {
      const err = await client
        .genericGrantRequest(configFor(SEEDED.useCase2.id, SEEDED.useCase2.secret), 'password', { username: SEEDED.user.userName, password: 'nope', scope: MY_SCOPES })
        .catch((e: unknown) => e);
      expect((err as client.ResponseBodyError).error).toBe('invalid_grant');
      expect((err as client.ResponseBodyError).error_description).toBe('Invalid username or password.');
    });

    it('tokenIntrospection answers active with the claims, and inactive for garbage', async () => {
      const config = configFor(SEEDED.useCase1.id, SEEDED.useCase1.secret);
      const tokens = await client.clientCredentialsGrant(config, { scope: SEEDED.useCase1.scope });
      const active = await client.tokenIntrospection(config, tokens.access_token);
      expect(active).toMatchObject({ active: true, token_type: 'Bearer', sub: 'usecase1_client', aud: 'anwendung1', iss: IDCS_ISSUER, scope: 'AnwendungReadA' });
      const inactive = await client.tokenIntrospection(config, 'not-a-token');
      expect(inactive).toEqual({ active: false });
    });
  });
});
