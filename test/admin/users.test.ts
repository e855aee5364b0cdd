/**
 * `/admin/v1/Users` and `/admin/v1/UserPasswordChanger` over HTTP, as IDCS answers them
 * (reference §4.1–4.3): create, read, replace, PATCH, delete, ETags, password changes, and the
 * SCIM error shape of every refusal. The clock is frozen so `meta` dates are exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwtParts, SEEDED, startTestIam, type TestIam } from '../support/iam.js';
import {
  adminApi,
  clientToken,
  CUSTOM_ATTR,
  CUSTOM_ATTR_PATH,
  CUSTOM_USER,
  expectNoPassword,
  expectScimError,
  PASSWORD_CHANGER,
  passwordGrant,
  PATCH_OP,
  USER_SCHEMA,
  userBody,
} from './support.js';

const T0 = Date.parse('2031-05-06T07:08:09.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let iam: TestIam;
let api: ReturnType<typeof adminApi>;

beforeAll(async () => {
  iam = await startTestIam();
  iam.clock.set(T0, true);
  api = adminApi(iam, await clientToken(iam));
});
afterAll(() => iam?.stop());

/** Creates a user and returns its id (the test fails when the create does). */
async function create(userName: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; etag: string; body: any }> {
  const res = await api.post('/admin/v1/Users', userBody(userName, overrides));
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, etag: res.headers.get('etag')!, body: res.body };
}

const patchOp = (...operations: Array<Record<string, unknown>>) => ({ schemas: [PATCH_OP], Operations: operations });

