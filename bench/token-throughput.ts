/**
 * Tokens per second over HTTP: an undici Pool with keep-alive and N requests in flight posts
 * client_credentials token requests for a warm-up, then counts 200s completed in a fixed window.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { ControlledChild } from './children.js';
import { percentile } from './stats.js';

export const CLIENT = { id: 'usecase1_client', secret: 'usecase1-client-secret', scope: 'anwendung1AnwendungReadA' } as const;

/** HTTP Basic as IDCS wants it: each part URL-encoded, then base64. */
export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export const TOKEN_BODY = new URLSearchParams({ grant_type: 'client_credentials', scope: CLIENT.scope }).toString();
export const TOKEN_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
  authorization: basicAuth(CLIENT.id, CLIENT.secret),
};

export interface LoadOptions {
  warmupMs: number;
  measureMs: number;
  inflight: number;
}

export interface ServerStats {
  wallMs: number;
  cpuMs: number;
  eventLoopUtilization: number;
  mainThreadCpuMs: number;
  mainThreadRunqueueMs: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface LoadRun {
  target: string;
  rep: number;
  reqPerSec: number;
  /** 200s completed inside the window. */
  ok: number;
  non200: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server CPU (main thread + pool) per token, and its event loop, over the same window. */
  serverCpuMsPerToken: number;
  /** Of which the main thread (everything but the signature). */
  serverMainThreadCpuMsPerToken: number;
  /** The load generator's CPU per token: on 2 cores it competes with the server for them. */
  clientCpuMsPerToken: number;
  server: ServerStats;
}

/** A keep-alive pool with one connection per request in flight. */
export function tokenPool(url: string, inflight: number): Pool {
  return new Pool(url, { connections: inflight, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
}

/** One request; returns the status and body (for a sanity check of the first answer). */
export async function postToken(pool: Pool, path: string): Promise<{ status: number; text: string }> {
  const res = await pool.request({ path, method: 'POST', headers: TOKEN_HEADERS, body: TOKEN_BODY });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Fails loudly if the server does not answer a token request with a signed JWT. */
export async function checkTokenAnswer(pool: Pool, path: string, target: string): Promise<void> {
  const { status, text } = await postToken(pool, path);
  const token = status === 200 ? (JSON.parse(text) as { access_token?: unknown }).access_token : undefined;
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error(`${target}: POST ${path} answered ${status}: ${text.slice(0, 500)}`);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'RS256') throw new Error(`${target}: token alg is ${header.alg}, not RS256`);
}

export async function measureTokens(target: string, rep: number, pool: Pool, path: string, server: ControlledChild, options: LoadOptions): Promise<LoadRun> {
  const t0 = performance.now();
  const start = t0 + options.warmupMs;
  const end = start + options.measureMs;
  let ok = 0;
  let non200 = 0;
  let errors = 0;
  let firstError: unknown;
  const latencies: number[] = [];
  // The server's counters are reset and read at the edges of the window.
  const at = (delayMs: number, cmd: string) => {
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => setTimeout(() => server.request({ cmd }).then(resolve, reject), delayMs));
    reply.catch(() => undefined); // reported where awaited
    return reply;
  };
  const reset = at(options.warmupMs, 'reset');
  const stats = at(options.warmupMs + options.measureMs, 'stats');
  // The load generator's own CPU over the same window (it shares the machine's cores).
  let clientCpuStart: NodeJS.CpuUsage | undefined;
  let clientCpu: NodeJS.CpuUsage | undefined;
  const cpuStartTimer = setTimeout(() => (clientCpuStart = process.cpuUsage()), options.warmupMs);
  const cpuEndTimer = setTimeout(() => (clientCpu = process.cpuUsage(clientCpuStart)), options.warmupMs + options.measureMs);

  const worker = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      let status = 0;
      try {
        const res = await pool.request({ path, method: 'POST', headers: TOKEN_HEADERS, body: TOKEN_BODY });
        status = res.statusCode;
        await res.body.text();
      } catch (err) {
        firstError ??= err;
      }
      const done = performance.now();
      if (done < start || done > end) continue;
      if (status === 200) {
        ok++;
        if (sent >= start) latencies.push(done - sent);
      } else if (status === 0) errors++;
      else non200++;
    }
  };
  await Promise.all(Array.from({ length: options.inflight }, worker));
  await reset;
  const serverStats = (await stats) as unknown as ServerStats;
  clearTimeout(cpuStartTimer);
  clearTimeout(cpuEndTimer);
  const clientCpuMs = clientCpu ? (clientCpu.user + clientCpu.system) / 1000 : Number.NaN;
  if (errors && firstError) console.error(`  ${target} rep ${rep}: ${errors} failed requests, first: ${(firstError as Error).message}`);
  return {
    target,
    rep,
    reqPerSec: ok / (options.measureMs / 1000),
    ok,
    non200,
    errors,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    serverCpuMsPerToken: serverStats.cpuMs / Math.max(1, ok * (serverStats.wallMs / options.measureMs)),
    serverMainThreadCpuMsPerToken: serverStats.mainThreadCpuMs / Math.max(1, ok * (serverStats.wallMs / options.measureMs)),
    clientCpuMsPerToken: clientCpuMs / Math.max(1, ok),
    server: serverStats,
  };
}
