/**
 * `explain` agrees with the live gateway: every shipped scenario runs against a local stack, a
 * recording proxy in front of the gateway's data plane keeps each request as it was sent (method,
 * path, query, headers, body) with the deployments in force at that moment (kept by wrapping the
 * target's deployment API) and the stack's instant; then tools/explain.ts decides each request
 * offline (the JWKS as a copy, the instant given) and must reach the live decision: the same
 * outcome, status, checks, and refusing check with the same expected and found values. One
 * refused request is also explained by the CLI as a child process, from files.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../common/config.js';
import type { DecisionLogEntry } from '../../gateway-emulator/decision-log.js';
import type { CheckResult } from '../../gateway-emulator/pipeline/types.js';
import { scenarioFiles } from '../../scenarios/runner/cli.js';
import { runScenario } from '../../scenarios/runner/run.js';
import { loadScenario } from '../../scenarios/runner/scenario-file.js';
import { SCENARIO_STACK_CONFIG, stackTarget } from '../../scenarios/runner/targets/local.js';
import type { DeploymentOutcome, Target } from '../../scenarios/runner/targets/target.js';
import type { Observation } from '../../scenarios/runner/types.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { explain, loadDeployment, verdictOf, type Explanation } from '../../tools/explain.js';
import { ROOT } from '../support/processes.js';

interface DeploymentInForce {
  id: string;
  pathPrefix: string;
  displayName?: string;
  specification: unknown;
}

interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: Buffer;
  atMs: number;
  deployments: DeploymentInForce[];
}

interface RequestCase {
  scenario: string;
  step: string;
  sent: SentRequest;
  observation: Observation;
  live: DecisionLogEntry;
}

let stack: RunningStack;
let proxy: Server;
let jwks: { keys: unknown[] };
const cases: RequestCase[] = [];
const scenarioOutcomes: Array<{ name: string; outcome: string; failures: string[] }> = [];
const dir = mkdtempSync(join(tmpdir(), 'explain-parity-'));

function distinctHeaders(headers: IncomingHttpHeaders, raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = [...(out[name] ?? []), raw[i + 1]!];
  }
  return Object.keys(out).length ? out : Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [String(v)]]));
}

/** A proxy in front of the data plane that keeps every request, the deployments in force and the instant. */
async function recordingProxy(gatewayUrl: string, inForce: Map<string, DeploymentInForce>, sent: SentRequest[]): Promise<Server> {
  const upstream = new URL(gatewayUrl);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      sent.push({
        method: req.method!,
        url: req.url!,
        headers: distinctHeaders(req.headers, req.rawHeaders),
        body,
        atMs: stack.clock.nowMs(),
        deployments: [...inForce.values()].map((d) => structuredClone(d)),
      });
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', (err) => {
        res.statusCode = 599;
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The target of the scenario runner, with the deployments it pushes remembered and its gateway behind the proxy. */
function recordingTarget(base: Target, proxyUrl: string, inForce: Map<string, DeploymentInForce>): Target {
  const remember = (outcome: DeploymentOutcome, displayName?: string) => {
    if (outcome.ok) {
      const { id, pathPrefix, specification } = outcome.view;
      inForce.set(id, { id, pathPrefix, specification, ...(displayName ? { displayName } : {}) });
    }
    return outcome;
  };
  return {
    ...base,
    gatewayUrl: proxyUrl,
    deployments: {
      create: async (request) => remember(await base.deployments.create(request), request.displayName),
      update: async (id, request) => remember(await base.deployments.update(id, request), request.displayName ?? inForce.get(id)?.displayName),
      delete: async (id) => {
        await base.deployments.delete(id);
        inForce.delete(id);
      },
    },
  };
}

beforeAll(async () => {
  stack = await startStack(loadStackConfig(SCENARIO_STACK_CONFIG, {}));
  // Frozen: the instant the proxy records is the instant the gateway decides at (clock steps still advance it).
  stack.clock.set(Date.now(), true);
  const inForce = new Map<string, DeploymentInForce>();
  const sent: SentRequest[] = [];
  proxy = await recordingProxy(stack.gateway.dataPlane.url, inForce, sent);
  const { port } = proxy.address() as { port: number };
  const target = recordingTarget(stackTarget(stack, 'local stack behind a recording proxy', async () => {}), `http://127.0.0.1:${port}`, inForce);

  for (const file of scenarioFiles('all')) {
    const scenario = loadScenario(file);
    const before = sent.length;
    const result = await runScenario(scenario, target, { compare: false });
    scenarioOutcomes.push({ name: basename(file), outcome: result.outcome, failures: result.steps.flatMap((s) => s.failures) });
    const requests = result.steps.filter((s) => s.kind === 'request' && s.observation);
    const mine = sent.slice(before);
    if (mine.length !== requests.length) throw new Error(`${scenario.name}: ${requests.length} request steps ran, the proxy saw ${mine.length} requests`);
    requests.forEach((step, i) => {
      const requestId = step.observation!.headers?.['opc-request-id'];
      const live = stack.gateway.log.recent().find((e) => e.requestId === requestId);
      if (!live) throw new Error(`${scenario.name} ${step.id}: no decision log entry for request id ${requestId}`);
      cases.push({ scenario: scenario.name, step: step.id, sent: mine[i]!, observation: step.observation!, live });
    });
  }
  jwks = (await (await fetch(`${stack.iam.context.baseUrl}/admin/v1/SigningCert/jwk`)).json()) as { keys: unknown[] };
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function explainCase(c: RequestCase): Promise<Explanation> {
  return explain({
    deployments: c.sent.deployments.map((d) => loadDeployment(d, { id: d.id })),
    request: { method: c.sent.method, path: c.sent.url, headers: c.sent.headers, body: c.sent.body, clientIp: '127.0.0.1' },
    jwks,
    at: c.sent.atMs,
  });
}

/** A check as both sides can state it: a signature the gateway took from its verified-token cache says so in `found`. */
function comparable(check: CheckResult): CheckResult {
  const found = check.found as { cached?: boolean } | undefined;
  if (check.check === 'authentication.signature' && found?.cached) {
    const { found: _cached, ...rest } = check;
    return rest;
  }
  return check;
}

describe('explain agrees with the live gateway on every shipped scenario', () => {
  it('every shipped scenario passed behind the recording proxy, and has request steps', () => {
    expect(scenarioOutcomes.length).toBeGreaterThanOrEqual(6);
    for (const s of scenarioOutcomes) expect(s, s.failures.join('\n')).toMatchObject({ outcome: 'passed' });
    for (const s of scenarioOutcomes) expect(cases.some((c) => `${c.scenario}.yaml` === s.name), `${s.name} has request steps`).toBe(true);
    // Both kinds of verdict are covered.
    expect(cases.some((c) => c.live.outcome === 'accepted')).toBe(true);
    expect(cases.some((c) => c.live.outcome === 'refused')).toBe(true);
  });

  it('for each request step: the same outcome, status, checks and refusing check', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) {
      const label = `${c.scenario} / ${c.step}: ${c.sent.method} ${c.sent.url}`;
      const { decision } = await explainCase(c);
      expect(decision.outcome, label).toBe(c.live.outcome);
      expect(decision.deploymentId, label).toBe(c.live.deploymentId);
      expect(decision.routePath, label).toBe(c.live.routePath);
      expect(decision.checks.map(comparable), label).toEqual(c.live.checks.map(comparable));
      if (decision.outcome === 'refused') {
        expect(verdictOf(decision), label).toBe('refused');
        expect(decision.answer.status, label).toBe(c.observation.status);
        expect(decision.answer.status, label).toBe(c.live.status);
        expect(decision.reason, label).toEqual(c.live.reason);
      } else if (decision.plan.kind === 'answer') {
        expect(decision.plan.answer.status, label).toBe(c.observation.status);
      } else {
        expect(c.observation.status, label).toBe(c.live.status);
      }
    }
  });

  it('the CLI, as a child process, explains the exact-match trap from files the way the gateway decided it', async () => {
    const trapped = cases.find((c) => c.scenario === 'negative-exact-match-trap' && c.step === 'call-trapped');
    expect(trapped, 'the trap scenario has its call-trapped step').toBeDefined();
    const c = trapped!;
    expect(c.live.reason).toMatchObject({ check: 'authentication.verifyClaims', expected: ['AnwendungReadA'], found: 'AnwendungReadA AnwendungWriteA' });
    const deploymentFile = join(dir, 'trap-deployment.json');
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(deploymentFile, JSON.stringify(c.sent.deployments.find((d) => c.sent.url.startsWith(`${d.pathPrefix}/`))));
    writeFileSync(jwksFile, JSON.stringify(jwks));
    const token = c.sent.headers.authorization![0]!.replace(/^Bearer /, '');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', 'explain', '--deployment', deploymentFile, '--path', c.sent.url, '--token', token, '--jwks', jwksFile, '--at', new Date(c.sent.atMs).toISOString()],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`REFUSED 401 Unauthorized by authentication.verifyClaims: JWT token does not have the expected claim value for 'scope'.`);
    expect(result.stdout).toContain('  expected ["AnwendungReadA"]\n  found    "AnwendungReadA AnwendungWriteA"');
    expect(result.stdout).toContain('exact-match trap');
    expect(result.stdout).toMatch(/✓ authentication\.signature +JWT token signature is valid\./);
    expect(result.stdout).toMatch(/✗ authentication\.verifyClaims +JWT token does not have the expected claim value for 'scope'\./);
  });
});
