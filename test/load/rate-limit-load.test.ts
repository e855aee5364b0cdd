/**
 * The rate limiter under concurrent load, through the running gateway on loopback: many clients
 * in parallel for a couple of seconds, far above the limit, from two source addresses
 * (127.0.0.1 and 127.0.0.2, both reach a loopback listener on Linux).
 *
 * The bound: rate-limit.ts is a token bucket of capacity `rate` (the burst) refilled at `rate`
 * per second (OCI documents neither algorithm nor burst, reference §5.1 [I]), so over a window of
 * t seconds a key admits at most `rate + rate·t`. The window used is the client's, from the first
 * send to the last answer: every request the gateway counted arrived inside it. Everything else
 * must be a 429 with OCI's body and a whole-seconds `Retry-After` ≥ 1; never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStatusLoad, unionWindowMs, type StatusLoadResult } from '../../bench/gateway-load.js';
import type { RunningStack } from '../../stack/stack.js';
import { http } from '../support/iam.js';
import { startTestStack } from '../support/stack.js';

const RATE = 5;
const LOAD_MS = 2_000;
/** Loops per client address: far more requests than RATE per second. */
const CONNECTIONS = 16;
const ADDRESSES = ['127.0.0.1', '127.0.0.2'] as const;

/** What a token bucket of capacity `rate` refilled at `rate`/s may admit over `windowMs`. */
const allowed = (windowMs: number) => RATE + RATE * (windowMs / 1000);

function admittedOf(run: StatusLoadResult): number {
  return run.statuses[200] ?? 0;
}

/** LOAD_FIGURES=1 prints what the runs saw (for the bench notes); silent otherwise. */
function report(label: string, runs: StatusLoadResult[]): void {
  if (!process.env.LOAD_FIGURES) return;
  for (const r of runs) {
    console.log(`${label} ${r.localAddress}: sent ${r.sent}, window ${Math.round(r.windowMs)} ms, allowed ${allowed(r.windowMs).toFixed(1)}, statuses ${JSON.stringify(r.statuses)}, Retry-After ${JSON.stringify(r.retryAfter)}`);
  }
}

/**
 * Only 200s and 429s (most of them 429s), every 429 with OCI's body and a `Retry-After` of whole
 * seconds ≥ 1, no errors. (A client sharing a TOTAL bucket may happen to get no 200 at all.)
 */
function expectCleanRefusals(run: StatusLoadResult): void {
  expect(run.errors, run.errorSamples.join('; ')).toBe(0);
  expect(Object.keys(run.statuses).filter((status) => status !== '200' && status !== '429')).toEqual([]);
  expect(run.statuses[429] ?? 0).toBeGreaterThan(10 * admittedOf(run));
  expect(run.bad429Bodies).toBe(0);
  for (const value of Object.keys(run.retryAfter)) {
    expect(value).toMatch(/^[1-9][0-9]*$/);
  }
  // rate ≥ 1: the next token is at most 1/rate s ≤ 1 s away, rounded up to whole seconds.
  expect(Object.keys(run.retryAfter)).toEqual(['1']);
}

describe('rate limiting under concurrent load', () => {
  let stack: RunningStack;
  let gw: string;

  beforeAll(async () => {
    // A longer decision log than the default 100: the last 500 decisions show both client addresses.
    stack = await startTestStack({ gateway: { decisionLogSize: 500 } });
    gw = stack.gateway.dataPlane.url;
    const control = stack.gateway.controlPlane.url;
    for (const [pathPrefix, rateKey] of [
      ['/per-ip', 'CLIENT_IP'],
      ['/total', 'TOTAL'],
    ] as const) {
      const res = await http(`${control}/20190501/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pathPrefix,
          specification: {
            requestPolicies: { rateLimiting: { rateInRequestsPerSecond: RATE, rateKey } },
            routes: [{ path: '/r', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }],
          },
        }),
      });
      expect(res.status, res.text).toBe(200);
    }
  });
  afterAll(() => stack?.stop());

  it(`CLIENT_IP: each address admits at most ${RATE} + ${RATE}·t over t seconds, the rest 429`, async () => {
    const runs = await Promise.all(ADDRESSES.map((localAddress) => runStatusLoad({ url: gw, path: '/per-ip/r' }, { durationMs: LOAD_MS, connections: CONNECTIONS, localAddress })));
    report('CLIENT_IP', runs);
    for (const run of runs) {
      expectCleanRefusals(run);
      const admitted = admittedOf(run);
      expect(admitted).toBeLessThanOrEqual(Math.floor(allowed(run.windowMs)));
      // The limiter is not merely refusing everything: past the burst, the key got the refills too
      // (a second's worth of slack for a busy box that stalls this process).
      expect(admitted).toBeGreaterThanOrEqual(Math.floor(allowed(run.windowMs - 1_000)));
    }
    // Both keys got their own bucket: together about twice what one key may have.
    expect(admittedOf(runs[0]!) + admittedOf(runs[1]!)).toBeGreaterThan(Math.floor(allowed(LOAD_MS)));
    // The gateway saw the two addresses as two keys.
    const decisions = (await http(`${stack.gateway.controlPlane.url}/_harness/decisions?limit=500`)).body.decisions as Array<{ checks: Array<{ check: string; found?: { key?: string } }> }>;
    const keys = new Set(decisions.flatMap((d) => d.checks.filter((c) => c.check === 'rateLimiting').map((c) => c.found?.key)));
    expect([...keys].sort()).toEqual([...ADDRESSES]);
  });

  it(`TOTAL: both addresses share one bucket of ${RATE} + ${RATE}·t`, async () => {
    const runs = await Promise.all(ADDRESSES.map((localAddress) => runStatusLoad({ url: gw, path: '/total/r' }, { durationMs: LOAD_MS, connections: CONNECTIONS, localAddress })));
    report('TOTAL', runs);
    for (const run of runs) expectCleanRefusals(run);
    const admitted = admittedOf(runs[0]!) + admittedOf(runs[1]!);
    expect(admitted).toBeLessThanOrEqual(Math.floor(allowed(unionWindowMs(runs))));
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(allowed(Math.min(...runs.map((r) => r.windowMs)) - 1_000)));
  });
});
