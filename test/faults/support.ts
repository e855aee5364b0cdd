/**
 * Helpers of the fault tests: the gateway's data plane assembled as `gateway.ts` assembles it, but
 * with the timeouts a test can wait for (JWKS fetch, authorizer call); hostile servers on ephemeral
 * ports; a plain HTTP client that reports a cut connection instead of throwing it away; timing.
 */
import type { Socket } from 'node:net';
import { expect } from 'vitest';
import type { Reply } from '../support/servers.js';
import type { ControllableClock } from '../../common/clock.js';
import { HttpBackends } from '../../gateway-emulator/backends/http-backend.js';
import { DeploymentStore } from '../../gateway-emulator/control-plane/deployment-store.js';
import { startDataPlane } from '../../gateway-emulator/data-plane.js';
import { DecisionLog, type DecisionLogEntry } from '../../gateway-emulator/decision-log.js';
import { AuthorizerCache } from '../../gateway-emulator/pipeline/authenticate-custom.js';
import { JwksCache } from '../../gateway-emulator/pipeline/jwks-cache.js';
import { RateLimiter } from '../../gateway-emulator/pipeline/rate-limit.js';
import { VerifiedTokenCache } from '../../gateway-emulator/pipeline/verified-token-cache.js';
import { validateDeployment } from '../../gateway-emulator/spec/validate.js';

export interface GatewayUnderTest {
  url: string;
  jwks: JwksCache;
  authorizerCache: AuthorizerCache;
  log: DecisionLog;
  /** Validates the spec as the control plane does and activates it. */
  deploy(pathPrefix: string, specification: unknown): void;
  lastDecision(): DecisionLogEntry;
  stop(): Promise<void>;
}

/**
 * The data plane with the pipeline's caches, as `startGateway` wires them (refusals explained in
 * `x-harness-reason`), on an ephemeral port.
 */
export async function startGatewayUnderTest(options: {
  clock: ControllableClock;
  jwksFetchTimeoutMs?: number;
  authorizerTimeoutMs?: number;
  functions?: Record<string, string>;
}): Promise<GatewayUnderTest> {
  let url = '';
  const store = new DeploymentStore({ clock: options.clock, endpointBase: () => url });
  const log = new DecisionLog(200);
  const jwks = new JwksCache({ clock: options.clock, ...(options.jwksFetchTimeoutMs !== undefined ? { fetchTimeoutMs: options.jwksFetchTimeoutMs } : {}) });
  const authorizerCache = new AuthorizerCache({ clock: options.clock });
  const backends = new HttpBackends();
  const functions = options.functions ?? {};
  const dataPlane = await startDataPlane(
    {
      clock: options.clock,
      jwks,
      verifiedTokens: new VerifiedTokenCache({}),
      rateLimiter: new RateLimiter({ clock: options.clock }),
      authorizerCache,
      functions: { urlFor: (id) => functions[id], ...(options.authorizerTimeoutMs !== undefined ? { authorizerTimeoutMs: options.authorizerTimeoutMs } : {}) },
      deployments: () => store.active(),
      backends,
      log,
      explainRefusals: true,
    },
    0,
    '127.0.0.1',
  );
  url = dataPlane.url;
  return {
    url,
    jwks,
    authorizerCache,
    log,
    deploy(pathPrefix, specification) {
      const checked = validateDeployment({ pathPrefix, specification });
      if (!checked.ok) throw new Error(`deployment ${pathPrefix} is invalid: ${checked.problems.join('; ')}`);
      store.create(checked.value);
    },
    lastDecision: () => log.recent(1)[0]!,
    stop: async () => {
      await dataPlane.stop();
      await backends.close();
    },
  };
}

// ---------------------------------------------------------------- clients

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The gateway's own error answer: `{code, message}` with that status. */
export function expectGatewayError(reply: Reply, status: number, message: string): void {
  expect(reply.status, `${reply.status} ${reply.headers['x-harness-reason'] ?? ''} ${reply.body}`).toBe(status);
  expect(JSON.parse(reply.body)).toEqual({ code: status, message });
}

/** Every timing asserted, for `FAULT_TIMINGS=1 npx vitest run test/faults` (printed by {@link printTimings}). */
const timings: Array<{ what: string; ms: number; min?: number | undefined; max: number }> = [];

export function printTimings(): void {
  if (!process.env.FAULT_TIMINGS) return;
  for (const t of timings) console.log(`timing | ${t.what} | ${t.ms.toFixed(0)} ms | bound ${t.min ?? 0}–${t.max} ms`);
}

/** Asserts `ms` lies in [min, max] with a message naming the fault. */
export function expectWithin(what: string, ms: number, bounds: { min?: number; max: number }): void {
  timings.push({ what, ms, min: bounds.min, max: bounds.max });
  if (bounds.min !== undefined) expect(ms, `${what}: ${ms.toFixed(0)} ms, expected ≥ ${bounds.min} ms`).toBeGreaterThanOrEqual(bounds.min);
  expect(ms, `${what}: ${ms.toFixed(0)} ms, expected ≤ ${bounds.max} ms`).toBeLessThanOrEqual(bounds.max);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- servers

export { closedPort, listenHttp, listenTcp, send, type Reply, type TestServer } from '../support/servers.js';

/** Reads one HTTP request head from a raw socket (enough for the tests' bodiless requests). */
export function onRequestHead(socket: Socket, then: () => void): void {
  let head = '';
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      socket.off('data', onData);
      then();
    }
  };
  socket.on('data', onData);
}
