/**
 * Properties of `PATCH /admin/v1/Users/{id}` with random PatchOp bodies (ops, paths, values, and
 * bodies that are not PatchOps at all): a 200 with the patched user or a 4xx in the SCIM error
 * shape, never a 5xx or a hang; and the user is still there and readable afterwards — exactly as
 * the PATCH answered when it succeeded, exactly as before when it was refused (nothing is lost
 * or half-applied by a refused PATCH).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimError } from '../../common/errors.js';
import { applyPatch } from '../../mock-iam/scim/patch.js';
import { clientToken, CUSTOM_ATTR, CUSTOM_ATTR_PATH, CUSTOM_USER, PATCH_OP, USER_SCHEMA, userBody } from '../admin/support.js';
import { startTestIam, type TestIam } from '../support/iam.js';
import { expectScimError, hostileJson, rawRequest, show, trickyText, type RawResult } from './support.js';

const PATHS = [
  'userName',
  'displayName',
  'name',
  'name.givenName',
  'name.familyName',
  'emails',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[primary eq true].primary',
  'emails[value co "@"]',
  'emails[type eq "home"].type',
  'active',
  'password',
  'id',
  'meta',
  'meta.lastModified',
  'schemas',
  'title',
  'nickName',
  'phoneNumbers',
  'groups',
  'ocid',
  CUSTOM_ATTR_PATH,
  CUSTOM_USER,
  `${CUSTOM_USER}:Undefined`,
  'urn:ietf:params:scim:schemas:core:2.0:User:displayName',
  'urn:ietf:params:scim:schemas:oracle:idcs:extension:user:User:isFederatedUser',
  'emails[type eq]',
  'emails[',
  'name.givenName.extra',
  'urn:bad',
  'constructor',
  '__proto__',
  '',
];

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>('patched', '', 'other.user', true, false, 0, null, [], {}) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>({ givenName: 'G', familyName: 'F' }, { value: 'x@example.org', type: 'work', primary: true }, [{ value: 'y@example.org', type: 'home' }], [{ value: 'z@example.org', type: 'work', primary: true }, { value: 'w@example.org', type: 'work', primary: true }], { [CUSTOM_ATTR]: 'Api2Access' }, { userName: 'from.value' }, { [CUSTOM_USER]: { [CUSTOM_ATTR]: 42 } }) },
  { weight: 2, arbitrary: hostileJson(3) },
  { weight: 1, arbitrary: trickyText(20) },
);

const operationArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        op: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('delete', 'move', '', 7, null) }),
        path: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PATHS) }, { weight: 1, arbitrary: trickyText(30) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(1, null, ['userName']) }),
        value: valueArb,
      },
      { requiredKeys: ['op'] },
    ),
  },
  { weight: 1, arbitrary: hostileJson(2) },
);

/** Operations a user takes (with random text), so that random ones are also judged next to them. */
const sensibleOperationArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ op: fc.constantFrom('replace', 'add'), path: fc.constantFrom('displayName', 'name.givenName', 'title', 'nickName', CUSTOM_ATTR_PATH), value: trickyText(20) }),
  fc.record({ op: fc.constant('replace'), path: fc.constant('emails[type eq "work"].value'), value: trickyText(10).map((t) => `${t}@example.org`) }),
  fc.record({ op: fc.constant('add'), path: fc.constant('emails'), value: fc.record({ value: trickyText(10).map((t) => `${t}@example.net`), type: fc.constantFrom('home', 'other') }) }),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('title', 'nickName', 'emails[type eq "home"]', 'name.familyName') }),
  fc.record({ op: fc.constant('replace'), value: fc.record({ displayName: trickyText(10), active: fc.boolean() }, { requiredKeys: [] }) }),
);

