/** Shared SCIM framework behaviour every resource type gets (collection-routes.ts, store.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestIam, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, expectScimError, PATCH_OP } from './support.js';

describe('SCIM framework', () => {
  let iam: TestIam;
  let api: ReturnType<typeof adminApi>;
  beforeAll(async () => {
    iam = await startTestIam();
    api = adminApi(iam, await clientToken(iam));
  });
  afterAll(() => iam.stop());

  const appNamed = async (name: string) => (await api.get(`/admin/v1/Apps?filter=${encodeURIComponent(`name eq "${name}"`)}`)).body.Resources[0];

  it('a method a path does not take is 405 in the SCIM shape, with Allow', async () => {
    const res = await http(`${iam.url}/admin/v1/AppStatusChanger/x`, { method: 'GET' });
    expectScimError(res, 405);
    expect(res.headers.get('allow')).toContain('PUT');
  });

  it('a grant changes the grantee’s ETag (its grantedAppRoles changed)', async () => {
    const before = await appNamed('usecase1_client');
    const roles = await api.get(`/admin/v1/AppRoles?filter=${encodeURIComponent('displayName eq "Authenticated Client"')}`);
    const grant = await api.post('/admin/v1/Grants', {
      schemas: ['urn:ietf:params:scim:schemas:oracle:idcs:Grant'],
      grantee: { type: 'App', value: before.id },
      app: { value: 'IDCSAppId' },
      entitlement: { attributeName: 'appRoles', attributeValue: roles.body.Resources[0].id },
      grantMechanism: 'ADMINISTRATOR_TO_APP',
    });
    expect(grant.status, grant.text).toBe(201);
    const after = await appNamed('usecase1_client');
    expect(after.meta.version).not.toBe(before.meta.version);
    expect(after.grantedAppRoles.map((r: { display: string }) => r.display)).toEqual(['Authenticated Client']);
    const stale = await http(`${iam.url}/admin/v1/Apps/${before.id}`, { headers: { authorization: `Bearer ${await clientToken(iam)}`, 'if-none-match': before.meta.version } });
    expect(stale.status).toBe(200);
  });

  it('PATCH of a read-only attribute (clientSecret) is 400 mutability; the secret stays', async () => {
    const app = await appNamed('usecase1_client');
    const res = await api.patch(`/admin/v1/Apps/${app.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'clientSecret', value: 'mine' }] });
    expectScimError(res, 400, { scimType: 'mutability' });
    expect((await appNamed('usecase1_client')).clientSecret).toBe('usecase1-client-secret');
  });

  it('a PATCH path under the resource’s own schema URN is the plain attribute', async () => {
    const app = await appNamed('usecase1_client');
    const res = await api.patch(`/admin/v1/Apps/${app.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:oracle:idcs:App:description', value: 'via URN path' }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.description).toBe('via URN path');
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:oracle:idcs:App']);
    expect(res.body).not.toHaveProperty('urn:ietf:params:scim:schemas:oracle:idcs:App');
  });
});
