/**
 * Runs one scenario against one target: each step in order (interpolate, execute, check the
 * expectation, capture), then the clean-up of what the steps created, then the parity work: write
 * the recording (`record`, against OCI) or compare with it (against the emulator).
 *
 * The first step that fails stops the scenario (later steps would only fail for its sake); the
 * clean-up still runs.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { diffObservation } from './diff.js';
import { checkExpectation } from './expectations.js';
import { interpolate, UndefinedVariableError } from './interpolate.js';
import { normaliseObservations } from './normalise.js';
import { readRecording, recordingFileFor, writeRecording } from './recording.js';
import type { Scenario, ScenarioStep } from './scenario-file.js';
import { parseCapturePath, readPath } from './capture.js';
import { runDeployStep } from './steps/deploy-step.js';
import { runIamStep } from './steps/iam-step.js';
import { runRequestStep } from './steps/request-step.js';
import type { StepContext, StepOutput } from './steps/step-context.js';
import { basicCredentials, runTokenStep } from './steps/token-step.js';
import type { Target } from './targets/target.js';
import type { Observation, Recording, ScenarioResult, StepResult } from './types.js';

export interface RunOptions {
  /** Write the recording from this run (meant for the `oci` target). */
  record?: boolean;
  /** Compare with the recording when one exists (default: true unless recording). */
  compare?: boolean;
  /** Where recordings live; default: beside the scenario file. */
  recordingsDir?: string | undefined;
  /** The run's `${suffix}`; default: 6 random lower-case letters and digits. */
  suffix?: string;
  /** Called as each step finishes (the progress line). */
  onStep?: (result: StepResult, secrets: readonly string[]) => void;
}

/** Headers a recording always keeps when present: the ones OCI and IDCS answer with meaning. */
const RECORDED_HEADERS = [
  'content-type',
  'www-authenticate',
  'retry-after',
  'location',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-max-age',
];

function newSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // A letter first: the suffix may end up in names that must not start with a digit.
  return [...randomBytes(6)].map((b, i) => (i === 0 ? alphabet[b % 26] : alphabet[b % 36])).join('');
}

/** What of an observation goes into a recording: the chosen headers only (no dates, lengths, connection details). */
export function recordedObservation(step: ScenarioStep, observation: Observation): Observation {
  const keep = new Set([...RECORDED_HEADERS, ...Object.keys(step.expect?.headers ?? {}).map((h) => h.toLowerCase()), ...(step.record?.headers ?? []).map((h) => h.toLowerCase())]);
  const headers = Object.fromEntries(Object.entries(observation.headers ?? {}).filter(([name]) => keep.has(name)));
  const out: Observation = {};
  if (observation.status !== undefined) out.status = observation.status;
  if (Object.keys(headers).length) out.headers = headers;
  if (observation.body !== undefined) out.body = observation.body;
  if (observation.accessToken) out.accessToken = observation.accessToken;
  if (observation.idToken) out.idToken = observation.idToken;
  return out;
}

