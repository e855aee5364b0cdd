/**
 * Helpers of the admin-API tests in this folder (users, list conventions, admin authorization):
 * admin tokens, SCIM requests, the SCIM error-shape assertion and a user body as IDCS takes it.
 */
import { expect } from 'vitest';
import { basic, http, SEEDED, tokenRequest, type HttpResult } from '../support/iam.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CUSTOM_USER = 'urn:ietf:params:scim:schemas:idcs:extension:custom:User';
export const CUSTOM_ATTR = 'MichaelFischerTest1';
/** The colon path of the custom attribute, as PATCH paths and filters write it. */
export const CUSTOM_ATTR_PATH = `${CUSTOM_USER}:${CUSTOM_ATTR}`;
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const PASSWORD_CHANGER = 'urn:ietf:params:scim:schemas:oracle:idcs:UserPasswordChanger';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const IDCS_ERROR = 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error';
export const MYSCOPES = 'urn:opc:idm:__myscopes__';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** A client_credentials token with `urn:opc:idm:__myscopes__` (default: the seeded Identity Domain Administrator client). */
export async function clientToken(iam: { url: string }, id: string = SEEDED.admin.id, secret: string = SEEDED.admin.secret, scope = MYSCOPES): Promise<string> {
  const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope }, { authorization: basic(id, secret) });
  expect(res.status, `token for ${id}: ${res.text}`).toBe(200);
  return res.body.access_token as string;
}

/** The password grant of use case 2 (`usecase2_client`, `urn:opc:idm:__myscopes__`). */
export function passwordGrant(iam: { url: string }, username: string, password: string, scope = MYSCOPES): Promise<HttpResult> {
  return tokenRequest(iam, { grant_type: 'password', username, password, scope }, { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) });
}

export interface ScimCall {
  token?: string | undefined;
  /** An object is sent as JSON; a string as written. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One admin API request; `path` starts with `/admin/v1/`. */
export function scimRequest(iam: { url: string }, method: string, path: string, call: ScimCall = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(call.token ? { authorization: `Bearer ${call.token}` } : {}), ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['content-type'] ??= SCIM_CONTENT_TYPE;
  }
  return http(`${iam.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Bound to one IAM and one token: `api.get('/admin/v1/Users')`. */
export function adminApi(iam: { url: string }, token: string) {
  const call = (method: string) => (path: string, body?: unknown, headers?: Record<string, string>) => scimRequest(iam, method, path, { token, body, headers });
  return { get: call('GET'), post: call('POST'), put: call('PUT'), patch: call('PATCH'), delete: call('DELETE') };
}

/**
 * The SCIM error shape of IDCS (reference §4.1): both error schemas, string `status`, a `detail`,
 * the Oracle `messageId`, an optional `scimType`; and the harness's explanation header.
 */
export function expectScimError(res: HttpResult, status: number, expected: { messageId?: string; scimType?: string; detail?: string | RegExp } = {}): void {
  expect(res.status, `expected ${status}, got ${res.status} ${res.text}`).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/(scim\+)?json/);
  const body = res.body;
  expect(typeof body, res.text).toBe('object');
  expect(body.schemas).toEqual([SCIM_ERROR, IDCS_ERROR]);
  expect(body.status).toBe(String(status));
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body[IDCS_ERROR]).toEqual({ messageId: expect.stringMatching(/^error\./) });
  const allowed = ['schemas', 'detail', 'status', 'scimType', IDCS_ERROR];
  expect(Object.keys(body).filter((k) => !allowed.includes(k))).toEqual([]);
  if (expected.messageId !== undefined) expect(body[IDCS_ERROR].messageId).toBe(expected.messageId);
  if (expected.scimType !== undefined) expect(body.scimType).toBe(expected.scimType);
  if (expected.detail instanceof RegExp) expect(body.detail).toMatch(expected.detail);
  else if (expected.detail !== undefined) expect(body.detail).toBe(expected.detail);
  expect(res.headers.get('x-harness-reason'), 'every error explains itself in x-harness-reason').toBeTruthy();
}

/** A complete user as IDCS's POST /admin/v1/Users takes it, with the custom extension. */
export function userBody(userName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, CUSTOM_USER],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    displayName: `Display ${userName}`,
    emails: [{ value: `${userName}@example.org`, type: 'work', primary: true }],
    active: true,
    password: 'Initial-Passw0rd',
    [CUSTOM_USER]: { [CUSTOM_ATTR]: 'Api1Access' },
    ...overrides,
  };
}

/** The userNames of a ListResponse, in answer order. */
export function userNames(res: HttpResult): string[] {
  expect(res.status, res.text).toBe(200);
  return (res.body.Resources as Array<{ userName: string }>).map((r) => r.userName);
}

/** No `password` key at any depth and no occurrence of the given secret in the text. */
export function expectNoPassword(res: HttpResult, ...secrets: string[]): void {
  expect(res.text).not.toMatch(/"password"\s*:/i);
  for (const s of secrets) expect(res.text).not.toContain(s);
}
