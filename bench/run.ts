/**
 * `npm run bench`: side by side in one run on one machine, reported as medians and ratios (never
 * absolute gates: the figures depend on the box). Writes bench/results/latest.json; exits 0
 * whatever the verdicts.
 *
 * - IAM: our mock IAM against oauth2-mock-server and the raw node:crypto RS256 ceiling.
 * - Gateway (gateway-bench.ts): the echo backend direct, a bare http-proxy, and our gateway without
 *   authentication, with JWT and one token, with JWT and a new token per request (autocannon);
 *   then a soak at half load, and the rate limiter's accuracy far above its limit.
 *
 * Options: `npm run bench -- [--only iam|gateway] [--reps 3] [--skip-cold] [--cpu-prof DIR]`
 *   IAM:     `[--warmup-ms 1000] [--measure-ms 4000] [--inflight 16]`
 *   gateway: `[--gateway-warmup-ms 500] [--gateway-measure-ms 2500] [--connections 16]
 *            [--unique-tokens 20000] [--soak-seconds 20] [--half-load paced|autocannon]
 *            [--half-load-reps 9] [--half-load-ms 1500] [--half-soak-seconds 60]
 *            [--rate-limit-rps 100] [--rate-limit-seconds 5]`
 *   `--soak-seconds`: the memory run of case (e) at peak load; `--half-soak-seconds`: the soak of
 *   case (e) at half its peak (RSS, error rate); `--rate-limit-*`: the rate limiter's accuracy run.
 * `--cpu-prof DIR` writes V8 CPU profiles of our server children (the IAM, the gateway),
 * `node --cpu-prof`, into DIR; open them in Chrome DevTools or speedscope.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ControlledChild, killAllChildren, PROJECT_ROOT } from './children.js';
import { ColdStartWorkspace, coldStartOurs, coldStartPeer, type ColdRun, type ColdTarget } from './cold-start.js';
import { measureCeiling, startSigner, type CeilingRun } from './signing-ceiling.js';
import { gatewayPhase, type GatewayBenchOptions, type GatewayBenchResults, type Goal } from './gateway-bench.js';
import { fmt, median, ratio, table } from './stats.js';
import { checkTokenAnswer, measureTokens, tokenPool, type LoadOptions, type LoadRun } from './token-throughput.js';

const { values: options } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'warmup-ms': { type: 'string', default: '1000' },
    'measure-ms': { type: 'string', default: '4000' },
    inflight: { type: 'string', default: '16' },
    'skip-cold': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    'gateway-warmup-ms': { type: 'string', default: '500' },
    'gateway-measure-ms': { type: 'string', default: '2500' },
    connections: { type: 'string', default: '16' },
    'unique-tokens': { type: 'string', default: '20000' },
    'soak-seconds': { type: 'string', default: '20' },
    'half-load': { type: 'string', default: 'paced' },
    'half-load-reps': { type: 'string', default: '9' },
    'half-load-ms': { type: 'string', default: '1500' },
    'half-soak-seconds': { type: 'string', default: '60' },
    'rate-limit-rps': { type: 'string', default: '100' },
    'rate-limit-seconds': { type: 'string', default: '5' },
  },
});
const choice = <T extends string>(name: keyof typeof options, allowed: readonly T[]): T | undefined => {
  const value = options[name];
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    process.stderr.write(`--${name} must be one of ${allowed.join(', ')} (got "${String(value)}")\n`);
    process.exit(2);
  }
  return value as T;
};
const positive = (name: keyof typeof options): number => {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive whole number (got "${String(options[name])}")\n`);
    process.exit(2);
  }
  return value;
};
const REPS = positive('reps');
const LOAD: LoadOptions = { warmupMs: positive('warmup-ms'), measureMs: positive('measure-ms'), inflight: positive('inflight') };
const GOALS = { throughputRatio: 1.5, ceilingShare: 0.8, coldStartMs: 1_000 };
const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'latest.json');
const CPU_PROF_DIR = options['cpu-prof'] ? resolve(options['cpu-prof']) : undefined;
const ONLY = choice('only', ['iam', 'gateway'] as const);
const GATEWAY: GatewayBenchOptions = {
  reps: REPS,
  warmupMs: positive('gateway-warmup-ms'),
  measureMs: positive('gateway-measure-ms'),
  connections: positive('connections'),
  uniqueTokens: positive('unique-tokens'),
  soakSeconds: positive('soak-seconds'),
  halfLoad: choice('half-load', ['paced', 'autocannon'] as const) ?? 'paced',
  halfLoadReps: positive('half-load-reps'),
  halfLoadMs: positive('half-load-ms'),
  halfSoakSeconds: positive('half-soak-seconds'),
  rateLimitRps: positive('rate-limit-rps'),
  rateLimitSeconds: positive('rate-limit-seconds'),
  cpuProfDir: CPU_PROF_DIR,
};

const log = (line = '') => process.stdout.write(`${line}\n`);
/** Rotates the order of the measured things per repetition, so drift in the box hits all alike. */
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length]!);