export async function runScenario(scenario: Scenario, target: Target, options: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const suffix = options.suffix ?? newSuffix();
  const secrets = new Set<string>([target.adminClient.secret]);
  const addSecret = (value: string | undefined) => {
    if (value && value.length >= 4) secrets.add(value);
  };
  const vars = new Map<string, unknown>([
    ['suffix', suffix],
    ['target', target.kind],
    ['iam.url', target.iamUrl],
    ['iam.jwksUrl', `${target.iamUrl}/admin/v1/SigningCert/jwk`],
    ['gateway.url', target.gatewayUrl],
  ]);
  for (const [name, value] of Object.entries(scenario.vars)) vars.set(name, interpolate(value, vars));

  let adminToken: Promise<string> | undefined;
  const ctx: StepContext = {
    target,
    scenarioDir: dirname(scenario.file),
    addSecret,
    adminToken: (renew = false) => {
      if (renew) adminToken = undefined;
      return (adminToken ??= (async () => {
        const response = await fetch(`${target.iamUrl}/oauth2/v1/token`, {
          method: 'POST',
          headers: { authorization: basicCredentials(target.adminClient.id, target.adminClient.secret), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'urn:opc:idm:__myscopes__' }).toString(),
        });
        const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
        if (!response.ok || !body.access_token) {
          throw new Error(`the admin client ${target.adminClient.id} got no token (${response.status} ${body.error ?? ''} ${body.error_description ?? ''}); admin steps need a client with the Identity Domain Administrator app role`);
        }
        addSecret(body.access_token);
        return body.access_token;
      })());
    },
  };

  const results: StepResult[] = [];
  const observations = new Map<string, Observation>();
  const cleanups: Array<NonNullable<StepOutput['cleanup']>> = [];
  let stoppedBy: string | undefined;

  for (const step of scenario.steps) {
    const stepStarted = performance.now();
    const base = { id: step.id, ...(step.title ? { title: step.title } : {}), kind: step.kind, marker: step.marker };
    const finish = (result: StepResult) => {
      results.push(result);
      options.onStep?.(result, [...secrets]);
    };
    if (target.kind === 'oci' && step.marker === 'local-only') {
      finish({ ...base, outcome: 'skipped', durationMs: 0, action: step.kind, failures: [], skippedReason: `local-only${step.note ? `: ${step.note}` : ''}` });
      continue;
    }
    if (stoppedBy) {
      finish({ ...base, outcome: 'skipped', durationMs: 0, action: step.kind, failures: [], skippedReason: `an earlier step failed (${stoppedBy})` });
      continue;
    }
    let output: StepOutput;
    let failures: string[] = [];
    try {
      output = await execute(step, ctx, vars);
      const expect = step.expect ? interpolate(step.expect, vars) : undefined;
      failures = checkExpectation(expect, output.observation);
      for (const [name, path] of Object.entries(step.capture ?? {})) {
        const parsed = parseCapturePath(path);
        if (!parsed.ok) throw new Error(`capture.${name}: ${parsed.reason}`);
        const read = readPath(output.observation, parsed);
        if (!read.found) failures.push(`capture.${name}: the answer has no ${path}`);
        else {
          vars.set(name, read.value);
          if (/secret|password|token/i.test(name) && typeof read.value === 'string') addSecret(read.value);
        }
      }
    } catch (err) {
      const message = err instanceof UndefinedVariableError ? err.message : `${(err as Error).message ?? String(err)}`;
      finish({ ...base, outcome: 'error', durationMs: performance.now() - stepStarted, action: step.kind, failures: [message] });
      stoppedBy = step.id;
      continue;
    }
    if (output.cleanup) cleanups.push(output.cleanup);
    observations.set(step.id, output.observation);
    const result: StepResult = {
      ...base,
      outcome: failures.length ? 'failed' : 'passed',
      durationMs: performance.now() - stepStarted,
      action: output.action,
      failures,
      observation: output.observation,
      ...(output.gatewayReason ? { gatewayReason: output.gatewayReason } : {}),
    };
    if (failures.length) stoppedBy = step.id;
    // Parity is settled after the run (it needs every observation); the progress line comes now.
    finish(result);
  }

  const cleanupProblems: string[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup.run();
    } catch (err) {
      cleanupProblems.push(`${cleanup.description}: ${(err as Error).message}`);
    }
  }

  const result: ScenarioResult = {
    name: scenario.name,
    file: scenario.file,
    ...(scenario.title ? { title: scenario.title } : {}),
    target: target.kind,
    outcome: 'passed',
    durationMs: 0,
    steps: results,
    secrets: [],
    ...(cleanupProblems.length ? { cleanupProblems } : {}),
  };
  const recordingFile = recordingFileFor(scenario.file, options.recordingsDir);
  const compared = scenario.steps.filter((s) => s.marker !== 'local-only' && observations.has(s.id));
  const normalised = () =>
    normaliseObservations(
      compared.map((s) => ({ id: s.id, observation: recordedObservation(s, observations.get(s.id)!) })),
      { replacements: replacementsFor(target, suffix) },
    );

  const failedSoFar = results.some((r) => r.outcome === 'failed' || r.outcome === 'error');
  if (options.record && failedSoFar) {
    result.recording = { file: recordingFile, action: 'not-written' };
  } else if (options.record) {
    const recording: Recording = { scenario: scenario.name, recordedAt: new Date().toISOString(), recordedAgainst: target.description, steps: Object.fromEntries(normalised().map((s) => [s.id, s.observation])) };
    writeRecording(recordingFile, recording);
    result.recording = { file: recordingFile, action: 'written' };
  } else if (options.compare !== false) {
    const recording = readRecording(recordingFile);
    result.recording = { file: recordingFile, action: recording ? 'compared' : 'absent' };
    const byId = new Map(results.map((r) => [r.id, r]));
    if (recording) {
      for (const { id, observation } of normalised()) {
        const step = scenario.steps.find((s) => s.id === id)!;
        const stepResult = byId.get(id)!;
        const recorded = recording.steps[id];
        if (!recorded) {
          if (step.marker === 'oci-validated') fail(stepResult, `marked oci-validated, but ${recordingFile} has no observation for this step`);
          continue;
        }
        stepResult.parity = diffObservation(recorded, observation, step.ignore ?? []);
        if (stepResult.parity.differences.length && step.marker !== 'needs-fixing') {
          fail(stepResult, `differs from the recording (${recording.recordedAgainst}, ${recording.recordedAt}) in ${stepResult.parity.differences.length} place(s)`);
        }
      }
    } else {
      for (const step of scenario.steps.filter((s) => s.marker === 'oci-validated' || s.marker === 'needs-fixing')) {
        const stepResult = byId.get(step.id);
        if (stepResult) fail(stepResult, `marked ${step.marker}, but there is no recording (${recordingFile})`);
      }
    }
  }
  result.outcome = results.some((r) => r.outcome === 'failed' || r.outcome === 'error') || cleanupProblems.length ? 'failed' : 'passed';
  result.durationMs = performance.now() - started;
  result.secrets = [...secrets];
  return result;
}