describe('POST /admin/v1/Users', () => {
  it('creates a user: 201, Location, ETag, id, meta, the custom extension, never the password', async () => {
    const before = iam.clock.nowMs();
    const res = await api.post(
      '/admin/v1/Users',
      userBody('crud.create', { password: 'Create-Secret-Passw0rd-1', name: { givenName: 'Crud', familyName: 'Create' }, displayName: 'Crud Create' }),
    );
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const body = res.body;
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    const location = `${iam.url}/admin/v1/Users/${body.id}`;
    expect(res.headers.get('location')).toBe(location);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(body.meta).toEqual({ resourceType: 'User', created: iso(before), lastModified: iso(before), location, version: 'W/"1"' });
    expect(body.schemas).toEqual([USER_SCHEMA, CUSTOM_USER]);
    expect(body.userName).toBe('crud.create');
    expect(body.name).toEqual({ givenName: 'Crud', familyName: 'Create' });
    expect(body.displayName).toBe('Crud Create');
    expect(body.active).toBe(true);
    expect(body.emails).toContainEqual({ value: 'crud.create@example.org', type: 'work', primary: true });
    expect(body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api1Access' });
    expect(body.ocid).toMatch(/^ocid1\.user\.oc1\.\./);
    expectNoPassword(res, 'Create-Secret-Passw0rd-1');
  });

  it('defaults active to true and accepts application/json as the content type', async () => {
    const { active: _, [CUSTOM_USER]: __, ...rest } = userBody('crud.defaults');
    const res = await api.post('/admin/v1/Users', { ...rest, schemas: [USER_SCHEMA] }, { 'content-type': 'application/json' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.active).toBe(true);
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
    expect(res.body[CUSTOM_USER]).toBeUndefined();
  });

  it('ignores a client-supplied id and meta (server-owned, RFC 7643 §3.1)', async () => {
    const res = await api.post('/admin/v1/Users', userBody('crud.ownid', { id: 'my-own-id', meta: { resourceType: 'Group', version: 'W/"99"' } }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect((await api.get('/admin/v1/Users/my-own-id')).status).toBe(404);
  });

  it('the created user gets a password-grant token with its password', async () => {
    await create('crud.login', { password: 'Login-Passw0rd' });
    const res = await passwordGrant(iam, 'crud.login', 'Login-Passw0rd');
    expect(res.status, res.text).toBe(200);
    const { claims } = decodeJwtParts(res.body.access_token);
    expect(claims.sub).toBe('crud.login');
    expect(claims.APIGWMichael4).toBe('Api1Access');
  });
});

describe('GET /admin/v1/Users/{id}', () => {
  it('reads back what POST answered, with the same ETag', async () => {
    const created = await create('crud.read', { password: 'Read-Passw0rd-XYZ' });
    const res = await api.get(`/admin/v1/Users/${created.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(created.body);
    expect(res.headers.get('etag')).toBe(created.etag);
    expectNoPassword(res, 'Read-Passw0rd-XYZ');
  });

  it('never returns the password, even when asked for it with attributes=password', async () => {
    const created = await create('crud.nopass', { password: 'Never-Returned-Passw0rd' });
    const res = await api.get(`/admin/v1/Users/${created.id}?attributes=password,userName`);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'schemas', 'userName']);
    expectNoPassword(res, 'Never-Returned-Passw0rd');
  });

  it('applies attributes= to a single resource', async () => {
    const created = await create('crud.projection');
    const res = await api.get(`/admin/v1/Users/${created.id}?attributes=userName,name.familyName`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ schemas: created.body.schemas, id: created.id, userName: 'crud.projection', name: { familyName: 'User' } });
  });

  it('answers 404 in the SCIM shape for an unknown id', async () => {
    const res = await api.get('/admin/v1/Users/00000000000000000000000000000000');
    expectScimError(res, 404, { messageId: 'error.common.exception.resourceNotFound' });
  });
});

describe('PUT /admin/v1/Users/{id}', () => {
  it('replaces the user: attributes left out are gone, the password is kept, meta moves on', async () => {
    const created = await create('crud.put', { password: 'Put-Passw0rd-1', [CUSTOM_USER]: { [CUSTOM_ATTR]: 'Api1Access' } });
    iam.clock.advance(5_000);
    const res = await api.put(`/admin/v1/Users/${created.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'crud.put',
      name: { familyName: 'Replaced' },
      emails: [{ value: 'replaced@example.org', type: 'work', primary: true }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.body.id).toBe(created.id);
    expect(res.body.name).toEqual({ familyName: 'Replaced' });
    expect(res.body.displayName).toBeUndefined();
    expect(res.body.emails).toContainEqual({ value: 'replaced@example.org', type: 'work', primary: true });
    expect(res.body.emails.map((e: any) => e.value)).not.toContain('crud.put@example.org');
    expect(res.body[CUSTOM_USER]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
    expect(res.body.meta).toMatchObject({ created: created.body.meta.created, lastModified: iso(iam.clock.nowMs()), version: 'W/"2"' });
    expect(res.body.meta.lastModified).not.toBe(created.body.meta.created);
    expectNoPassword(res, 'Put-Passw0rd-1');
    // The password was not in the body: the old one still signs in.
    expect((await passwordGrant(iam, 'crud.put', 'Put-Passw0rd-1')).status).toBe(200);
  });

  it('renames the user: the new userName signs in with the kept password, the old one no longer does', async () => {
    const created = await create('crud.rename', { password: 'Rename-Passw0rd' });
    const res = await api.put(`/admin/v1/Users/${created.id}`, userBody('crud.renamed', { password: undefined }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.userName).toBe('crud.renamed');
    const ok = await passwordGrant(iam, 'crud.renamed', 'Rename-Passw0rd');
    expect(ok.status, ok.text).toBe(200);
    expect(decodeJwtParts(ok.body.access_token).claims.sub).toBe('crud.renamed');
    const old = await passwordGrant(iam, 'crud.rename', 'Rename-Passw0rd');
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
  });

  it('sets a new password when the body has one', async () => {
    const created = await create('crud.putpw', { password: 'Before-Passw0rd' });
    const res = await api.put(`/admin/v1/Users/${created.id}`, userBody('crud.putpw', { password: 'After-Passw0rd' }));
    expect(res.status, res.text).toBe(200);
    expectNoPassword(res, 'After-Passw0rd');
    expect((await passwordGrant(iam, 'crud.putpw', 'Before-Passw0rd')).body.error).toBe('invalid_grant');
    expect((await passwordGrant(iam, 'crud.putpw', 'After-Passw0rd')).status).toBe(200);
  });

  it('may keep its own userName in another letter case, but not take another user\'s (409)', async () => {
    const created = await create('crud.case');
    const same = await api.put(`/admin/v1/Users/${created.id}`, userBody('CRUD.Case'));
    expect(same.status, same.text).toBe(200);
    expect(same.body.userName).toBe('CRUD.Case');
    const clash = await api.put(`/admin/v1/Users/${created.id}`, userBody('USECASE2.user'));
    expectScimError(clash, 409, { scimType: 'uniqueness' });
  });

  it('answers 404 for an unknown id', async () => {
    expectScimError(await api.put('/admin/v1/Users/ffffffffffffffffffffffffffffffff', userBody('crud.ghost')), 404, {
      messageId: 'error.common.exception.resourceNotFound',
    });
  });
});

describe('PATCH /admin/v1/Users/{id}', () => {
  it('add: a second email and a displayName', async () => {
    const created = await create('crud.patch.add', { displayName: undefined });
    const res = await api.patch(
      `/admin/v1/Users/${created.id}`,
      patchOp({ op: 'add', path: 'emails', value: [{ value: 'home@example.org', type: 'home' }] }, { op: 'add', path: 'displayName', value: 'Added Name' }),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.body.displayName).toBe('Added Name');
    expect(res.body.emails).toContainEqual({ value: 'crud.patch.add@example.org', type: 'work', primary: true });
    expect(res.body.emails).toContainEqual(expect.objectContaining({ value: 'home@example.org', type: 'home' }));
    expect(res.body.emails.filter((e: any) => e.primary === true)).toHaveLength(1);
    const read = await api.get(`/admin/v1/Users/${created.id}`);
    expect(read.body).toEqual(res.body);
  });

  it('replace: the custom attribute by its colon path; the next token carries the new value', async () => {
    const created = await create('crud.patch.custom', { password: 'Patch-Passw0rd' });
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: CUSTOM_ATTR_PATH, value: 'Api2Access' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api2Access' });
    expect(res.body.schemas).toContain(CUSTOM_USER);
    expectNoPassword(res, 'Patch-Passw0rd');
    const token = await passwordGrant(iam, 'crud.patch.custom', 'Patch-Passw0rd');
    expect(token.status, token.text).toBe(200);
    expect(decodeJwtParts(token.body.access_token).claims.APIGWMichael4).toBe('Api2Access');
  });

  it('add: the custom attribute on a user that has none', async () => {
    const created = await create('crud.patch.addcustom', { schemas: [USER_SCHEMA], [CUSTOM_USER]: undefined });
    expect(created.body[CUSTOM_USER]).toBeUndefined();
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'add', path: CUSTOM_ATTR_PATH, value: 'Api1Access' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api1Access' });
    expect(res.body.schemas).toEqual([USER_SCHEMA, CUSTOM_USER]);
  });

  it('remove: the custom attribute by its colon path; the token then has no claim', async () => {
    const created = await create('crud.patch.remove', { password: 'Remove-Passw0rd' });
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'remove', path: CUSTOM_ATTR_PATH }, { op: 'remove', path: 'displayName' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body[CUSTOM_USER]?.[CUSTOM_ATTR]).toBeUndefined();
    expect(res.body.displayName).toBeUndefined();
    expect(res.body.userName).toBe('crud.patch.remove');
    const token = await passwordGrant(iam, 'crud.patch.remove', 'Remove-Passw0rd');
    expect(token.status, token.text).toBe(200);
    expect(decodeJwtParts(token.body.access_token).claims).not.toHaveProperty('APIGWMichael4');
  });

  it('replace: emails[type eq "work"].value changes only the work address', async () => {
    const created = await create('crud.patch.email', {
      emails: [
        { value: 'work.old@example.org', type: 'work', primary: true },
        { value: 'home@example.org', type: 'home', primary: false },
      ],
    });
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'work.new@example.org' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.emails).toContainEqual({ value: 'work.new@example.org', type: 'work', primary: true });
    expect(res.body.emails).toContainEqual({ value: 'home@example.org', type: 'home', primary: false });
    expect(res.body.emails.map((e: any) => e.value)).not.toContain('work.old@example.org');
  });

  it('replace without a path: the value object sets several attributes; an inactive user cannot sign in', async () => {
    const created = await create('crud.patch.nopath', { password: 'NoPath-Passw0rd' });
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', value: { displayName: 'No Path', active: false } }));
    expect(res.status, res.text).toBe(200);
    expect(res.body.displayName).toBe('No Path');
    expect(res.body.active).toBe(false);
    const token = await passwordGrant(iam, 'crud.patch.nopath', 'NoPath-Passw0rd');
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
  });

  it('validates the patched user as PUT does: a userName taken by another user → 409, nothing changes', async () => {
    const created = await create('crud.patch.clash');
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'userName', value: 'UseCase2.User' }));
    expectScimError(res, 409, { scimType: 'uniqueness' });
    const read = await api.get(`/admin/v1/Users/${created.id}`);
    expect(read.body.userName).toBe('crud.patch.clash');
    expect(read.headers.get('etag')).toBe('W/"1"');
  });

  it('a value of the wrong type for the custom attribute → 400', async () => {
    const created = await create('crud.patch.type');
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: CUSTOM_ATTR_PATH, value: 42 }));
    expectScimError(res, 400, { scimType: 'invalidValue' });
    expect((await api.get(`/admin/v1/Users/${created.id}`)).body[CUSTOM_USER]).toEqual({ [CUSTOM_ATTR]: 'Api1Access' });
  });

  it('an attribute the custom schema does not define → 400', async () => {
    const created = await create('crud.patch.unknown');
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'add', path: `${CUSTOM_USER}:NoSuchAttribute`, value: 'x' }));
    expectScimError(res, 400, { messageId: 'error.common.validation.invalidAttribute' });
  });

  it('the id cannot be changed', async () => {
    const created = await create('crud.patch.id');
    const res = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'id', value: '11111111111111111111111111111111' }));
    expectScimError(res, 400, { scimType: 'mutability' });
    expect((await api.get(`/admin/v1/Users/${created.id}`)).status).toBe(200);
  });

  it('a body without the PatchOp schema → 400', async () => {
    const created = await create('crud.patch.noschema');
    const res = await api.patch(`/admin/v1/Users/${created.id}`, { Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] });
    expectScimError(res, 400);
    expect((await api.get(`/admin/v1/Users/${created.id}`)).body.displayName).toBe('Display crud.patch.noschema');
  });

  it('answers 404 for an unknown id', async () => {
    const res = await api.patch('/admin/v1/Users/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', patchOp({ op: 'replace', path: 'displayName', value: 'x' }));
    expectScimError(res, 404, { messageId: 'error.common.exception.resourceNotFound' });
  });
});

