/**
 * The gateway control plane in OCI API Gateway's REST shape (20190501): the store, the list
 * parameters, CRUD over HTTP with exact bodies and headers, validation errors naming the field,
 * etag / if-match, OCI request signatures, and deployments kept as files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as common from 'oci-common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { ociApiKeyMap, parseStackConfig } from '../../common/config.js';
import { listen, type RunningServer } from '../../common/http.js';
import { controlPlaneApp } from '../../gateway-emulator/control-plane/control-plane-server.js';
import { parseDeploymentFile, watchDeploymentFiles } from '../../gateway-emulator/control-plane/deployment-files.js';
import { listDeployments, parseListQuery } from '../../gateway-emulator/control-plane/deployment-list.js';
import {
  DEFAULT_COMPARTMENT_ID,
  DEFAULT_GATEWAY_ID,
  DeploymentStore,
  DeploymentStoreError,
  type Deployment,
} from '../../gateway-emulator/control-plane/deployment-store.js';
import { validateDeployment } from '../../gateway-emulator/spec/validate.js';
import { makeApiKey } from '../support/oci-api-key.js';
import { readResult } from '../support/iam.js';

const T0 = Date.parse('2025-01-02T03:04:05.000Z');
const ENDPOINT_BASE = 'http://gateway.test:8000';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaatestcompartment';
const GATEWAY = 'ocid1.apigateway.oc1..aaaaaaaatestgateway';
const DEPLOYMENT_ID = /^ocid1\.apideployment\.oc1\.\.aaaaaaaa[0-9a-f]{52}$/;
const WORK_REQUEST_ID = /^ocid1\.apigatewayworkrequest\.oc1\.\.aaaaaaaa[0-9a-f]{52}$/;
const ETAG = /^[0-9a-f]{64}$/;
const NOT_FOUND = { code: 'NotAuthorizedOrNotFound', message: 'Authorization failed or requested resource not found.' };
const NOT_AUTHENTICATED = { code: 'NotAuthenticated', message: 'The required information to complete authentication was not provided or was incorrect.' };
const NO_ETAG_MATCH = { code: 'NoEtagMatch', message: 'The ETag specified in the request does not match the ETag for the resource.' };

/** A route that answers by itself: no backend or identity provider needed to validate it. */
function stockSpec(body = 'hello'): Record<string, any> {
  return { routes: [{ path: '/1', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body } }] };
}

/** The same route with a path OCI refuses (routes start with `/`). */
function badSpec(): Record<string, any> {
  return { routes: [{ path: 'no-leading-slash', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'x' } }] };
}

