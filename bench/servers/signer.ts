/**
 * The RS256 signing ceiling of node:crypto, in its own process like a server: asynchronous
 * `crypto.sign('sha256', …)` (libuv thread pool) with a cached 2048-bit KeyObject and a fixed
 * number of signatures in flight, counted over a window after a warm-up.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { emit, serveCommands } from './protocol.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
// About the size of one of our access tokens' signing input (header + claims, base64url).
const data = Buffer.from(randomBytes(720).toString('base64url'));

function signOnce(): Promise<void> {
  return new Promise((resolve, reject) => sign('sha256', data, privateKey, (err) => (err ? reject(err) : resolve())));
}

async function run(warmupMs: number, measureMs: number, inflight: number): Promise<Record<string, unknown>> {
  const start = performance.now() + warmupMs;
  const end = start + measureMs;
  let counted = 0;
  let cpuStart: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  const startTimer = setTimeout(() => (cpuStart = process.cpuUsage()), warmupMs);
  const endTimer = setTimeout(() => (cpu = process.cpuUsage(cpuStart)), warmupMs + measureMs);
  const worker = async () => {
    while (performance.now() < end) {
      await signOnce();
      const done = performance.now();
      if (done >= start && done <= end) counted++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  const cpuMs = cpu ? (cpu.user + cpu.system) / 1000 : Number.NaN;
  // CPU per signature: the process (main thread + libuv pool) over the window, per signature.
  return { signatures: counted, measureMs, perSecond: counted / (measureMs / 1000), cpuMsPerSignature: cpuMs / Math.max(1, counted) };
}

serveCommands(async (command) => {
  if (command.cmd !== 'run') return { error: `unknown command ${String(command.cmd)}` };
  return run(Number(command.warmupMs), Number(command.measureMs), Number(command.inflight));
});
emit({ ready: true, threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)' });
