/**
 * Properties of deployment specifications: `validateDeployment` on random values and on mutations
 * of the blog's deployments and of a richer one (ok, or problems each naming a field path — never
 * a throw), the control plane's `POST /20190501/deployments` with the same bodies (200 exactly
 * when the validator accepts, else 400 InvalidParameter in OCI's shape — never a 5xx), and a
 * stock response the control plane accepts is then served as configured.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blogUseCase1Deployment, blogUseCase1WithScope, blogUseCase2WithClaim, identityDomainAudiences } from '../../gateway-emulator/spec/examples.js';
import { validateDeployment } from '../../gateway-emulator/spec/validate.js';
import type { RunningStack } from '../../stack/stack.js';
import { startTestStack } from '../support/stack.js';
import { expectOciControlError, headerValue, hostileJson, mutate, mutationArb, rawRequest, richDeployment, show, trickyText, wellFormed } from './support.js';

const JWKS = 'https://idcs.example.com/admin/v1/SigningCert/jwk';
const BACKEND = 'http://backend.example.com:8080';
const ISSUER = 'https://identity.oraclecloud.com/';

const BASES: Array<Record<string, unknown>> = [
  blogUseCase1Deployment(JWKS, `${BACKEND}/anwendung1/1`) as unknown as Record<string, unknown>,
  blogUseCase1WithScope(JWKS, `${BACKEND}/anwendung1/1`) as unknown as Record<string, unknown>,
  blogUseCase2WithClaim(JWKS, `${BACKEND}/anwendung2/1`, identityDomainAudiences('idcs-0a1b2c3d', 'eu-frankfurt-1')) as unknown as Record<string, unknown>,
  richDeployment('/rich', JWKS, BACKEND, ISSUER),
];

/** Every path to a value inside `v` (objects and arrays), the root included. */

/** Values OCI's schema has opinions about, next to arbitrary JSON. */
const fieldValue = fc.oneof(
  { weight: 3, arbitrary: hostileJson(2) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>('', '/', '/a/{p}', '/{p*}/x', 'JWT_AUTHENTICATION', 'REMOTE_JWKS', 'ANY_OF', 'ANONYMOUS', 'HTTP_BACKEND', 'STOCK_RESPONSE_BACKEND', 'ftp://x', 'http://', '${request.headers[x]}', '${bogus}', -1, 0, 1e9, 3.5, [], {}, [''], ['GET', 'GET'], ['ANY'], 'x'.repeat(3000)) },
  { weight: 1, arbitrary: trickyText(20) },
);
const deploymentMutation = mutationArb(fieldValue, fc.oneof(trickyText(8), fc.constantFrom('keyOps', 'issuer', 'method', 'allowedScopes', 'isSSLVerifyDisabled')), ['set', 'delete', 'rename', 'wrap', 'duplicate']);


const mutatedDeployment = fc.tuple(fc.constantFrom(...BASES), fc.array(deploymentMutation, { minLength: 1, maxLength: 3 })).map(([base, ms]) => ms.reduce(mutate, base as unknown));