async function throughputPhase(): Promise<{ runs: LoadRun[]; ceiling: CeilingRun[] }> {
  const [ours, peer, signer] = await Promise.all([
    ControlledChild.start('ours', 'bench/servers/ours.ts', {}, CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF_DIR] : []),
    ControlledChild.start('peer', 'bench/servers/peer.ts'),
    startSigner(),
  ]);
  const servers = {
    ours: { child: ours.child, pool: tokenPool(String(ours.ready.url), LOAD.inflight), path: '/oauth2/v1/token' },
    peer: { child: peer.child, pool: tokenPool(String(peer.ready.url), LOAD.inflight), path: '/token' },
  };
  try {
    await checkTokenAnswer(servers.ours.pool, servers.ours.path, 'ours');
    await checkTokenAnswer(servers.peer.pool, servers.peer.path, 'peer');
    const runs: LoadRun[] = [];
    const ceiling: CeilingRun[] = [];
    for (let rep = 1; rep <= REPS; rep++) {
      for (const what of rotate(['ours', 'peer', 'ceiling'] as const, rep - 1)) {
        if (what === 'ceiling') {
          const run = await measureCeiling(signer, rep, LOAD);
          ceiling.push(run);
          log(`  rep ${rep}  node:crypto sign  ${fmt(run.signaturesPerSec).padStart(6)} signatures/s`);
        } else {
          const { child, pool, path } = servers[what];
          const run = await measureTokens(what, rep, pool, path, child, LOAD);
          runs.push(run);
          const problems = run.non200 || run.errors ? `  (non-200: ${run.non200}, errors: ${run.errors})` : '';
          log(`  rep ${rep}  ${what.padEnd(16)} ${fmt(run.reqPerSec).padStart(6)} tokens/s  p50 ${fmt(run.latencyP50Ms, 1)} ms${problems}`);
        }
      }
    }
    return { runs, ceiling };
  } finally {
    await Promise.all([servers.ours.pool.close(), servers.peer.pool.close()]);
    await Promise.all([ours.child.stop(CPU_PROF_DIR ? 15_000 : 2_000), peer.child.stop(), signer.stop()]);
    if (CPU_PROF_DIR) log(`  CPU profile of our server written to ${CPU_PROF_DIR}`);
  }
}