function input(pathPrefix: string, extra: Record<string, unknown> = {}) {
  const result = validateDeployment({ pathPrefix, specification: stockSpec(), ...extra });
  if (!result.ok) throw new Error(`test input does not validate: ${result.problems.join('; ')}`);
  return result.value;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(url: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  return readResult(res);
}

async function until(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------
// The store

describe('DeploymentStore', () => {
  let clock: ControllableClock;
  let base: string;
  let store: DeploymentStore;
  beforeEach(() => {
    clock = new ControllableClock();
    clock.set(T0, true);
    base = 'http://pending';
    store = new DeploymentStore({ clock, endpointBase: () => base });
  });

  it('create: an ACTIVE deployment with an OCID, times from the clock, an etag, the defaults for gateway and compartment', () => {
    const d = store.create(input('/one', { displayName: 'One' }));
    expect(d).toEqual({
      id: expect.stringMatching(DEPLOYMENT_ID),
      displayName: 'One',
      gatewayId: DEFAULT_GATEWAY_ID,
      compartmentId: DEFAULT_COMPARTMENT_ID,
      pathPrefix: '/one',
      specification: stockSpec(),
      lifecycleState: 'ACTIVE',
      endpoint: 'http://pending/one',
      timeCreated: '2025-01-02T03:04:05.000Z',
      timeUpdated: '2025-01-02T03:04:05.000Z',
      etag: expect.stringMatching(ETAG),
      source: 'api',
    });
    expect(store.get(d.id)).toEqual(d);
  });

  it('a deployment without displayName is named after its creation time', () => {
    expect(store.create(input('/unnamed')).displayName).toBe('deployment20250102030405');
  });

  it('the endpoint follows the data plane URL known only after it listens', () => {
    const d = store.create(input('/late'));
    base = 'http://127.0.0.1:41234';
    expect(store.get(d.id)!.endpoint).toBe('http://127.0.0.1:41234/late');
  });

  it('the stored specification is a frozen copy: neither the creator nor a reader can change it', () => {
    const spec = stockSpec('original');
    const d = store.create({ pathPrefix: '/frozen', specification: spec as any });
    spec.routes[0].backend.body = 'changed by the creator';
    expect((store.get(d.id)!.specification.routes![0]!.backend as any).body).toBe('original');
    expect(() => {
      (store.get(d.id)!.specification.routes![0]!.backend as any).body = 'changed by a reader';
    }).toThrow(TypeError);
  });

  it('update: new fields, a new etag and timeUpdated; timeCreated and id stay', () => {
    const d = store.create(input('/up', { displayName: 'Before' }));
    clock.advance(61_000);
    const u = store.update(d.id, { displayName: 'After', specification: stockSpec('after') as any });
    expect(u.id).toBe(d.id);
    expect(u.displayName).toBe('After');
    expect((u.specification.routes![0]!.backend as any).body).toBe('after');
    expect(u.timeCreated).toBe('2025-01-02T03:04:05.000Z');
    expect(u.timeUpdated).toBe('2025-01-02T03:05:06.000Z');
    expect(u.etag).toMatch(ETAG);
    expect(u.etag).not.toBe(d.etag);
  });

  it('a second ACTIVE deployment with the same path prefix is refused (conflict), whatever its gateway', () => {
    const first = store.create(input('/same'));
    let error: unknown;
    try {
      store.create(input('/same', { gatewayId: GATEWAY }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DeploymentStoreError);
    expect((error as DeploymentStoreError).kind).toBe('conflict');
    expect((error as DeploymentStoreError).conflictingId).toBe(first.id);
    expect(store.list()).toHaveLength(1);
    // Moving another deployment onto the prefix is refused the same way.
    const other = store.create(input('/other'));
    expect(() => store.update(other.id, { pathPrefix: '/same' })).toThrow(/already used by the active deployment/);
    expect(store.get(other.id)!.pathPrefix).toBe('/other');
  });

  it('delete: DELETED, still readable, out of active(), its prefix free again; a second delete is false', () => {
    const d = store.create(input('/gone'));
    clock.advance(1000);
    expect(store.delete(d.id)).toBe(true);
    const deleted = store.get(d.id)!;
    expect(deleted.lifecycleState).toBe('DELETED');
    expect(deleted.timeUpdated).toBe('2025-01-02T03:04:06.000Z');
    expect(store.active()).toEqual([]);
    expect(store.list().map((x) => x.id)).toEqual([d.id]);
    expect(store.delete(d.id)).toBe(false);
    expect(store.delete('ocid1.apideployment.oc1..nosuch')).toBe(false);
    expect(() => store.update(d.id, { displayName: 'x' })).toThrow(DeploymentStoreError);
    expect(store.create(input('/gone')).lifecycleState).toBe('ACTIVE');
  });

  it('onChange hears every write until unsubscribed; a failing listener is reported and does not stop the others', () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    const heard: string[] = [];
    store.onChange(() => {
      throw new Error('broken listener');
    });
    const off = store.onChange(() => heard.push(store.active().map((d) => d.pathPrefix).join(',')));
    const d = store.create(input('/a'));
    store.update(d.id, { pathPrefix: '/b' });
    store.delete(d.id);
    off();
    store.create(input('/c'));
    expect(heard).toEqual(['/a', '/b', '']);
    expect(reported).toHaveBeenCalledTimes(4);
    expect(reported.mock.calls[0]![0]).toMatch(/^deployment store listener failed: Error: broken listener/);
    reported.mockRestore();
  });
});

// ---------------------------------------------------------------------------------------------
// ListDeployments parameters

describe('ListDeployments query', () => {
  const at = (iso: string, name: string, extra: Partial<Deployment> = {}): Deployment => ({
    id: `ocid1.apideployment.oc1..${name}`,
    displayName: name,
    gatewayId: GATEWAY,
    compartmentId: COMPARTMENT,
    pathPrefix: `/${name}`,
    specification: {},
    lifecycleState: 'ACTIVE',
    endpoint: `${ENDPOINT_BASE}/${name}`,
    timeCreated: iso,
    timeUpdated: iso,
    etag: 'e',
    source: 'api',
    ...extra,
  });
  const all = [
    at('2025-01-01T00:00:02.000Z', 'beta'),
    at('2025-01-01T00:00:01.000Z', 'Alpha'),
    at('2025-01-01T00:00:03.000Z', 'alpha', { lifecycleState: 'DELETED' }),
    at('2025-01-01T00:00:02.000Z', 'gamma', { compartmentId: 'ocid1.compartment.oc1..other' }),
  ];
  const names = (q: string) => {
    const parsed = parseListQuery(new URLSearchParams(q));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const page = listDeployments(all, parsed.value);
    return { names: page.items.map((d) => d.displayName), nextPage: page.nextPage };
  };

  it('defaults: sorted by timeCreated, newest first; equal times keep creation order reversed', () => {
    expect(names('')).toEqual({ names: ['alpha', 'gamma', 'beta', 'Alpha'], nextPage: undefined });
  });

  it('sortBy=displayName is ascending by default and case-sensitive', () => {
    expect(names('sortBy=displayName').names).toEqual(['Alpha', 'alpha', 'beta', 'gamma']);
    expect(names('sortBy=displayName&sortOrder=DESC').names).toEqual(['gamma', 'beta', 'alpha', 'Alpha']);
    expect(names('sortBy=timeCreated&sortOrder=ASC').names).toEqual(['Alpha', 'beta', 'gamma', 'alpha']);
  });

  it('filters: compartmentId, gatewayId, displayName, lifecycleState', () => {
    expect(names(`compartmentId=${COMPARTMENT}`).names).toEqual(['alpha', 'beta', 'Alpha']);
    expect(names('gatewayId=ocid1.apigateway.oc1..other').names).toEqual([]);
    expect(names('displayName=alpha').names).toEqual(['alpha']);
    expect(names('lifecycleState=ACTIVE&sortBy=displayName').names).toEqual(['Alpha', 'beta', 'gamma']);
  });

  it('pages: limit, and the next page token until the last page', () => {
    expect(names('limit=3&sortBy=displayName')).toEqual({ names: ['Alpha', 'alpha', 'beta'], nextPage: '3' });
    expect(names('limit=3&sortBy=displayName&page=3')).toEqual({ names: ['gamma'], nextPage: undefined });
  });

  it('every bad parameter is named', () => {
    expect(parseListQuery(new URLSearchParams('lifecycleState=active&limit=0&sortBy=name&sortOrder=up&page=x'))).toEqual({
      ok: false,
      problems: [
        'lifecycleState: must be one of CREATING, ACTIVE, UPDATING, DELETING, DELETED, FAILED (got "active")',
        'limit: must be a whole number from 1 to 1000 (got "0")',
        'page: "x" is not a page token of this list (use the opc-next-page header of the previous page)',
        'sortBy: must be one of timeCreated, displayName (got "name")',
        'sortOrder: must be one of ASC, DESC (got "up")',
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP

describe('control plane over HTTP', () => {
  const clock = new ControllableClock();
  let store: DeploymentStore;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    clock.set(T0, true);
    store = new DeploymentStore({ clock, endpointBase: () => ENDPOINT_BASE });
    server = await listen(controlPlaneApp({ store, clock, ociApiKeys: new Map() }), 0, '127.0.0.1');
    url = server.url;
  });
  afterAll(() => server?.stop());
  afterEach(() => {
    // Each test starts from an empty gateway at T0.
    for (const d of store.active()) store.delete(d.id);
    clock.set(T0, true);
  });

  const create = (body: unknown, headers: Record<string, string> = {}) => call(url, 'POST', '/20190501/deployments', { body, headers });

  it('GET /_harness/health → 200 with the number of active deployments, and an opc-request-id', async () => {
    const res = await call(url, 'GET', '/_harness/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'UP', component: 'gateway-control-plane', deployments: 0 });
    expect(res.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('POST /20190501/deployments → 200, the Deployment, etag, opc-work-request-id, the caller\'s opc-request-id', async () => {
    const res = await create(
      { displayName: 'Use case 1', compartmentId: COMPARTMENT, gatewayId: GATEWAY, pathPrefix: '/test', specification: stockSpec(), freeformTags: { team: 'auth' } },
      { 'opc-request-id': 'caller-request-1' },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('opc-request-id')).toBe('caller-request-1');
    expect(res.headers.get('opc-work-request-id')).toMatch(WORK_REQUEST_ID);
    expect(res.headers.get('etag')).toMatch(ETAG);
    expect(res.body).toEqual({
      id: expect.stringMatching(DEPLOYMENT_ID),
      gatewayId: GATEWAY,
      displayName: 'Use case 1',
      compartmentId: COMPARTMENT,
      pathPrefix: '/test',
      endpoint: 'http://gateway.test:8000/test',
      specification: stockSpec(),
      timeCreated: '2025-01-02T03:04:05.000Z',
      timeUpdated: '2025-01-02T03:04:05.000Z',
      lifecycleState: 'ACTIVE',
      freeformTags: { team: 'auth' },
      definedTags: {},
    });
    // The data plane sees it at once.
    expect(store.active().map((d) => d.id)).toEqual([res.body.id]);
    expect(store.get(res.body.id)!.etag).toBe(res.headers.get('etag'));
  });

  it('GET /20190501/deployments/{id} → the same Deployment and etag; an unknown id → 404 NotAuthorizedOrNotFound', async () => {
    const made = await create({ pathPrefix: '/read', compartmentId: COMPARTMENT, specification: stockSpec() });
    const res = await call(url, 'GET', `/20190501/deployments/${made.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(made.body);
    expect(res.headers.get('etag')).toBe(made.headers.get('etag'));
    const missing = await call(url, 'GET', '/20190501/deployments/ocid1.apideployment.oc1..aaaaaaaanosuch');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(NOT_FOUND);
    expect(missing.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('an invalid specification → 400 InvalidParameter naming the field; nothing is created', async () => {
    const raw = { pathPrefix: '/bad', specification: badSpec() };
    const res = await create(raw);
    expect(res.status).toBe(400);
    const expected = validateDeployment(raw);
    expect(expected.ok).toBe(false);
    expect(res.body).toEqual({ code: 'InvalidParameter', message: (expected as { problems: string[] }).problems.join('; ') });
    expect(res.body.message).toMatch(/^specification\.routes\[0\]\.path: /);
    expect(store.list().filter((d) => d.pathPrefix === '/bad')).toEqual([]);
  });

  it('every problem of a body is named, the unknown fields too, joined with "; "', async () => {
    const res = await create({ pathPrefix: '/fields', specification: stockSpec(), colour: 'blue', locks: [{ type: 'FULL' }], freeformTags: { n: 1 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'InvalidParameter',
      message: 'colour: not a field of CreateDeploymentDetails; locks: resource locks are not supported by the harness; leave locks out; freeformTags.n: must be a string',
    });
  });

  it('a body that is not JSON → 400 CannotParseRequest', async () => {
    const res = await create('{"pathPrefix": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'CannotParseRequest', message: 'The request is incorrectly formatted.' });
    expect(res.headers.get('x-harness-reason')).toMatch(/^the body is not JSON: /);
  });

  it('a second active deployment on the same path prefix → 409 Conflict naming the first', async () => {
    const first = await create({ pathPrefix: '/dup', specification: stockSpec() });
    const second = await create({ pathPrefix: '/dup', gatewayId: GATEWAY, specification: stockSpec() });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      code: 'Conflict',
      message: `The path prefix /dup is already used by the active deployment ${first.body.id} ("${first.body.displayName}").`,
    });
  });

  it('PUT with the current etag → 202, no body, a work request; the change is visible with a new etag and timeUpdated', async () => {
    const made = await create({ displayName: 'v1', pathPrefix: '/put', specification: stockSpec('one') });
    clock.advance(5_000);
    const res = await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, {
      body: { displayName: 'v2', specification: stockSpec('two') },
      headers: { 'if-match': made.headers.get('etag')! },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.text).toBe('');
    expect(res.headers.get('opc-work-request-id')).toMatch(WORK_REQUEST_ID);
    const read = await call(url, 'GET', `/20190501/deployments/${made.body.id}`);
    expect(read.body).toEqual({ ...made.body, displayName: 'v2', specification: stockSpec('two'), timeUpdated: '2025-01-02T03:04:10.000Z' });
    expect(read.headers.get('etag')).toMatch(ETAG);
    expect(read.headers.get('etag')).not.toBe(made.headers.get('etag'));
  });

  it('PUT or DELETE with a stale if-match → 412 NoEtagMatch, and nothing changes', async () => {
    const made = await create({ displayName: 'v1', pathPrefix: '/etag', specification: stockSpec() });
    const stale = made.headers.get('etag')!;
    expect((await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, { body: { displayName: 'v2' } })).status).toBe(202);
    const put = await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, { body: { displayName: 'v3' }, headers: { 'if-match': stale } });
    expect(put.status).toBe(412);
    expect(put.body).toEqual(NO_ETAG_MATCH);
    const del = await call(url, 'DELETE', `/20190501/deployments/${made.body.id}`, { headers: { 'if-match': stale } });
    expect(del.status).toBe(412);
    expect(del.body).toEqual(NO_ETAG_MATCH);
    expect(store.get(made.body.id)).toMatchObject({ displayName: 'v2', lifecycleState: 'ACTIVE' });
  });

  it('PUT with an invalid specification → 400 naming the field; the deployment keeps its specification', async () => {
    const made = await create({ pathPrefix: '/keep', specification: stockSpec('kept') });
    const res = await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, { body: { specification: badSpec() } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('InvalidParameter');
    expect(res.body.message).toMatch(/^specification\.routes\[0\]\.path: /);
    expect(store.get(made.body.id)!.specification).toEqual(stockSpec('kept'));
  });

  it('PUT cannot move a deployment to another path prefix, gateway or compartment (not in UpdateDeploymentDetails)', async () => {
    const made = await create({ pathPrefix: '/fixed', specification: stockSpec() });
    const res = await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, { body: { pathPrefix: '/moved', compartmentId: COMPARTMENT } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'InvalidParameter',
      message:
        'pathPrefix: cannot be changed by an update (UpdateDeploymentDetails has no pathPrefix); create a new deployment; compartmentId: cannot be changed by an update; OCI moves a deployment with ChangeDeploymentCompartment',
    });
  });

  it('DELETE → 202 and a work request; the deployment reads as DELETED, leaves the data plane, and cannot change again (409)', async () => {
    const made = await create({ pathPrefix: '/del', specification: stockSpec() });
    clock.advance(2_000);
    const res = await call(url, 'DELETE', `/20190501/deployments/${made.body.id}`, { headers: { 'if-match': made.headers.get('etag')! } });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(res.headers.get('opc-work-request-id')).toMatch(WORK_REQUEST_ID);
    const read = await call(url, 'GET', `/20190501/deployments/${made.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...made.body, lifecycleState: 'DELETED', timeUpdated: '2025-01-02T03:04:07.000Z' });
    expect(store.active().map((d) => d.id)).not.toContain(made.body.id);
    const again = await call(url, 'DELETE', `/20190501/deployments/${made.body.id}`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ code: 'Conflict', message: `The deployment ${made.body.id} is DELETED and cannot be deleted.` });
    const put = await call(url, 'PUT', `/20190501/deployments/${made.body.id}`, { body: { displayName: 'x' } });
    expect(put.status).toBe(409);
    expect((await call(url, 'DELETE', '/20190501/deployments/ocid1.apideployment.oc1..aaaaaaaanosuch')).body).toEqual(NOT_FOUND);
  });

  it('GET /20190501/deployments → {items: [DeploymentSummary]} filtered, sorted and paged with opc-next-page', async () => {
    const a = await create({ displayName: 'a', compartmentId: COMPARTMENT, pathPrefix: '/list-a', specification: stockSpec() });
    clock.advance(1000);
    const b = await create({ displayName: 'b', compartmentId: COMPARTMENT, pathPrefix: '/list-b', specification: stockSpec() });
    clock.advance(1000);
    await create({ displayName: 'c', pathPrefix: '/list-c', specification: stockSpec() });
    const page1 = await call(url, 'GET', `/20190501/deployments?compartmentId=${COMPARTMENT}&lifecycleState=ACTIVE&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.headers.get('opc-next-page')).toBe('1');
    const { specification: _spec, ...summaryOfB } = b.body;
    expect(page1.body).toEqual({ items: [summaryOfB] });
    const page2 = await call(url, 'GET', `/20190501/deployments?compartmentId=${COMPARTMENT}&lifecycleState=ACTIVE&limit=1&page=1`);
    expect(page2.headers.get('opc-next-page')).toBeNull();
    expect(page2.body.items.map((d: { id: string }) => d.id)).toEqual([a.body.id]);
    const bad = await call(url, 'GET', '/20190501/deployments?sortOrder=sideways');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'InvalidParameter', message: 'sortOrder: must be one of ASC, DESC (got "sideways")' });
  });

  it('a path that is no operation → 404 NotFound; a method the path does not take → 405 MethodNotAllowed with Allow', async () => {
    const unknown = await call(url, 'GET', '/20190501/gateways');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: 'NotFound', message: 'There is no operation supported at the URI path and HTTP method you specified in the request.' });
    const wrong = await call(url, 'PATCH', '/20190501/deployments', { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.body).toEqual({ code: 'MethodNotAllowed', message: 'The target resource does not support the HTTP method.' });
    expect(wrong.headers.get('allow')).toBe('POST, HEAD, GET');
  });
});

// ---------------------------------------------------------------------------------------------
// Who may call

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaacontrolplanetenancy';
const USER = 'ocid1.user.oc1..aaaaaaaacontrolplaneuser';

const makeKey = () => makeApiKey(TENANCY, USER);

describe('OCI request signatures on the control plane', () => {
  const registered = makeKey();
  const unregistered = makeKey();
  // The SDK dates requests with the real clock, so the control plane's clock is the real one.
  const clock = new ControllableClock();
  let store: DeploymentStore;
  let server: RunningServer;

  beforeAll(async () => {
    const config = parseStackConfig({ ociApiKeys: [{ keyId: registered.keyId, publicKey: registered.publicKeyPem }] }, 'control-plane test');
    store = new DeploymentStore({ clock, endpointBase: () => ENDPOINT_BASE });
    server = await listen(controlPlaneApp({ store, clock, ociApiKeys: ociApiKeyMap(config) }), 0, '127.0.0.1');
  });
  afterAll(() => server?.stop());

  const provider = (key: ReturnType<typeof makeKey>, fingerprint = key.fingerprint) =>
    new common.SimpleAuthenticationDetailsProvider(TENANCY, USER, fingerprint, key.privateKeyPem, null, common.Region.EU_FRANKFURT_1);

  async function signed(method: common.Method, path: string, options: { body?: string; signer?: common.SimpleAuthenticationDetailsProvider; sentBody?: string } = {}): Promise<Answer> {
    const uri = `${server.url}${path}`;
    const headers = new Headers({ 'content-type': 'application/json' });
    await new common.DefaultRequestSigner(options.signer ?? provider(registered)).signHttpRequest({ method, uri, headers, body: options.body });
    const res = await fetch(uri, { method, headers, ...(options.body !== undefined ? { body: options.sentBody ?? options.body } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : text };
  }

  it('a request signed by a configured key is served (GET and POST with a body)', async () => {
    const made = await signed('POST', '/20190501/deployments', { body: JSON.stringify({ pathPrefix: '/signed', specification: stockSpec() }) });
    expect(made.status, made.text).toBe(200);
    const read = await signed('GET', `/20190501/deployments/${made.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.pathPrefix).toBe('/signed');
  });

  it('a key that is not configured → 401 NotAuthenticated', async () => {
    const res = await signed('GET', '/20190501/deployments', { signer: provider(unregistered) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(NOT_AUTHENTICATED);
    expect(res.headers.get('x-harness-reason')).toMatch(/unknown keyId/);
  });

  it('the configured keyId signed by another key → 401, and nothing is created', async () => {
    const res = await signed('POST', '/20190501/deployments', {
      body: JSON.stringify({ pathPrefix: '/forged', specification: stockSpec() }),
      signer: provider(unregistered, registered.fingerprint),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(NOT_AUTHENTICATED);
    expect(res.headers.get('x-harness-reason')).toMatch(/does not verify/);
    expect(store.list().map((d) => d.pathPrefix)).not.toContain('/forged');
  });

  it('a body changed after signing → 401', async () => {
    const body = JSON.stringify({ pathPrefix: '/tamper-aaa', specification: stockSpec() });
    const res = await signed('POST', '/20190501/deployments', { body, sentBody: body.replace('/tamper-aaa', '/tamper-bbb') });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-harness-reason')).toMatch(/x-content-sha256/);
  });

  it('a Bearer token is no credential of the control plane → 401; no Authorization at all is let in (local relaxation)', async () => {
    const bearer = await call(server.url, 'GET', '/20190501/deployments', { headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(bearer.status).toBe(401);
    expect(bearer.body).toEqual(NOT_AUTHENTICATED);
    expect(bearer.headers.get('x-harness-reason')).toMatch(/not Bearer/);
    expect((await call(server.url, 'GET', '/20190501/deployments')).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Deployments kept as files

describe('deployment files', () => {
  let dir: string;
  let clock: ControllableClock;
  let store: DeploymentStore;
  let lines: string[];
  let watcher: { close(): void; loaded: Promise<void> } | undefined;
  const log = (line: string) => lines.push(line);
  const fileSpec = (pathPrefix: string, body: string, extra: Record<string, unknown> = {}) => JSON.stringify({ pathPrefix, specification: stockSpec(body), ...extra }, null, 2);
  const bodyOf = (d: Deployment | undefined) => (d?.specification.routes?.[0]?.backend as { body?: string } | undefined)?.body;
  const start = async (files: string[]) => {
    watcher = watchDeploymentFiles(files, store, log, { pollIntervalMs: 50, debounceMs: 20 });
    await watcher.loaded;
  };
  const fromFile = (file: string) => store.active().find((d) => typeof d.source === 'object' && d.source.file === file);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deployment-files-'));
    clock = new ControllableClock();
    store = new DeploymentStore({ clock, endpointBase: () => ENDPOINT_BASE });
    lines = [];
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('parseDeploymentFile: JSON and YAML, the file name as the default displayName, problems named', () => {
    const json = parseDeploymentFile(fileSpec('/j', 'x'), '/cfg/use-case-1.json');
    expect(json).toEqual({ ok: true, value: expect.objectContaining({ pathPrefix: '/j', displayName: 'use-case-1', specification: stockSpec('x') }) });
    const yaml = parseDeploymentFile(
      ['pathPrefix: /y', 'displayName: From YAML', 'specification:', '  routes:', '    - path: /1', '      methods: [GET]', '      backend: {type: STOCK_RESPONSE_BACKEND, status: 200, body: x}'].join('\n'),
      '/cfg/y.yaml',
    );
    expect(yaml).toEqual({ ok: true, value: expect.objectContaining({ pathPrefix: '/y', displayName: 'From YAML', specification: stockSpec('x') }) });
    expect(parseDeploymentFile('{"pathPrefix": "/j",', '/cfg/broken.json')).toEqual({ ok: false, problems: [expect.stringMatching(/^\(file\): not valid JSON: /)] });
    expect(parseDeploymentFile('pathPrefix: /a\npathPrefix: /b\n', '/cfg/twice.yml')).toEqual({ ok: false, problems: [expect.stringMatching(/^\(file\): not valid YAML: Map keys must be unique$/)] });
    expect(parseDeploymentFile('[]', '/cfg/list.json')).toEqual({ ok: false, problems: ['(file): must be one object {pathPrefix, specification, displayName?}'] });
    const unknown = parseDeploymentFile(JSON.stringify({ pathPrefix: '/u', specification: stockSpec(), routes: [] }), '/cfg/u.json');
    expect(unknown).toEqual({ ok: false, problems: ['routes: not a field of a deployment file (pathPrefix, specification, displayName, gatewayId, compartmentId)'] });
  });

  it('files are loaded at start; a missing file is logged and loaded when it appears', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.yaml');
    await writeFile(a, fileSpec('/a', 'from a'));
    await start([a, b]);
    expect(store.active().map((d) => [d.pathPrefix, d.displayName, bodyOf(d), d.source])).toEqual([['/a', 'a', 'from a', { file: a }]]);
    // Both files are read at once, so the two lines come in either order.
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(
      expect.arrayContaining([`deployment file ${b} does not exist; it is loaded when it appears`, `deployment file ${a} loaded: /a (deployment ${fromFile(a)!.id})`]),
    );
    await writeFile(b, 'pathPrefix: /b\nspecification:\n  routes:\n    - {path: /1, methods: [GET], backend: {type: STOCK_RESPONSE_BACKEND, status: 200, body: from b}}\n');
    await until(() => fromFile(b) !== undefined, 'b.yaml to load');
    expect(bodyOf(fromFile(b))).toBe('from b');
  });

  it('a changed file is reloaded into the same deployment; an editor\'s rename-over is seen too', async () => {
    const a = join(dir, 'a.json');
    await writeFile(a, fileSpec('/a', 'v1'));
    await start([a]);
    const id = fromFile(a)!.id;
    await writeFile(a, fileSpec('/a', 'v2'));
    await until(() => bodyOf(store.get(id)) === 'v2', 'the edit to load');
    // Editors save by writing a temporary file and renaming it over the original.
    await writeFile(join(dir, 'a.json.tmp'), fileSpec('/a-moved', 'v3', { displayName: 'Renamed' }));
    await rename(join(dir, 'a.json.tmp'), a);
    await until(() => bodyOf(store.get(id)) === 'v3', 'the renamed file to load');
    expect(store.get(id)).toMatchObject({ pathPrefix: '/a-moved', displayName: 'Renamed', lifecycleState: 'ACTIVE', source: { file: a } });
    expect(store.list()).toHaveLength(1);
  });

  it('an invalid file is logged with its problems and not loaded; the previous version stays active', async () => {
    const a = join(dir, 'a.json');
    await writeFile(a, fileSpec('/a', 'good'));
    await start([a]);
    const before = fromFile(a)!;
    await writeFile(a, JSON.stringify({ pathPrefix: '/a', specification: badSpec() }));
    await until(() => lines.some((l) => l.includes('not loaded')), 'the refusal to be logged');
    const refusal = lines.find((l) => l.includes('not loaded'))!;
    expect(refusal).toMatch(new RegExp(`a\\.json not loaded; the loaded version \\(deployment ${before.id.replace(/\./g, '\\.')}\\) stays active:\\n  - specification\\.routes\\[0\\]\\.path: `));
    expect(store.get(before.id)).toEqual(before);
    await writeFile(a, '{ not json');
    await until(() => lines.filter((l) => l.includes('not loaded')).length === 2, 'the second refusal');
    expect(lines.at(-1)).toMatch(/not loaded; .*\n {2}- \(file\): not valid JSON: /);
    expect(store.get(before.id)).toEqual(before);
    // Fixed again: the same deployment takes the new version.
    await writeFile(a, fileSpec('/a', 'fixed'));
    await until(() => bodyOf(store.get(before.id)) === 'fixed', 'the fixed file');
  });

  it('a removed file deletes its deployment; when it comes back it is loaded again', async () => {
    const a = join(dir, 'a.json');
    await writeFile(a, fileSpec('/a', 'v1'));
    await start([a]);
    const id = fromFile(a)!.id;
    await rm(a);
    await until(() => store.get(id)!.lifecycleState === 'DELETED', 'the deployment to be deleted');
    expect(lines.at(-1)).toBe(`deployment file ${a} was removed: deployment ${id} deleted`);
    await writeFile(a, fileSpec('/a', 'back'));
    await until(() => fromFile(a) !== undefined, 'the file to load again');
    expect(bodyOf(fromFile(a))).toBe('back');
  });

  it('a reload never touches a deployment made through the API: a file on its path prefix is refused', async () => {
    const viaApi = store.create(input('/shared', { displayName: 'API' }));
    const a = join(dir, 'a.json');
    await writeFile(a, fileSpec('/shared', 'file'));
    await start([a]);
    expect(lines).toEqual([`deployment file ${a} not loaded: the path prefix /shared is already used by the active deployment ${viaApi.id} ("API")`]);
    await writeFile(a, fileSpec('/own', 'file'));
    await until(() => fromFile(a) !== undefined, 'the file on its own prefix');
    await rm(a);
    await until(() => fromFile(a) === undefined, 'the file deployment to go');
    expect(store.get(viaApi.id)).toEqual(viaApi);
  });

  it('the REST API refuses to change or delete a deployment a file defines (409), so the file stays the truth', async () => {
    const a = join(dir, 'a.json');
    await writeFile(a, fileSpec('/a', 'file'));
    await start([a]);
    const id = fromFile(a)!.id;
    const server = await listen(controlPlaneApp({ store, clock, ociApiKeys: new Map() }), 0, '127.0.0.1');
    try {
      const put = await call(server.url, 'PUT', `/20190501/deployments/${id}`, { body: { displayName: 'x' } });
      expect(put.status).toBe(409);
      expect(put.body).toEqual({ code: 'Conflict', message: `The deployment ${id} is defined by the file ${a} and cannot be updated through the API; edit or remove the file.` });
      expect((await call(server.url, 'DELETE', `/20190501/deployments/${id}`)).status).toBe(409);
      expect(store.get(id)!.lifecycleState).toBe('ACTIVE');
    } finally {
      await server.stop();
    }
  });
});
