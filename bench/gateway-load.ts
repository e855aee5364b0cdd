/**
 * Load for the gateway bench, generated in the bench process against servers in child processes
 * on loopback:
 *
 * - `runAutocannon`: closed-loop peak load with autocannon (N connections, each sending its next
 *   request as soon as the previous answer is in). Latencies are taken from autocannon's
 *   per-response events in fractional milliseconds: its own histogram records whole
 *   milliseconds, too coarse for sub-millisecond proxies.
 * - `runPaced`: open-loop load at a fixed rate, requests issued on an even schedule (undici Pool,
 *   more connections than ever needed at that rate). Sending never waits for an answer, so a
 *   stalled server cannot hide its stall by delaying the next request (coordinated omission), and
 *   latency is counted from the actual send, so the generator's own timer jitter (p99 ≈ 3 ms on
 *   a busy 2-core box, reported as `sendLatenessP99Ms`) is not charged to the server. autocannon's `overallRate` is a
 *   per-connection budget per second: each connection fires its budget back to back at the start
 *   of every second and then idles, so at "half load" the server still sees full concurrency for
 *   half of each second and the p99 is the full-load p99 (measured: a 1 ms/request server gave
 *   p99 23 ms at full load and 28 ms at overallRate = half). `runAutocannon` with `overallRate`
 *   remains available (`--half-load autocannon`).
 * - `runStatusLoad`: closed-loop load counting answers by status and `Retry-After`, optionally
 *   from another source address (127.0.0.2), for the rate limiter's accuracy.
 * - `mintTokens`: access tokens from the mock IAM's token endpoint, for the unique-token case.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { TOKEN_BODY, TOKEN_HEADERS } from './token-throughput.js';
import { percentile } from './stats.js';

/** An endless round robin over tokens, shared by every connection and kept across runs. */
export class TokenCycle {
  private index = 0;
  constructor(readonly tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('TokenCycle needs at least one token');
  }
  next(): string {
    const token = this.tokens[this.index]!;
    this.index = (this.index + 1) % this.tokens.length;
    return token;
  }
}

export interface LoadSpec {
  /** Origin, e.g. http://127.0.0.1:40123 */
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** A new `Authorization: Bearer <token>` per request, the next of the cycle. */
  tokens?: TokenCycle;
}

export interface LoadResult {
  durationMs: number;
  /** 2xx answers (the only ones whose latency is recorded, as autocannon does). */
  ok: number;
  non2xx: number;
  errors: number;
  reqPerSec: number;
  /** Latencies of the 2xx answers, in ms, unsorted. */
  latenciesMs: number[];
  /** The bench process's CPU (the load generator) per 2xx answer, ms. */
  clientCpuMsPerRequest: number;
  /** Paced load: how late the generator sent its requests (its own event loop stalls), p99 in ms. */
  sendLatenessP99Ms?: number;
}

export interface AutocannonOptions {
  durationMs: number;
  connections: number;
  /** Requests per second over all connections (autocannon's per-second budgets, see above). */
  overallRate?: number;
}

