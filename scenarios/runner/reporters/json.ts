/**
 * The JSON report: the scenario results as the runner produced them, masked ({@link maskStep}),
 * without the `secrets` field, keys in the order of the types in ../types.ts.
 */
import { maskSecrets, maskStep, secretsIn } from '../secrets.js';
import type { Difference, Observation, ScenarioResult, StepResult } from '../types.js';

function observation(o: Observation): Observation {
  return { status: o.status, headers: o.headers, body: o.body, accessToken: o.accessToken, idToken: o.idToken };
}

function difference(d: Difference): Difference {
  const out: Difference = { path: d.path, kind: d.kind };
  if ('recorded' in d) out.recorded = d.recorded;
  if ('actual' in d) out.actual = d.actual;
  return out;
}

function step(s: StepResult): StepResult {
  return {
    id: s.id,
    title: s.title,
    kind: s.kind,
    marker: s.marker,
    outcome: s.outcome,
    durationMs: s.durationMs,
    action: s.action,
    failures: s.failures,
    skippedReason: s.skippedReason,
    gatewayReason: s.gatewayReason,
    observation: s.observation && observation(s.observation),
    parity: s.parity && { differences: s.parity.differences.map(difference), ignored: s.parity.ignored },
  };
}

/**
 * Pretty JSON (two-space indent, trailing newline) of the results: an array of
 * {@link ScenarioResult} without `secrets`, every step masked, fields absent when undefined.
 */
export function jsonReport(results: readonly ScenarioResult[]): string {
  const report = results.map((r) => {
    const secrets = [...r.secrets, ...secretsIn(r.steps)];
    const mask = (value: string): string => maskSecrets(value, secrets);
    return {
      name: mask(r.name),
      file: mask(r.file),
      title: r.title === undefined ? undefined : mask(r.title),
      target: r.target,
      outcome: r.outcome,
      durationMs: r.durationMs,
      steps: r.steps.map((s) => step(maskStep(s, secrets))),
      recording: r.recording && { file: mask(r.recording.file), action: r.recording.action },
    };
  });
  return `${JSON.stringify(report, null, 2)}\n`;
}