/** Hostile values a JSON body cannot carry but a caller of the function can. */
const exotic = fc.constantFrom<() => unknown>(
  () => {
    const cyclic: Record<string, unknown> = { pathPrefix: '/c' };
    cyclic.specification = { routes: [cyclic] };
    return cyclic;
  },
  () => ({ pathPrefix: '/g', get specification() { throw new Error('getter'); } }),
  () => ({ pathPrefix: '/p', specification: new Proxy({}, { ownKeys: () => { throw new Error('proxy'); } }) }),
  () => ({ pathPrefix: '/d', specification: JSON.parse(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`) }),
  () => ({ pathPrefix: '/w', specification: { routes: Array.from({ length: 20_000 }, () => ({ path: '/x' })) } }),
  () => Object.assign(Object.create(null), { pathPrefix: '/n', specification: { routes: [] } }),
  () => ({ pathPrefix: '/b', specification: { routes: [{ path: '/x', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'x'.repeat(3 * 1024 * 1024) } }] } }),
  () => 42n,
  () => Symbol('s'),
  () => () => undefined,
);

const TOP = ['deployment', 'pathPrefix', 'specification', 'displayName', 'gatewayId', 'compartmentId', 'freeformTags', 'definedTags'];

/** validateDeployment's verdict, checked: never a throw; each problem starts with a field path of the input. */
function judge(raw: unknown): 'ok' | 'problems' {
  let result: ReturnType<typeof validateDeployment>;
  try {
    result = validateDeployment(raw);
  } catch (e) {
    throw new Error(`validateDeployment threw: ${String((e as Error)?.stack ?? e)}`);
  }
  if (result.ok) {
    expect(typeof result.value.pathPrefix).toBe('string');
    expect(Array.isArray(result.value.specification.routes)).toBe(true);
    return 'ok';
  }
  expect(result.problems.length).toBeGreaterThan(0);
  const ownKeys = raw !== null && typeof raw === 'object' ? Object.keys(raw) : [];
  for (const problem of result.problems) {
    const head = /^([A-Za-z_$][\w$]*|\["(?:[^"\\]|\\.)*"\])/.exec(problem)?.[1];
    const named = head !== undefined && (TOP.includes(head) || ownKeys.some((k) => head === k || head === JSON.stringify(k) || head === `[${JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}…` : k)}]`));
    expect(named, `problem without a field path of the input: ${JSON.stringify(problem)}`).toBe(true);
    expect(problem).toMatch(/^[\s\S]*?: \S/);
  }
  return 'problems';
}

describe('properties: validateDeployment (pure)', () => {
  it('random values: ok or problems that name a field path, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson(5), fc.anything(), fc.record({ pathPrefix: fieldValue, specification: hostileJson(4) }, { requiredKeys: [] })), (raw) => {
        judge(raw);
      }),
      { numRuns: 1500 },
    );
  });

  it('hostile objects (cycles, throwing getters and proxies, deep nesting, huge arrays and strings): problems, never a throw', () => {
    fc.assert(
      fc.property(exotic, (make) => {
        const raw = make();
        const result = validateDeployment(raw);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('mutations of the blog deployments and a richer one: ok or located problems; unmutated they are ok', () => {
    for (const base of BASES) expect(judge(base)).toBe('ok');
    const seen = { ok: 0, problems: 0 };
    fc.assert(
      fc.property(mutatedDeployment, (raw) => {
        seen[judge(raw)]++;
      }),
      { numRuns: 1000 },
    );
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.problems).toBeGreaterThan(0);
  });
});

describe('properties: the control plane and the data plane with random deployments (HTTP)', () => {
  let stack: RunningStack;
  let control: string;
  let gateway: string;
  const post = (body: string) => rawRequest(control, { method: 'POST', path: '/20190501/deployments', headers: { 'content-type': 'application/json' }, body });
  const remove = async (id: string) => {
    const res = await rawRequest(control, { method: 'DELETE', path: `/20190501/deployments/${id}` });
    expect(res.status, show(res)).toBe(202);
  };

  beforeAll(async () => {
    stack = await startTestStack();
    control = stack.gateway.controlPlane.url;
    gateway = stack.gateway.dataPlane.url;
  });
  afterAll(() => stack?.stop());

  it('POST /20190501/deployments: 200 exactly when validateDeployment accepts the body, else 400 InvalidParameter; never a 5xx', async () => {
    const seen = { created: 0, refused: 0 };
    const activePrefixes = () => new Set(stack.gateway.store.active().map((d) => d.pathPrefix.replace(/\/+$/, '')));
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: mutatedDeployment }, { weight: 1, arbitrary: hostileJson(4) }), async (raw) => {
        const body = JSON.stringify(raw) ?? 'null';
        const sent = JSON.parse(body) as unknown; // what the server sees: undefined dropped, -0 as 0
        const verdict = validateDeployment(sent);
        const res = await post(body);
        expect(res.status, show(res)).toBeLessThan(500);
        if (res.status === 200) {
          seen.created++;
          expect(verdict.ok, `accepted over HTTP, refused by the validator: ${body.slice(0, 300)}`).toBe(true);
          expect(res.json).toMatchObject({ id: expect.any(String), lifecycleState: 'ACTIVE' });
          await remove(res.json.id);
          return;
        }
        seen.refused++;
        if (res.status === 409) {
          // The one refusal of a valid body: its path prefix is in use (the stack's /test and /test2).
          expectOciControlError(res, ['Conflict']);
          expect(verdict.ok && activePrefixes().has((sent as { pathPrefix: string }).pathPrefix.replace(/\/+$/, '')), show(res)).toBe(true);
          return;
        }
        expectOciControlError(res, ['InvalidParameter']);
        expect(res.status).toBe(400);
        if (sent !== null && typeof sent === 'object' && !Array.isArray(sent) && Object.keys(sent).every((k) => TOP.includes(k))) {
          expect(verdict.ok, `refused over HTTP, accepted by the validator: ${body.slice(0, 300)} → ${show(res)}`).toBe(false);
        }
      }),
      { numRuns: 250 },
    );
    expect(seen.created).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    // The positive control: a valid deployment is still created and served.
    const ok = await post(JSON.stringify(richDeployment('/control', stack.iam.context.baseUrl + '/admin/v1/SigningCert/jwk', stack.backend.url, stack.iam.context.issuer)));
    expect(ok.status, show(ok)).toBe(200);
    const stock = await rawRequest(gateway, { path: '/control/stock' });
    expect(stock.status, show(stock)).toBe(200);
    await remove(ok.json.id);
  });

  it('a stock response the control plane accepts is served as configured (status, headers, body), never a 5xx of its own or a hang', async () => {
    const headerName = fc.oneof(fc.constantFrom('Content-Type', 'X-A', 'x-a', 'Set-Cookie', 'Content-Length', 'Connection', 'Transfer-Encoding', 'Location', 'WWW-Authenticate', 'Vary'), fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/));
    const headerText = fc.oneof({ weight: 4, arbitrary: headerValue(40) }, { weight: 1, arbitrary: fc.constantFrom('a\r\nX-Injected: 1', '\u0000', '\u65e5\u672c', ' padded ', '') }, { weight: 1, arbitrary: trickyText(12) });
    const stockArb = fc.record(
      {
        type: fc.constant('STOCK_RESPONSE_BACKEND'),
        status: fc.oneof(fc.constantFrom(100, 101, 103, 199, 200, 201, 204, 205, 304, 400, 401, 404, 418, 500, 503, 599), fc.integer({ min: 100, max: 599 })),
        // Well-formed text: a lone surrogate half has no UTF-8 form to compare on the wire.
        body: fc.oneof(fc.constantFrom('', '{"ok":true}'), trickyText(30), fc.string({ unit: 'grapheme', maxLength: 30 })).filter(wellFormed),
        headers: fc.array(fc.record({ name: headerName, value: headerText }, { requiredKeys: ['name'] }), { maxLength: 4 }),
      },
      { requiredKeys: ['type', 'status'] },
    );
    let n = 0;
    const seen = { served: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(stockArb, async (backend) => {
        const prefix = `/stock${n++}`;
        const body = JSON.stringify({ pathPrefix: prefix, specification: { routes: [{ path: '/r', methods: ['GET'], backend }] } });
        const created = await post(body);
        if (created.status !== 200) {
          seen.refused++;
          expectOciControlError(created, ['InvalidParameter']);
          expect(created.json.message, show(created)).toMatch(/specification\.routes\[0\]\.backend/);
          return;
        }
        seen.served++;
        try {
          const res = await rawRequest(gateway, { path: `${prefix}/r` });
          expect(res.status, `${JSON.stringify(backend)} → ${show(res)}`).toBe(backend.status);
          if (backend.status !== 204 && backend.status !== 304) expect(res.text, JSON.stringify(backend)).toBe(backend.body ?? '');
          for (const h of backend.headers ?? []) {
            const name = h.name.toLowerCase();
            if (['content-length', 'connection', 'transfer-encoding'].includes(name)) continue;
            expect(res.headers[name], `${h.name} of ${JSON.stringify(backend)}`).toBeDefined();
          }
        } finally {
          await remove(created.json.id);
        }
      }),
      { numRuns: 150 },
    );
    expect(seen.served).toBeGreaterThan(0);
    const stock = await post(JSON.stringify({ pathPrefix: '/stock-control', specification: { routes: [{ path: '/r', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'fine' } }] } }));
    expect(stock.status, show(stock)).toBe(200);
    expect((await rawRequest(gateway, { path: '/stock-control/r' })).text).toBe('fine');
  });
});