export function runAutocannon(spec: LoadSpec, options: AutocannonOptions): Promise<LoadResult> {
  const tokens = spec.tokens;
  const request: autocannon.Request = tokens
    ? {
        method: 'GET',
        path: spec.path,
        // Called per request by each connection; returns a fresh request so no connection sees another's header.
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${tokens.next()}` } }),
      }
    : { method: 'GET', path: spec.path };
  const latenciesMs: number[] = [];
  let non2xx = 0;
  const cpu = process.cpuUsage();
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationMs / 1000,
        headers: spec.headers ?? {},
        requests: [request],
        ...(options.overallRate ? { overallRate: Math.max(1, Math.round(options.overallRate)) } : {}),
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const used = process.cpuUsage(cpu);
        const durationMs = performance.now() - began;
        const ok = latenciesMs.length;
        resolve({
          durationMs,
          ok,
          non2xx,
          errors: result.errors + result.timeouts,
          reqPerSec: ok / (durationMs / 1000),
          latenciesMs,
          clientCpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, ok),
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
      else non2xx++;
    });
  });
}

export interface PacedOptions {
  durationMs: number;
  ratePerSec: number;
  /** Connections the pool may open; enough that the client never queues at half load. */
  connections: number;
  /**
   * A pool to reuse (left open), so a measured run starts on the connections its warm-up opened:
   * on a fresh pool the first few hundred milliseconds measure connection set-up, not the server.
   */
  pool?: Pool;
}

export function pacedPool(spec: LoadSpec, connections: number): Pool {
  return new Pool(spec.url, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
}

/** Open-loop load at a fixed rate; latency from each request's send to the end of its answer. */
export async function runPaced(spec: LoadSpec, options: PacedOptions): Promise<LoadResult> {
  const pool = options.pool ?? pacedPool(spec, options.connections);
  const intervalMs = 1000 / options.ratePerSec;
  const total = Math.max(1, Math.floor((options.durationMs / 1000) * options.ratePerSec));
  const latenciesMs: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const lateness: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();

  const fire = (scheduled: number) => {
    const headers = spec.tokens ? { ...spec.headers, authorization: `Bearer ${spec.tokens.next()}` } : spec.headers;
    const sent = performance.now();
    lateness.push(sent - scheduled);
    const done = pool
      .request({ path: spec.path, method: 'GET', ...(headers ? { headers } : {}) })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) latenciesMs.push(performance.now() - sent);
        else non2xx++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => pending.delete(done));
    pending.add(done);
  };

  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        fire(start + sent * intervalMs);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  while (pending.size) await Promise.all([...pending]);
  const used = process.cpuUsage(cpu);
  const durationMs = performance.now() - start;
  if (!options.pool) await pool.close();
  return {
    durationMs,
    ok: latenciesMs.length,
    non2xx,
    errors,
    reqPerSec: latenciesMs.length / (durationMs / 1000),
    latenciesMs,
    clientCpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, latenciesMs.length),
    sendLatenessP99Ms: percentile(lateness, 99),
  };
}

export interface StatusLoadOptions {
  durationMs: number;
  /** Requests in flight at once (closed loop: each loop sends its next request when an answer is in). */
  connections: number;
  /** The client's source address (e.g. 127.0.0.2: any 127/8 address reaches a loopback listener on Linux). */
  localAddress?: string;
}

export interface StatusLoadResult {
  localAddress: string | undefined;
  /** `performance.now()` when the first request went out. */
  startedAtMs: number;
  /** From the first send to the last answer: the interval every counted request fell into, at the server too. */
  windowMs: number;
  sent: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  /** `Retry-After` values of the 429 answers, by value. */
  retryAfter: Record<string, number>;
  /** 429 answers whose body was not OCI's `{"code":429,"message":"Too Many Requests"}`. */
  bad429Bodies: number;
  /** Requests that got no answer (connection errors). */
  errors: number;
  /** The first few error messages, for a report. */
  errorSamples: string[];
}

const TOO_MANY_REQUESTS = JSON.stringify({ code: 429, message: 'Too Many Requests' });

/**
 * Closed-loop load that counts answers by status, for the rate limiter: `connections` loops each
 * send a GET, read the answer (status, `Retry-After`, the 429 body) and send the next, until
 * `durationMs` has passed. Far more requests than the limit lets through, so the limiter is
 * always under pressure.
 */
export async function runStatusLoad(spec: Pick<LoadSpec, 'url' | 'path' | 'headers'>, options: StatusLoadOptions): Promise<StatusLoadResult> {
  const pool = new Pool(spec.url, { connections: options.connections, pipelining: 1, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  const start = performance.now();
  const result: StatusLoadResult = { localAddress: options.localAddress, startedAtMs: start, windowMs: 0, sent: 0, statuses: {}, retryAfter: {}, bad429Bodies: 0, errors: 0, errorSamples: [] };
  const end = start + options.durationMs;
  let lastAnswer = start;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < end) {
          result.sent++;
          try {
            const res = await pool.request({ path: spec.path, method: 'GET', ...(spec.headers ? { headers: spec.headers } : {}) });
            const text = await res.body.text();
            result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode === 429) {
              const value = String(res.headers['retry-after'] ?? '(none)');
              result.retryAfter[value] = (result.retryAfter[value] ?? 0) + 1;
              if (text !== TOO_MANY_REQUESTS) result.bad429Bodies++;
            }
          } catch (err) {
            result.errors++;
            if (result.errorSamples.length < 3) result.errorSamples.push((err as Error).message);
          }
          lastAnswer = performance.now();
        }
      }),
    );
  } finally {
    await pool.close();
  }
  result.windowMs = lastAnswer - start;
  return result;
}

/** The window covering several runs at once (a shared bucket): the first start to the last answer. */
export function unionWindowMs(runs: ReadonlyArray<Pick<StatusLoadResult, 'startedAtMs' | 'windowMs'>>): number {
  const first = Math.min(...runs.map((r) => r.startedAtMs));
  return Math.max(...runs.map((r) => r.startedAtMs + r.windowMs)) - first;
}

/** Whether this box can use `address` as a client's source address (127.0.0.2 works on Linux, not on macOS). */
export async function canBindLocalAddress(url: string, address: string): Promise<boolean> {
  const pool = new Pool(url, { connections: 1, localAddress: address });
  try {
    const res = await pool.request({ path: '/', method: 'GET' });
    await res.body.dump();
    return true;
  } catch {
    return false;
  } finally {
    await pool.close();
  }
}

/** `count` client_credentials access tokens (use case 1) from the mock IAM, `inflight` requests at a time. */
export async function mintTokens(iamUrl: string, count: number, inflight = 16): Promise<string[]> {
  const pool = new Pool(iamUrl, { connections: inflight, pipelining: 1 });
  const tokens: string[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < count) {
          next++;
          const res = await pool.request({ path: '/oauth2/v1/token', method: 'POST', headers: TOKEN_HEADERS, body: TOKEN_BODY });
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`POST /oauth2/v1/token answered ${res.statusCode}: ${text.slice(0, 300)}`);
          tokens.push((JSON.parse(text) as { access_token: string }).access_token);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  if (new Set(tokens).size !== tokens.length) throw new Error('the IAM minted the same token twice');
  return tokens;
}

/**
 * Sends one GET per token (`Authorization: Bearer <token>`), `inflight` at a time, and throws on
 * any answer other than 200: e.g. to fill the gateway's verified-token cache before measuring.
 */
export async function sendEachToken(url: string, path: string, tokens: readonly string[], inflight = 16): Promise<void> {
  const pool = new Pool(url, { connections: inflight, pipelining: 1 });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (next < tokens.length) {
          const token = tokens[next++]!;
          const res = await pool.request({ path, method: 'GET', headers: { authorization: `Bearer ${token}` } });
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
        }
      }),
    );
  } finally {
    await pool.close();
  }
}

/** One GET, for the sanity checks before measuring: status and body. */
export async function probe(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const pool = new Pool(url, { connections: 1 });
  try {
    const res = await pool.request({ path, method: 'GET', headers });
    return { status: res.statusCode, text: await res.body.text() };
  } finally {
    await pool.close();
  }
}