function fail(step: StepResult, message: string): void {
  step.failures.push(message);
  if (step.outcome === 'passed') step.outcome = 'failed';
}

/** The target's own addresses and the run's suffix, which differ between runs and targets by nature. */
function replacementsFor(target: Target, suffix: string): Array<{ value: string; placeholder: string }> {
  const host = (u: string) => new URL(u).host;
  return [
    { value: target.iamUrl, placeholder: '<iam-url>' },
    { value: target.gatewayUrl, placeholder: '<gateway-url>' },
    { value: host(target.iamUrl), placeholder: '<iam-host>' },
    { value: host(target.gatewayUrl), placeholder: '<gateway-host>' },
    { value: suffix, placeholder: '<suffix>' },
  ];
}

async function execute(step: ScenarioStep, ctx: StepContext, vars: ReadonlyMap<string, unknown>): Promise<StepOutput> {
  switch (step.kind) {
    case 'iam':
      return runIamStep(interpolate(step.iam, vars), ctx);
    case 'token':
      return runTokenStep(interpolate(step.token, vars), ctx);
    case 'request':
      return runRequestStep(interpolate(step.request, vars), ctx);
    case 'deploy':
      return runDeployStep(interpolate(step.deploy, vars), ctx, (value) => interpolate(value, vars));
    case 'clock': {
      if (!ctx.target.advanceClock) throw new Error(`the ${ctx.target.kind} target has no clock to move`);
      await ctx.target.advanceClock(step.clock.advanceSeconds);
      return { action: `clock +${step.clock.advanceSeconds} s`, observation: {} };
    }
  }
}
