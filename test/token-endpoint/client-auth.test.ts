/**
 * Client authentication at the token endpoint (reference §1.2): HTTP Basic with URL-encoded
 * parts, client_secret_post, and private_key_jwt with a certificate imported into the app.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, startTestIam, tokenRequest, type TestIam } from '../support/iam.js';
import { expectOAuthError, ISSUER, makeClientCertificate, post, signAssertion, withApps, type ClientCertificate } from './helpers.js';

const ODD_ID = 'odd.client-1';
const ODD_SECRET = 'p+s=w:r%d/ a&b';
const CA_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SCOPE = 'anwendung1AnwendungReadA';

describe('client authentication', () => {
  let iam: TestIam;
  let cert: ClientCertificate;
  let otherKey: ClientCertificate;

  beforeAll(async () => {
    cert = makeClientCertificate('jwt_client_cert');
    otherKey = makeClientCertificate('jwt_client_cert');
    iam = await startTestIam(
      withApps(
        {
          name: ODD_ID,
          displayName: 'Odd Secret Client',
          isOAuthClient: true,
          clientSecret: ODD_SECRET,
          allowedGrants: ['client_credentials'],
          allowedScopes: [{ fqs: SCOPE }],
        },
        {
          name: 'jwt_client',
          displayName: 'Private Key JWT Client',
          isOAuthClient: true,
          allowedGrants: ['client_credentials'],
          allowedScopes: [{ fqs: SCOPE }],
          certificates: [{ certAlias: cert.alias, x509Base64Certificate: cert.x509Base64 }],
        },
      ),
    );
  });
  afterAll(() => iam?.stop());

  const ccForm = { grant_type: 'client_credentials', scope: SCOPE };

  describe('client_secret_basic', () => {
    it('decodes URL-encoded id and secret (secret with + = : % / space &)', async () => {
      const res = await tokenRequest(iam, ccForm, { authorization: basic(ODD_ID, ODD_SECRET) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(decodeJwtParts(res.body.access_token).claims.client_id).toBe(ODD_ID);
    });

    it('reads + in the encoded secret as a space (form decoding), so a raw + secret fails', async () => {
      // The raw secret is not URL-encoded: "+" becomes " " and "%d/" is not valid encoding.
      const raw = `Basic ${Buffer.from(`${ODD_ID}:p+s=w:r%25d/ a&b`).toString('base64')}`;
      const res = await tokenRequest(iam, ccForm, { authorization: raw });
      expectOAuthError(res, 401, 'invalid_client', `wrong client secret for client "${ODD_ID}"`);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    });

    it('refuses the secret sent without the %-encoding of %', async () => {
      const raw = `Basic ${Buffer.from(`${encodeURIComponent(ODD_ID)}:${ODD_SECRET}`).toString('base64')}`;
      const res = await tokenRequest(iam, ccForm, { authorization: raw });
      expectOAuthError(res, 401, 'invalid_client', 'not valid URL encoding');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    });

    it('accepts the scheme name in any case', async () => {
      const res = await tokenRequest(iam, ccForm, { authorization: basic(ODD_ID, ODD_SECRET).replace('Basic', 'bAsIc') });
      expect(res.status).toBe(200);
    });

    it('accepts a form client_id equal to the Basic one and refuses a different one', async () => {
      const same = await tokenRequest(iam, { ...ccForm, client_id: ODD_ID }, { authorization: basic(ODD_ID, ODD_SECRET) });
      expect(same.status).toBe(200);
      const other = await tokenRequest(iam, { ...ccForm, client_id: 'usecase1_client' }, { authorization: basic(ODD_ID, ODD_SECRET) });
      expectOAuthError(other, 400, 'invalid_request', 'usecase1_client');
    });
  });

  describe('client_secret_post', () => {
    it('authenticates with client_id and client_secret form fields', async () => {
      const res = await tokenRequest(iam, { ...ccForm, client_id: ODD_ID, client_secret: ODD_SECRET });
      expect(res.status).toBe(200);
      const { claims } = decodeJwtParts(res.body.access_token);
      expect(claims.sub).toBe(ODD_ID);
      expect(claims.client_name).toBe('Odd Secret Client');
    });

    it('refuses client_secret without client_id (401, no WWW-Authenticate)', async () => {
      const res = await tokenRequest(iam, { ...ccForm, client_secret: ODD_SECRET });
      expectOAuthError(res, 401, 'invalid_client', 'without client_id');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('refuses a confidential client that sends only client_id', async () => {
      const res = await tokenRequest(iam, { ...ccForm, client_id: ODD_ID });
      expectOAuthError(res, 401, 'invalid_client', 'confidential');
    });

    it('refuses a request with no client authentication at all', async () => {
      const res = await tokenRequest(iam, ccForm);
      expectOAuthError(res, 401, 'invalid_client', 'no client authentication');
    });
  });

  describe('private_key_jwt', () => {
    const assertionForm = (assertion: string, extra: Record<string, string> = {}) => ({
      ...ccForm,
      client_assertion_type: CA_TYPE,
      client_assertion: assertion,
      ...extra,
    });

    it('authenticates a client assertion signed with the certificate key (kid = alias, aud = issuer)', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client' });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { claims } = decodeJwtParts(res.body.access_token);
      expect(claims.sub).toBe('jwt_client');
      expect(claims.client_id).toBe('jwt_client');
      expect(claims.sub_type).toBe('client');
      expect(claims.aud).toBe('anwendung1');
    });

    it('also accepts the domain URL with a slash and the token URL as aud', async () => {
      for (const aud of [`${iam.url}/`, `${iam.url}/oauth2/v1/token`]) {
        const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client', aud });
        const res = await tokenRequest(iam, assertionForm(assertion, { client_id: 'jwt_client' }));
        expect(res.status, `${aud}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    });

    it('refuses an assertion signed by another key (401 invalid_client, no WWW-Authenticate)', async () => {
      const assertion = await signAssertion(otherKey.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client' });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'signature does not verify');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('refuses an assertion for the wrong aud', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client', aud: 'https://some.other.idp/' });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'claim "aud"');
    });

    it('refuses an expired assertion', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client', expSecondsFromNow: -600, iatSecondsFromNow: -900 });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'expired');
    });

    it('refuses an assertion whose kid is not a certificate alias of the app', async () => {
      const assertion = await signAssertion(cert.privateKey, 'no_such_alias', { iss: 'jwt_client', sub: 'jwt_client' });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'no_such_alias');
    });

    it('accepts an assertion that names the certificate by x5t instead of kid', async () => {
      const x5t = createHash('sha1').update(Buffer.from(cert.x509Base64, 'base64')).digest('base64url');
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', x5t })
        .setIssuer('jwt_client')
        .setSubject('jwt_client')
        .setAudience(ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(cert.privateKey);
      const res = await tokenRequest(iam, assertionForm(assertion));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });

    it('refuses an unsigned (alg none) and an HS256 assertion keyed with the public certificate', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = Buffer.from(JSON.stringify({ iss: 'jwt_client', sub: 'jwt_client', aud: ISSUER, iat: now, exp: now + 300 })).toString('base64url');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: cert.alias })).toString('base64url')}.${payload}.`;
      expectOAuthError(await tokenRequest(iam, assertionForm(none)), 401, 'invalid_client');
      const hs256 = await new SignJWT({ iss: 'jwt_client', sub: 'jwt_client', aud: ISSUER, iat: now, exp: now + 300 })
        .setProtectedHeader({ alg: 'HS256', kid: cert.alias })
        .sign(Buffer.from(cert.x509Base64, 'base64'));
      expectOAuthError(await tokenRequest(iam, assertionForm(hs256)), 401, 'invalid_client');
    });

    it('refuses an assertion whose iss and sub differ', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'usecase2.user' });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'iss and sub');
    });

    it('refuses an assertion naming a client without certificates', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: ODD_ID, sub: ODD_ID });
      const res = await tokenRequest(iam, assertionForm(assertion));
      expectOAuthError(res, 401, 'invalid_client', 'no certificate');
    });

    it('refuses a client assertion that is not a JWT', async () => {
      const res = await tokenRequest(iam, assertionForm('not-a-jwt'));
      expectOAuthError(res, 401, 'invalid_client', 'not a JWT');
    });

    it('refuses a wrong client_assertion_type with invalid_request', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client' });
      const res = await tokenRequest(iam, assertionForm(assertion, { client_assertion_type: 'urn:example:wrong' }));
      expectOAuthError(res, 400, 'invalid_request', 'client_assertion_type');
    });

    it('refuses a client assertion together with a client secret (two methods)', async () => {
      const assertion = await signAssertion(cert.privateKey, cert.alias, { iss: 'jwt_client', sub: 'jwt_client' });
      const res = await post(iam, '/oauth2/v1/token', assertionForm(assertion, { client_id: 'jwt_client', client_secret: 'x' }));
      expectOAuthError(res, 400, 'invalid_request', 'more than one client authentication method');
    });
  });
});