describe('DELETE /admin/v1/Users/{id}', () => {
  it('204 with no body; then GET 404 and the user gets no token', async () => {
    const created = await create('crud.delete', { password: 'Delete-Passw0rd' });
    expect((await passwordGrant(iam, 'crud.delete', 'Delete-Passw0rd')).status).toBe(200);
    const res = await api.delete(`/admin/v1/Users/${created.id}`);
    expect(res.status, res.text).toBe(204);
    expect(res.text).toBe('');
    expectScimError(await api.get(`/admin/v1/Users/${created.id}`), 404, { messageId: 'error.common.exception.resourceNotFound' });
    const token = await passwordGrant(iam, 'crud.delete', 'Delete-Passw0rd');
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
    // The name is free again.
    expect((await api.post('/admin/v1/Users', userBody('crud.delete'))).status).toBe(201);
  });

  it('accepts ?forceDelete=true', async () => {
    const created = await create('crud.forcedelete');
    expect((await api.delete(`/admin/v1/Users/${created.id}?forceDelete=true`)).status).toBe(204);
    expect((await api.get(`/admin/v1/Users/${created.id}`)).status).toBe(404);
  });

  it('a second DELETE answers 404', async () => {
    const created = await create('crud.delete.twice');
    expect((await api.delete(`/admin/v1/Users/${created.id}`)).status).toBe(204);
    expectScimError(await api.delete(`/admin/v1/Users/${created.id}`), 404, { messageId: 'error.common.exception.resourceNotFound' });
  });
});

