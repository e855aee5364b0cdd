/**
 * The small parts of the CLI that child processes cannot show: colour only on a terminal, the
 * spinner that appears only after a second, and tools/explain.ts's request building (the token
 * where the policy reads it) and deployment loading (validated like the control plane's create).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blogUseCase1WithScope } from '../../gateway-emulator/spec/examples.js';
import { colorEnabled, makeStyle, startSpinner, withSpinner } from '../../cli/terminal.js';
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';
import { buildGatewayRequest, decisionJson, explain, ExplainInputError, formatExplanation, hintFor, loadDeployment } from '../../tools/explain.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, write: (t: string) => writes.push(t), writes };
}

afterEach(() => vi.useRealTimers());

describe('terminal', () => {
  it('colour only on a terminal, and never with NO_COLOR or FORCE_COLOR=0', () => {
    expect(colorEnabled({ isTTY: true, write: () => true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false, write: () => true }, {})).toBe(false);
    expect(colorEnabled({ write: () => true }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true, write: () => true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true, write: () => true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(makeStyle(true).bad('x')).toBe('\x1b[31mx\x1b[39m');
    expect(makeStyle(false).bad('x')).toBe('x');
  });

  it('the spinner shows nothing during the first second, then spins, and clears its line when stopped', () => {
    vi.useFakeTimers();
    const tty = fakeStream(true);
    const spinner = startSpinner('fetching the JWKS', { stream: tty });
    vi.advanceTimersByTime(999);
    expect(tty.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(tty.writes).toEqual(['\r⠋ fetching the JWKS\x1b[K']);
    vi.advanceTimersByTime(160);
    expect(tty.writes).toHaveLength(3);
    spinner.stop();
    expect(tty.writes.at(-1)).toBe('\r\x1b[K');
    vi.advanceTimersByTime(5_000);
    expect(tty.writes).toHaveLength(4);
  });

  it('quick work shows no spinner at all, and nothing ever goes to a stream that is not a terminal', async () => {
    vi.useFakeTimers();
    const tty = fakeStream(true);
    await withSpinner('quick', Promise.resolve(1), tty);
    vi.advanceTimersByTime(5_000);
    expect(tty.writes).toEqual([]);
    const pipe = fakeStream(false);
    const spinner = startSpinner('slow', { stream: pipe });
    vi.advanceTimersByTime(5_000);
    spinner.stop();
    expect(pipe.writes).toEqual([]);
  });
});

const JWKS_URI = 'http://127.0.0.1:1/jwk';
const useCase1 = () => ({ ...blogUseCase1WithScope(JWKS_URI, 'http://127.0.0.1:2/anwendung1/1', 'https://identity.oraclecloud.com/') });

describe('tools/explain.ts', () => {
  it('loads a deployment file, a control plane answer (keeping its id) or a bare specification with a path prefix', () => {
    const raw = useCase1();
    const file = loadDeployment(raw);
    expect(file).toMatchObject({ id: 'explain:/test', pathPrefix: '/test' });
    // Defaults filled in, as the control plane stores it.
    expect(file.specification.routes![0]!.backend).toMatchObject({ connectTimeoutInSeconds: 60 });
    expect(loadDeployment({ ...raw, id: 'ocid1.apideployment.oc1..x', lifecycleState: 'ACTIVE', timeCreated: 'now' }).id).toBe('ocid1.apideployment.oc1..x');
    expect(loadDeployment(raw.specification, { pathPrefix: '/bare' }).pathPrefix).toBe('/bare');
    expect(() => loadDeployment(raw.specification)).toThrow(/give its path prefix with --path-prefix/);
  });

  it("an invalid deployment is refused with every problem at its field path, as validateDeployment reports them", () => {
    let error: unknown;
    try {
      loadDeployment({ pathPrefix: 'no-slash', specification: { routes: [{ path: '/1', backend: { type: 'HTTP_BACKEND' } }] } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExplainInputError);
    const problems = (error as ExplainInputError).problems;
    expect(problems.some((p) => p.startsWith('pathPrefix: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('specification.routes[0].backend.url: '))).toBe(true);
  });

  it("builds the request as the data plane reads it; the token goes where the policy reads it", () => {
    const header = loadDeployment(useCase1());
    const request = buildGatewayRequest({ method: 'get', path: '/test/1?a=1', query: [['b', 'x y']], headers: { 'X-Thing': ['1', '2'] }, token: 'T' }, [header]);
    expect(request).toMatchObject({ method: 'GET', path: '/test/1', rawQuery: 'a=1&b=x%20y', clientIp: '127.0.0.1' });
    // Values stay as received on the wire (percent-encoded), as the data plane keeps them.
    expect(request.query).toEqual([['a', '1'], ['b', 'x%20y']]);
    expect(request.headers).toEqual({ 'x-thing': ['1', '2'], authorization: ['Bearer T'] });
    const spec = structuredClone(useCase1());
    const auth = spec.specification.requestPolicies!.authentication as unknown as Record<string, unknown>;
    delete auth.tokenHeader;
    delete auth.tokenAuthScheme;
    auth.tokenQueryParam = 'access_token';
    const inQuery = buildGatewayRequest({ path: '/test/1', token: 'T' }, [loadDeployment(spec)]);
    expect(inQuery.rawQuery).toBe('access_token=T');
    expect(inQuery.headers.authorization).toBeUndefined();
    expect(() => buildGatewayRequest({ path: 'test/1' })).toThrow(/must start with \//);
  });

  it('decides with the pipeline: no token is 401 at authentication.token, and the text says what to do', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'SIGNING_KEY', use: 'sig' }] };
    const explanation = await explain({ deployments: [loadDeployment(useCase1())], request: { path: '/test/1' }, jwks, at: new Date('2025-01-01T00:00:00Z') });
    const { decision } = explanation;
    expect(decision.outcome).toBe('refused');
    expect(decision.outcome === 'refused' && decision.reason).toMatchObject({ check: 'authentication.token', found: null });
    expect(explanation.at.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    const text = formatExplanation(explanation);
    expect(text).toMatch(/^REFUSED 401 Unauthorized by authentication\.token: JWT token not found in the request\.\n/);
    expect(text).toContain('what to do: no token was sent: give one with --token');
    expect(text).toContain('(decided at 2025-01-01T00:00:00.000Z)');
    expect(JSON.parse(JSON.stringify(decisionJson(decision)))).toMatchObject({ outcome: 'refused', answer: { status: 401 } });
  });

  it('hints name the trap, the issuer slash and the ANY_OF 404, and nothing for a check they know nothing about', () => {
    expect(hintFor({ check: 'authentication.verifyClaims', passed: false, message: '', expected: ['AnwendungReadA'], found: 'AnwendungReadA AnwendungWriteA' })).toMatch(/exact-match trap/);
    expect(hintFor({ check: 'authentication.iss', passed: false, message: '', expected: ['https://identity.oraclecloud.com'], found: 'https://identity.oraclecloud.com/' })).toMatch(/trailing slash/);
    expect(hintFor({ check: 'authorization', passed: false, message: 'Authorization failed: none of the allowed scopes [A] is in the token', expected: ['A'], found: ['B'] })).toMatch(/404/);
    expect(hintFor({ check: 'headerValidation', passed: false, message: 'x' })).toBeUndefined();
  });
});

describe('cli/main.ts in-process', () => {
  it('dispatches, and writes colour only when the io says it may', async () => {
    const lines: string[] = [];
    const io: CommandIo = { out: (t) => lines.push(t), err: (t) => lines.push(t), env: {}, color: true, style: makeStyle(true), readStdin: async () => '', spinner: () => ({ stop: () => {} }) };
    const code = await main(['decode', 'x.y'], io);
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain('not a JWT');
  });
});