/** A PatchOp body, mostly well-formed, sometimes not a PatchOp at all; or bytes that are not JSON. */
const bodyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(sensibleOperationArb, { minLength: 1, maxLength: 3 }).map((Operations) => JSON.stringify({ schemas: [PATCH_OP], Operations })) },
  { weight: 8, arbitrary: fc.array(fc.oneof(sensibleOperationArb, operationArb), { minLength: 1, maxLength: 4 }).map((Operations) => JSON.stringify({ schemas: [PATCH_OP], Operations })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ schemas: fc.oneof(fc.constant([PATCH_OP.toUpperCase()]), fc.constant([]), fc.constant(PATCH_OP), hostileJson(1)), Operations: fc.oneof(fc.array(operationArb, { maxLength: 2 }), hostileJson(1)) }, { requiredKeys: [] })
      .map((b) => JSON.stringify(b)),
  },
  { weight: 1, arbitrary: hostileJson(3).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"schemas":', 'null', '"x"', '[]', '{"Operations":[{"op":"add"', '\u0000', '') },
);

describe('properties: PATCH /admin/v1/Users/{id}', () => {
  let iam: TestIam;
  let token: string;
  let userId: string;
  const auth = () => ({ authorization: `Bearer ${token}` });
  const getUser = () => rawRequest(iam.url, { path: `/admin/v1/Users/${userId}`, headers: auth() });
  const patchUser = (body: string): Promise<RawResult> =>
    rawRequest(iam.url, { method: 'PATCH', path: `/admin/v1/Users/${userId}`, headers: { ...auth(), 'content-type': 'application/scim+json' }, body });

  beforeAll(async () => {
    iam = await startTestIam();
    token = await clientToken(iam);
    for (const name of ['patch.target', 'other.user']) {
      const res = await rawRequest(iam.url, { method: 'POST', path: '/admin/v1/Users', headers: { ...auth(), 'content-type': 'application/scim+json' }, body: JSON.stringify(userBody(name)) });
      expect(res.status, show(res)).toBe(201);
      if (name === 'patch.target') userId = res.json.id;
    }
  });
  afterAll(() => iam?.stop());

  it('any PATCH body: the patched user or a SCIM 4xx; afterwards the user reads as answered, or as before when refused', async () => {
    const outcomes = { applied: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const before = await getUser();
        expect(before.status, show(before)).toBe(200);
        const res = await patchUser(body);
        const after = await getUser();
        expect(after.status, `the user must stay readable after PATCH ${body} → ${show(res)}; now ${show(after)}`).toBe(200);
        if (res.status === 200) {
          outcomes.applied++;
          expect(res.json.id, show(res)).toBe(userId);
          expect(res.json.schemas, show(res)).toContain(USER_SCHEMA);
          expect(after.json, `GET after PATCH ${body}`).toEqual(res.json);
          expect(after.headers.etag).toBe(res.headers.etag);
        } else {
          outcomes.refused++;
          expectScimError(res);
          expect(after.json, `a refused PATCH ${body} (${show(res)}) changed the user`).toEqual(before.json);
          expect(after.headers.etag).toBe(before.headers.etag);
        }
      }),
      { numRuns: 150 },
    );
    expect(outcomes.applied).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    // The positive control: a plain PATCH still applies and reads back.
    const res = await patchUser(JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Control' }] }));
    expect(res.status, show(res)).toBe(200);
    expect((await getUser()).json.displayName).toBe('Control');
  });

  it('a replace of a simple string attribute with any text applies and reads back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('displayName', 'title', 'nickName', 'name.givenName', CUSTOM_ATTR_PATH), fc.oneof(trickyText(40), fc.string({ unit: 'grapheme', maxLength: 40 })), async (path, value) => {
        const res = await patchUser(JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value }] }));
        expect(res.status, `${path} = ${JSON.stringify(value)} → ${show(res)}`).toBe(200);
        const after = (await getUser()).json;
        const read =
          path === CUSTOM_ATTR_PATH ? after[CUSTOM_USER]?.[CUSTOM_ATTR] : path === 'name.givenName' ? after.name?.givenName : after[path];
        expect(read, path).toBe(value);
      }),
      { numRuns: 100 },
    );
  });

  it('applyPatch (pure) on any body and any resource: a patched copy or a 400 ScimError; the input is never mutated', () => {
    const resource = hostileJson(3).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
    fc.assert(
      fc.property(fc.oneof(resource, fc.constant(userBody('pure.user'))), bodyArb, (res, body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return; // not JSON: refused before applyPatch runs (covered over HTTP above)
        }
        const copy = structuredClone(res);
        try {
          const out = applyPatch(res, parsed, { readOnly: ['id', 'meta'], coreSchemas: [USER_SCHEMA] });
          expect(typeof out).toBe('object');
        } catch (e) {
          expect(e, String((e as Error)?.stack ?? e)).toBeInstanceOf(ScimError);
          expect((e as ScimError).status).toBe(400);
        }
        expect(res).toEqual(copy);
      }),
      { numRuns: 2000 },
    );
  });
});