describe('PUT /admin/v1/UserPasswordChanger/{id}', () => {
  it('sets a new password: the old one is refused (invalid_grant), the new one accepted; the answer never carries it', async () => {
    const created = await create('crud.pwchange', { password: 'Old-Passw0rd' });
    const res = await api.put(`/admin/v1/UserPasswordChanger/${created.id}`, { schemas: [PASSWORD_CHANGER], password: 'New-Passw0rd-42', bypassNotification: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body.schemas).toEqual([PASSWORD_CHANGER]);
    expect(res.body.id).toBe(created.id);
    expect(res.body.bypassNotification).toBe(true);
    expect(res.body.meta).toMatchObject({ resourceType: 'UserPasswordChanger', location: `${iam.url}/admin/v1/UserPasswordChanger/${created.id}` });
    expectNoPassword(res, 'New-Passw0rd-42', 'Old-Passw0rd');
    const old = await passwordGrant(iam, 'crud.pwchange', 'Old-Passw0rd');
    expect(old.status).toBe(400);
    expect(old.body.error).toBe('invalid_grant');
    const fresh = await passwordGrant(iam, 'crud.pwchange', 'New-Passw0rd-42');
    expect(fresh.status, fresh.text).toBe(200);
    expect(decodeJwtParts(fresh.body.access_token).claims.sub).toBe('crud.pwchange');
  });

  it('changes the seeded user\'s password too', async () => {
    const seeded = await api.get(`/admin/v1/Users?filter=${encodeURIComponent(`userName eq "${SEEDED.user.userName}"`)}`);
    const id = seeded.body.Resources[0].id as string;
    const res = await api.put(`/admin/v1/UserPasswordChanger/${id}`, { schemas: [PASSWORD_CHANGER], password: 'Seeded-New-Passw0rd' });
    expect(res.status, res.text).toBe(200);
    expect((await passwordGrant(iam, SEEDED.user.userName, SEEDED.user.password)).body.error).toBe('invalid_grant');
    expect((await passwordGrant(iam, SEEDED.user.userName, 'Seeded-New-Passw0rd')).status).toBe(200);
    // Put it back for the other tests of this file.
    expect((await api.put(`/admin/v1/UserPasswordChanger/${id}`, { schemas: [PASSWORD_CHANGER], password: SEEDED.user.password })).status).toBe(200);
  });

  it('refuses a body without its schema or without a password, and an unknown id', async () => {
    const created = await create('crud.pwchange.bad', { password: 'Kept-Passw0rd' });
    expectScimError(await api.put(`/admin/v1/UserPasswordChanger/${created.id}`, { password: 'x-Passw0rd' }), 400, {
      messageId: 'error.common.validation.missingReqAttributes',
    });
    expectScimError(await api.put(`/admin/v1/UserPasswordChanger/${created.id}`, { schemas: [PASSWORD_CHANGER] }), 400, {
      messageId: 'error.common.validation.missingReqAttributes',
    });
    expectScimError(await api.put('/admin/v1/UserPasswordChanger/dddddddddddddddddddddddddddddddd', { schemas: [PASSWORD_CHANGER], password: 'x-Passw0rd' }), 404);
    expect((await passwordGrant(iam, 'crud.pwchange.bad', 'Kept-Passw0rd')).status).toBe(200);
  });
});

describe('validation errors in the SCIM shape', () => {
  it('a duplicate userName, in any letter case → 409 uniqueness', async () => {
    await create('crud.dup');
    const res = await api.post('/admin/v1/Users', userBody('CRUD.DUP'));
    expectScimError(res, 409, { scimType: 'uniqueness' });
    expectScimError(await api.post('/admin/v1/Users', userBody('UseCase2.USER')), 409, { scimType: 'uniqueness' });
  });

  it('no userName → 400 error.common.validation.missingReqAttributes', async () => {
    const { userName: _, ...body } = userBody('unused');
    expectScimError(await api.post('/admin/v1/Users', body), 400, { messageId: 'error.common.validation.missingReqAttributes' });
  });

  it('emails without a primary one → 400 error.identity.user.primaryEmailNotSpecified', async () => {
    const res = await api.post('/admin/v1/Users', userBody('crud.noprimary', { emails: [{ value: 'np@example.org', type: 'work' }] }));
    expectScimError(res, 400, { messageId: 'error.identity.user.primaryEmailNotSpecified' });
    expect((await api.get(`/admin/v1/Users?filter=${encodeURIComponent('userName eq "crud.noprimary"')}`)).body.totalResults).toBe(0);
  });

  it('an attribute the custom schema does not define → 400', async () => {
    const res = await api.post('/admin/v1/Users', userBody('crud.unknownattr', { [CUSTOM_USER]: { NotDefinedHere: 'x' } }));
    expectScimError(res, 400, { messageId: 'error.common.validation.invalidAttribute', scimType: 'invalidValue' });
  });

  it('a value of the wrong type for the custom attribute → 400 invalidValue', async () => {
    const res = await api.post('/admin/v1/Users', userBody('crud.wrongtype', { [CUSTOM_USER]: { [CUSTOM_ATTR]: true } }));
    expectScimError(res, 400, { scimType: 'invalidValue' });
    const asArray = await api.post('/admin/v1/Users', userBody('crud.wrongtype', { [CUSTOM_USER]: { [CUSTOM_ATTR]: ['Api1Access'] } }));
    expectScimError(asArray, 400, { scimType: 'invalidValue' });
  });

  it('a core attribute of the wrong type → 400', async () => {
    expectScimError(await api.post('/admin/v1/Users', userBody('crud.badactive', { active: 'yes' })), 400);
    expectScimError(await api.post('/admin/v1/Users', userBody('crud.badname', { userName: 42 })), 400);
  });

  it('no schemas, or schemas without the core User schema → 400', async () => {
    const { schemas: _, ...body } = userBody('crud.noschemas');
    expectScimError(await api.post('/admin/v1/Users', body), 400);
    expectScimError(await api.post('/admin/v1/Users', userBody('crud.noschemas', { schemas: [CUSTOM_USER] })), 400);
    expect((await api.get(`/admin/v1/Users?filter=${encodeURIComponent('userName eq "crud.noschemas"')}`)).body.totalResults).toBe(0);
  });

  it('a body that is not JSON, or JSON that is not an object → 400', async () => {
    expectScimError(await api.post('/admin/v1/Users', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": '), 400);
    expectScimError(await api.post('/admin/v1/Users', '[1,2,3]'), 400, { scimType: 'invalidSyntax' });
    expectScimError(await api.post('/admin/v1/Users', ''), 400);
  });
});

describe('ETags: If-Match and If-None-Match', () => {
  it('If-Match with an old ETag → 412 for PUT, PATCH and DELETE; nothing changes', async () => {
    const created = await create('crud.etag');
    const changed = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'v2' }));
    expect(changed.headers.get('etag')).toBe('W/"2"');
    const stale = { 'if-match': created.etag };
    expectScimError(await api.put(`/admin/v1/Users/${created.id}`, userBody('crud.etag', { displayName: 'stale' }), stale), 412);
    expectScimError(await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'stale' }), stale), 412);
    expectScimError(await api.delete(`/admin/v1/Users/${created.id}`, undefined, stale), 412);
    const read = await api.get(`/admin/v1/Users/${created.id}`);
    expect(read.body.displayName).toBe('v2');
    expect(read.headers.get('etag')).toBe('W/"2"');
  });

  it('If-Match with the current ETag (or *) lets the change through', async () => {
    const created = await create('crud.etag.ok');
    const put = await api.put(`/admin/v1/Users/${created.id}`, userBody('crud.etag.ok', { displayName: 'v2' }), { 'if-match': 'W/"1"' });
    expect(put.status, put.text).toBe(200);
    expect(put.headers.get('etag')).toBe('W/"2"');
    const patch = await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'v3' }), { 'if-match': '*' });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body.meta.version).toBe('W/"3"');
    expect((await api.delete(`/admin/v1/Users/${created.id}`, undefined, { 'if-match': 'W/"3"' })).status).toBe(204);
  });

  it('If-None-Match with the current ETag → 304 without a body, carrying the ETag (RFC 7232 §4.1)', async () => {
    const created = await create('crud.etag.304');
    const res = await api.get(`/admin/v1/Users/${created.id}`, undefined, { 'if-none-match': created.etag });
    expect(res.status).toBe(304);
    expect(res.text).toBe('');
    expect(res.headers.get('etag')).toBe(created.etag);
  });

  it('If-None-Match with a list of ETags that holds the current one → 304 (RFC 7232 §3.2)', async () => {
    const created = await create('crud.etag.list');
    const res = await api.get(`/admin/v1/Users/${created.id}`, undefined, { 'if-none-match': `W/"7", ${created.etag}` });
    expect(res.status).toBe(304);
  });

  it('If-None-Match with an old ETag → 200 with the current one', async () => {
    const created = await create('crud.etag.200');
    await api.patch(`/admin/v1/Users/${created.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'v2' }));
    const res = await api.get(`/admin/v1/Users/${created.id}`, undefined, { 'if-none-match': created.etag });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.body.displayName).toBe('v2');
  });
});

describe('users: attribute names that are Object.prototype members', () => {
  it('a body key such as constructor or toString is an unknown attribute (400), not silently ignored', async () => {
    const iam = await startTestIam();
    try {
      const api = adminApi(iam, await clientToken(iam));
      for (const key of ['constructor', 'toString', '__proto__']) {
        const body = JSON.parse(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"proto.${key.replace(/_/g, '')}","name":{"givenName":"P","familyName":"Q"},"emails":[{"value":"p@example.com","primary":true}],"${key}":"x"}`);
        const res = await api.post('/admin/v1/Users', body);
        expect(res.status, `${key}: ${res.text}`).toBe(400);
        expect(res.body.detail).toContain(`Attribute "${key}" is not defined`);
      }
    } finally {
      await iam.stop();
    }
  });
});