async function coldStartPhase(): Promise<{ runs: Array<ColdRun | { target: ColdTarget; rep: number; error: string }> }> {
  const workspace = new ColdStartWorkspace();
  const runs: Array<ColdRun | { target: ColdTarget; rep: number; error: string }> = [];
  try {
    // A discarded first start: writes the key file the "existing key" runs load, and warms tsx's cache.
    const existing = workspace.keyFile('existing-keys.json');
    await coldStartOurs(workspace, 'ours-existing-key', 0, existing);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const target of rotate(['ours-fresh-key', 'ours-existing-key', 'peer'] as const, rep - 1)) {
        try {
          const run =
            target === 'peer'
              ? await coldStartPeer(rep)
              : await coldStartOurs(workspace, target, rep, target === 'ours-fresh-key' ? workspace.keyFile(`fresh-${rep}.json`) : existing);
          runs.push(run);
          log(`  rep ${rep}  ${target.padEnd(18)} ${fmt(run.firstTokenMs).padStart(5)} ms to first token`);
        } catch (err) {
          runs.push({ target, rep, error: (err as Error).message });
          log(`  rep ${rep}  ${target.padEnd(18)} FAILED: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
    return { runs };
  } finally {
    workspace.cleanup();
  }
}

function medianOf<T>(items: readonly T[], pick: (item: T) => number): number {
  return median(items.map(pick).filter((v) => Number.isFinite(v)));
}

interface IamBenchResults {
  sections: Record<string, unknown>;
  goals: Goal[];
  /** Lines printed after the goals. */
  info: string[];
}

async function iamBench(): Promise<IamBenchResults> {
  log(`Token throughput: POST client_credentials (usecase1_client, HTTP Basic, scope ${'anwendung1AnwendungReadA'}), undici Pool keep-alive,`);
  log(`  ${LOAD.inflight} in flight, ${LOAD.warmupMs} ms warm-up + ${LOAD.measureMs} ms measured, ${REPS} reps; each server in its own process`);

  const { runs, ceiling } = await throughputPhase();
  const skipCold = options['skip-cold'];
  if (!skipCold) log('\nCold start (spawn to first 200 from the token endpoint):');
  const cold = skipCold ? { runs: [] } : await coldStartPhase();

  const oursRuns = runs.filter((r) => r.target === 'ours');
  const peerRuns = runs.filter((r) => r.target === 'peer');
  const oursRate = medianOf(oursRuns, (r) => r.reqPerSec);
  const peerRate = medianOf(peerRuns, (r) => r.reqPerSec);
  const ceilingRate = medianOf(ceiling, (r) => r.signaturesPerSec);
  const coldOk = cold.runs.filter((r): r is ColdRun => 'firstTokenMs' in r);
  const coldMedian = (t: ColdTarget) => medianOf(coldOk.filter((r) => r.target === t), (r) => r.firstTokenMs);
  const coldFresh = coldMedian('ours-fresh-key');
  const coldExisting = coldMedian('ours-existing-key');
  const coldPeer = coldMedian('peer');

  log('\n== Throughput per repetition (tokens/s; signatures/s for node:crypto) ==');
  log(
    table(
      ['rep', 'ours', 'oauth2-mock-server', 'node:crypto sign', 'ours/peer', 'ours/ceiling'],
      [
        ...Array.from({ length: REPS }, (_, i) => {
          const o = oursRuns[i]?.reqPerSec ?? Number.NaN;
          const p = peerRuns[i]?.reqPerSec ?? Number.NaN;
          const c = ceiling[i]?.signaturesPerSec ?? Number.NaN;
          return [`${i + 1}`, fmt(o), fmt(p), fmt(c), `${fmt(ratio(o, p), 2)}x`, `${fmt(100 * ratio(o, c))}%`];
        }),
        ['median', fmt(oursRate), fmt(peerRate), fmt(ceilingRate), `${fmt(ratio(oursRate, peerRate), 2)}x`, `${fmt(100 * ratio(oursRate, ceilingRate))}%`],
      ],
    ),
  );

  log('\n== Where the CPU goes, medians over the measured windows (ms of CPU per token) ==');
  const signCpu = medianOf(ceiling, (r) => r.cpuMsPerSignature);
  const cpuOf = (rs: LoadRun[]) => ({
    server: medianOf(rs, (r) => r.serverCpuMsPerToken),
    main: medianOf(rs, (r) => r.serverMainThreadCpuMsPerToken),
    client: medianOf(rs, (r) => r.clientCpuMsPerToken),
  });
  const oursCpu = cpuOf(oursRuns);
  const diag = (name: string, rs: LoadRun[]) => {
    const cpu = cpuOf(rs);
    return [
      name,
      fmt(medianOf(rs, (r) => r.reqPerSec)),
      fmt(medianOf(rs, (r) => r.latencyP50Ms), 1),
      fmt(medianOf(rs, (r) => r.latencyP99Ms), 1),
      fmt(cpu.server, 3),
      fmt(cpu.main, 3),
      fmt(cpu.client, 3),
      `${fmt(100 * medianOf(rs, (r) => r.server.eventLoopUtilization))}%`,
      fmt(medianOf(rs, (r) => r.server.mainThreadRunqueueMs / r.ok) * 1000, 0),
      String(rs.reduce((n, r) => n + r.non200 + r.errors, 0)),
    ];
  };
  log(
    table(
      ['server', 'tokens/s', 'p50 ms', 'p99 ms', 'server CPU', 'main thread', 'client CPU', 'loop busy', 'main waits µs', 'failures'],
      [diag('ours', oursRuns), diag('oauth2-mock-server', peerRuns), ['node:crypto sign (ceiling)', fmt(ceilingRate), '', '', fmt(signCpu, 3), '', '', '', '', '']],
    ),
  );
  log('  server CPU: the whole server process (main thread + libuv pool, where RS256 runs); main thread: that thread');
  log('  alone (Linux schedstat); client CPU: the load generator, which shares the cores; main waits: time per token the');
  log('  main thread was runnable but had no core.');
  // On a box whose cores are saturated, tokens/s ~ cores / (CPU per token), so the ceiling share is a CPU ratio.
  const cpuShareServer = ratio(signCpu, oursCpu.server);
  const cpuShareAll = ratio(signCpu, oursCpu.server + oursCpu.client);
  log(
    `  ours spends ${fmt(oursCpu.server - signCpu, 3)} ms/token beyond the signature (${fmt(signCpu, 3)}); with the client's ${fmt(oursCpu.client, 3)} the box can give at most ~${fmt(100 * cpuShareAll)}% of the ceiling.`,
  );

  if (!skipCold) {
    log('\n== Cold start, spawn to first 200 token (ms) ==');
    const coldRow = (label: string, t: ColdTarget) => {
      const rs = cold.runs.filter((r) => r.target === t);
      const m = coldMedian(t);
      return [label, ...rs.map((r) => ('firstTokenMs' in r ? fmt(r.firstTokenMs) : 'failed')), fmt(m), `${fmt(ratio(m, coldPeer), 2)}x`];
    };
    log(
      table(
        ['target', ...Array.from({ length: REPS }, (_, i) => `rep ${i + 1}`), 'median', 'vs peer'],
        [
          coldRow('ours, generated key (no key file)', 'ours-fresh-key'),
          coldRow('ours, existing key file', 'ours-existing-key'),
          coldRow('oauth2-mock-server (generated key)', 'peer'),
        ],
      ),
    );
    log('  ours: node --import tsx bin/start.ts --config <tmp>; peer: node --import tsx bench/servers/peer.ts (npx adds its own start-up).');
  }

  const goals: Goal[] = [
    {
      id: 'G1',
      description: 'token throughput ours / oauth2-mock-server',
      value: ratio(oursRate, peerRate),
      display: `${fmt(ratio(oursRate, peerRate), 2)}x (${fmt(oursRate)} vs ${fmt(peerRate)} tokens/s)`,
      target: `>= ${GOALS.throughputRatio}x`,
      pass: ratio(oursRate, peerRate) >= GOALS.throughputRatio,
    },
    {
      id: 'G2',
      description: 'our token rate / raw node:crypto RS256 signing ceiling',
      value: ratio(oursRate, ceilingRate),
      display: `${fmt(100 * ratio(oursRate, ceilingRate))}% (${fmt(oursRate)} of ${fmt(ceilingRate)}/s)`,
      target: `>= ${GOALS.ceilingShare * 100}%`,
      pass: ratio(oursRate, ceilingRate) >= GOALS.ceilingShare,
    },
  ];
  if (!skipCold) {
    goals.push(
      { id: 'G3a', description: 'cold start to first token, generated key', value: coldFresh, display: `${fmt(coldFresh)} ms`, target: `< ${GOALS.coldStartMs} ms`, pass: coldFresh < GOALS.coldStartMs },
      { id: 'G3b', description: 'cold start to first token, existing key file', value: coldExisting, display: `${fmt(coldExisting)} ms`, target: `< ${GOALS.coldStartMs} ms`, pass: coldExisting < GOALS.coldStartMs },
    );
  }
  const info = [`  info  G2   CPU-normalised: signature CPU / our server CPU per token = ${fmt(100 * cpuShareServer)}%; incl. the in-box load generator = ${fmt(100 * cpuShareAll)}%`];
  if (!skipCold) info.push(`  info  G3   peer cold start ${fmt(coldPeer)} ms; ours/peer: generated key ${fmt(ratio(coldFresh, coldPeer), 2)}x, existing key ${fmt(ratio(coldExisting, coldPeer), 2)}x`);
  return {
    sections: {
      throughput: { medians: { oursTokensPerSec: oursRate, peerTokensPerSec: peerRate, ceilingSignaturesPerSec: ceilingRate }, runs },
      signingCeiling: { median: ceilingRate, cpuMsPerSignature: signCpu, runs: ceiling },
      cpuPerToken: { ours: oursCpu, peer: cpuOf(peerRuns), signature: signCpu, ceilingShareByCpu: { serverOnly: cpuShareServer, withClient: cpuShareAll } },
      coldStart: skipCold ? null : { medians: { oursFreshKeyMs: coldFresh, oursExistingKeyMs: coldExisting, peerMs: coldPeer }, runs: cold.runs },
    },
    goals,
    info,
  };
}

async function main(): Promise<void> {
  const began = performance.now();
  const cpu = cpus();
  const machine = { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtStart: loadavg() };
  log(`oci-auth-harness bench: ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`);

  const iam = ONLY === 'gateway' ? undefined : await iamBench();
  let gateway: GatewayBenchResults | undefined;
  if (ONLY !== 'iam') {
    if (iam) log('');
    log('Gateway: GET through (a) the echo backend alone, (b) http-proxy, (c)-(e) our gateway; each server in its own process');
    gateway = await gatewayPhase(GATEWAY, log);
  }

  const goals = [...(iam?.goals ?? []), ...(gateway?.goals ?? [])];
  log('\n== Goals (figures, not gates) ==');
  for (const g of goals) log(`  ${g.pass ? 'PASS' : 'MISS'}  ${g.id.padEnd(4)}  ${g.description}: ${g.display}, goal ${g.target}`);
  for (const line of iam?.info ?? []) log(line);

  const results = {
    generatedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - began),
    machine: { ...machine, loadavgAtEnd: loadavg() },
    options: { reps: REPS, only: ONLY ?? 'all', ...LOAD, gateway: GATEWAY },
    ...(iam?.sections ?? { throughput: null, signingCeiling: null, cpuPerToken: null, coldStart: null }),
    gateway: gateway ?? null,
    goals,
  };
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nWrote ${RESULTS_FILE} (${(results.durationMs / 1000).toFixed(1)} s)`);
}

main().then(
  () => {
    killAllChildren();
    process.exit(0);
  },
  (err) => {
    console.error(err);
    killAllChildren();
    process.exit(1);
  },
);
