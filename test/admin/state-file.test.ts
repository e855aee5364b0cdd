/**
 * Nothing created is lost: with `iam.stateFile`, a restart brings back the apps, users, grants,
 * schema attributes, custom claims and signing keys created through the admin API, and the
 * config's seeds are not applied over them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, http, startTestIam, tokenRequest } from '../support/iam.js';
import { adminApi, clientToken, passwordGrant, userBody, CUSTOM_USER, PATCH_OP } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'iam-state-'));
const stateFile = join(dir, 'iam-state.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('IAM state file', () => {
  it('a restart keeps apps, users, passwords, grants, schema attributes, custom claims and keys', async () => {
    const first = await startTestIam({ stateFile });
    const api = adminApi(first, await clientToken(first));
    // A schema attribute, a user with it and a password, a custom claim, a client with a grant.
    const schema = await api.patch(`/admin/v1/Schemas/${CUSTOM_USER}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'attributes', value: [{ name: 'Department', type: 'string', multiValued: false }] }],
    });
    expect(schema.status, schema.text).toBe(200);
    const user = await api.post('/admin/v1/Users', userBody('kept.user', { password: 'Kept-Passw0rd', [CUSTOM_USER]: { Department: 'Audit' }, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', CUSTOM_USER] }));
    expect(user.status, user.text).toBe(201);
    const claim = await api.post('/admin/v1/CustomClaims', {
      schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim'],
      name: 'department',
      value: `$user.${CUSTOM_USER}.Department`,
      expression: true,
      mode: 'always',
      tokenType: 'AT',
      allScopes: true,
    });
    expect(claim.status, claim.text).toBe(201);
    const client = await api.post('/admin/v1/Apps', {
      schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:App'],
      displayName: 'Kept Admin Client',
      basedOnTemplate: { value: 'CustomWebAppTemplateId' },
      isOAuthClient: true,
      clientType: 'confidential',
      allowedGrants: ['client_credentials'],
      active: true,
    });
    expect(client.status, client.text).toBe(201);
    const role = (await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('displayName eq "User Administrator"')}`)).body.Resources[0];
    const grant = await api.post('/admin/v1/Grants', {
      schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:Grant'],
      grantee: { type: 'App', value: client.body.id },
      app: { value: 'IDCSAppId' },
      entitlement: { attributeName: 'appRoles', attributeValue: role.id },
      grantMechanism: 'ADMINISTRATOR_TO_APP',
    });
    expect(grant.status, grant.text).toBe(201);
    const oldToken = (await passwordGrant(first, 'kept.user', 'Kept-Passw0rd')).body.access_token as string;
    expect(decodeJwtParts(oldToken).claims.department).toBe('Audit');
    const jwksBefore = (await http(`${first.url}/admin/v1/SigningCert/jwk`)).text;
    await first.stop();

    // The state file is whole JSON (written by rename) and keys sit beside it.
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['iam-state.json', 'iam-state.signing-keys.json']);

    const second = await startTestIam({ stateFile });
    try {
      expect((await http(`${second.url}/admin/v1/SigningCert/jwk`)).text).toBe(jwksBefore);
      // The old token still verifies (introspection by a seeded client that may introspect).
      const introspected = await http(`${second.url}/oauth2/v1/introspect`, {
        method: 'POST',
        headers: { authorization: basic('usecase1_client', 'usecase1-client-secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: oldToken }).toString(),
      });
      expect(introspected.body.active).toBe(true);
      const again = await passwordGrant(second, 'kept.user', 'Kept-Passw0rd');
      expect(again.status, again.text).toBe(200);
      expect(decodeJwtParts(again.body.access_token).claims.department).toBe('Audit');
      // The granted role survived: the new client can manage users.
      const token = await tokenRequest(second, { grant_type: 'client_credentials', scope: 'urn:opc:idm:__myscopes__' }, { authorization: basic(client.body.name, client.body.clientSecret) });
      expect(token.status, token.text).toBe(200);
      const users = await http(`${second.url}/admin/v1/Users?filter=${encodeURIComponent('userName eq "kept.user"')}`, { headers: { authorization: `Bearer ${token.body.access_token}` } });
      expect(users.body.totalResults).toBe(1);
      expect(users.body.Resources[0].id).toBe(user.body.id);
      expect(users.body.Resources[0][CUSTOM_USER]).toEqual({ Department: 'Audit' });
    } finally {
      await second.stop();
    }
  });

  it('a deleted seeded object stays deleted after a restart (seeds apply only to a new state)', async () => {
    const file = join(dir, 'seeds.json');
    const first = await startTestIam({ stateFile: file });
    const api = adminApi(first, await clientToken(first));
    const seeded = (await api.get(`/admin/v1/Users?filter=${encodeURIComponent('userName eq "usecase2.user"')}`)).body.Resources[0];
    expect((await api.delete(`/admin/v1/Users/${seeded.id}`)).status).toBe(204);
    await first.stop();
    const second = await startTestIam({ stateFile: file });
    try {
      const api2 = adminApi(second, await clientToken(second));
      expect((await api2.get(`/admin/v1/Users?filter=${encodeURIComponent('userName eq "usecase2.user"')}`)).body.totalResults).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('a state file that is not JSON stops the start with a message naming it', async () => {
    const file = join(dir, 'broken.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{"version": 1, "apps": [');
    await expect(startTestIam({ stateFile: file })).rejects.toThrow(/IAM state file .*broken\.json cannot be read/);
  });
});
