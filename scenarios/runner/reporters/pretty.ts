/**
 * The terminal reporter: a heading per scenario, a line per step as it finishes, a summary at the
 * end. Everything shown is masked first ({@link maskStep}, {@link maskSecrets}); colour only on request.
 */
import { formatDifferences } from '../recording.js';
import { maskSecrets, maskStep, secretsIn } from '../secrets.js';
import type { Marker, ScenarioResult, StepOutcome, StepResult } from '../types.js';

export interface PrettyOptions {
  color: boolean;
  verbose?: boolean;
}

type Paint = 'green' | 'red' | 'yellow' | 'dim';
const ANSI: Record<Paint, string> = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m' };

function paint(text: string, colour: Paint, options: PrettyOptions): string {
  return options.color && text.length > 0 ? `${ANSI[colour]}${text}\x1b[0m` : text;
}

/** Control characters (an ESC from a response body) shown, not obeyed by the terminal. */
function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

const SYMBOL: Record<StepOutcome, { mark: string; colour: Paint }> = {
  passed: { mark: '✓', colour: 'green' },
  failed: { mark: '✗', colour: 'red' },
  skipped: { mark: '-', colour: 'yellow' },
  error: { mark: '!', colour: 'red' },
};

const MARKER_COLOUR: Record<Marker, Paint> = {
  'oci-validated': 'green',
  'needs-fixing': 'yellow',
  'local-only': 'dim',
  unverified: 'dim',
};

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * One line when a step finishes (the runner calls it as it goes): `  ✓ step-id  title  (12 ms)`;
 * failed `  ✗`, skipped `  -  ... skipped: reason`, error `  !`. Under a failed/error step: each
 * failure indented, then `gateway said: <gatewayReason>` if present, then parity differences.
 * With verbose: the masked observation as indented JSON. Marker shown as a tag when not
 * `unverified`, e.g. `[local-only]`.
 *
 * Parity differences are shown under any step that has some, not only a failed one: a
 * `needs-fixing` step passes with its difference shown. The gateway's reason is shown under a
 * passed step too when verbose. The title falls back to the step's action. No trailing newline.
 */
export function formatStepLine(step: StepResult, secrets: readonly string[], options: PrettyOptions): string {
  const s = maskStep(step, secrets);
  const { mark, colour } = SYMBOL[s.outcome] ?? SYMBOL.error;
  const parts = [`  ${paint(mark, colour, options)} ${printable(s.id)}`];
  const title = s.title ?? s.action;
  if (title) parts.push(printable(title));
  if (s.marker !== 'unverified') parts.push(paint(`[${s.marker}]`, MARKER_COLOUR[s.marker] ?? 'dim', options));
  if (s.outcome === 'skipped') {
    parts.push(paint(s.skippedReason ? `skipped: ${printable(s.skippedReason)}` : 'skipped', 'yellow', options));
  } else {
    parts.push(paint(`(${duration(s.durationMs)})`, 'dim', options));
  }
  const lines = [parts.join('  ')];

  const broken = s.outcome === 'failed' || s.outcome === 'error';
  if (broken) {
    for (const failure of s.failures) lines.push(indent(paint(printable(failure), 'red', options), 4));
  }
  if (s.gatewayReason && (broken || options.verbose)) {
    lines.push(indent(`gateway said: ${printable(s.gatewayReason)}`, 4));
  }
  if (s.outcome !== 'skipped' && s.parity && s.parity.differences.length > 0) {
    // The step is masked already; masking the lines again covers anything the formatter adds.
    const all = [...secrets, ...secretsIn(step)];
    for (const line of formatDifferences(s.id, s.parity.differences)) {
      lines.push(indent(paint(printable(maskSecrets(line, all)), 'yellow', options), 4));
    }
  }
  if (options.verbose && s.observation !== undefined) {
    lines.push(indent(paint('observation:', 'dim', options), 4));
    lines.push(indent(printable(JSON.stringify(s.observation, null, 2)), 6));
  }
  return lines.join('\n');
}

/** Heading printed when a scenario starts: `▶ use-case-1-technical-user (local): title`. */
export function formatScenarioStart(name: string, target: string, title: string | undefined, options: PrettyOptions): string {
  const head = `▶ ${printable(name)} ${paint(`(${printable(target)})`, 'dim', options)}`;
  return title ? `${head}: ${printable(title)}` : head;
}

interface Counts {
  passed: number;
  failed: number;
  error: number;
  skipped: number;
}

function countSteps(steps: readonly StepResult[]): Counts {
  const counts: Counts = { passed: 0, failed: 0, error: 0, skipped: 0 };
  for (const step of steps) {
    if (step.outcome in counts) counts[step.outcome]++;
    else counts.error++;
  }
  return counts;
}

/** `24 passed, 1 failed, 2 skipped`: passed always, the others when not zero. */
function stepCounts(counts: Counts, options: PrettyOptions): string {
  const parts = [paint(`${counts.passed} passed`, counts.passed > 0 ? 'green' : 'dim', options)];
  if (counts.failed > 0) parts.push(paint(`${counts.failed} failed`, 'red', options));
  if (counts.error > 0) parts.push(paint(plural(counts.error, 'error'), 'red', options));
  if (counts.skipped > 0) parts.push(paint(`${counts.skipped} skipped`, 'yellow', options));
  return parts.join(', ');
}

const RECORDING_WORDS = { written: 'recording written', 'not-written': 'recording not written (the run failed)', compared: 'recording compared', absent: 'no recording' } as const;

/**
 * The whole summary after all scenarios: per scenario one line (passed/failed, counts, duration,
 * recording action), then totals: `2 scenarios: 1 passed, 1 failed · 27 steps: 24 passed,
 * 1 failed, 2 skipped · parity: 3 differences in 1 step`.
 *
 * The parity part is left out when no step was compared with a recording, and reads
 * `parity: no differences` when steps were compared and all matched. No trailing newline.
 */
export function formatSummary(results: readonly ScenarioResult[], options: PrettyOptions): string {
  const lines: string[] = [];
  const totals: Counts = { passed: 0, failed: 0, error: 0, skipped: 0 };
  let scenariosPassed = 0;
  let differences = 0;
  let stepsWithDifferences = 0;
  let compared = 0;
  for (const result of results) {
    const secrets = [...result.secrets, ...secretsIn(result.steps)];
    const counts = countSteps(result.steps);
    for (const key of Object.keys(totals) as (keyof Counts)[]) totals[key] += counts[key];
    for (const step of result.steps) {
      if (!step.parity) continue;
      compared++;
      differences += step.parity.differences.length;
      if (step.parity.differences.length > 0) stepsWithDifferences++;
    }
    const passed = result.outcome === 'passed';
    if (passed) scenariosPassed++;
    const parts = [
      `${paint(passed ? '✓' : '✗', passed ? 'green' : 'red', options)} ${printable(maskSecrets(result.name, secrets))} (${result.target})`,
      paint(passed ? 'passed' : 'failed', passed ? 'green' : 'red', options),
      `${plural(result.steps.length, 'step')}: ${stepCounts(counts, options)}`,
      duration(result.durationMs),
    ];
    if (result.recording) parts.push(RECORDING_WORDS[result.recording.action] ?? `recording ${result.recording.action}`);
    lines.push(`  ${parts.join(' · ')}`);
    for (const problem of result.cleanupProblems ?? []) lines.push(`    ${paint('clean-up failed:', 'red', options)} ${printable(maskSecrets(problem, secrets))}`);
  }
  const scenariosFailed = results.length - scenariosPassed;
  const scenarioPart = [paint(`${scenariosPassed} passed`, scenariosPassed > 0 ? 'green' : 'dim', options)];
  if (scenariosFailed > 0) scenarioPart.push(paint(`${scenariosFailed} failed`, 'red', options));
  const stepTotal = totals.passed + totals.failed + totals.error + totals.skipped;
  const totalParts = [`${plural(results.length, 'scenario')}: ${scenarioPart.join(', ')}`, `${plural(stepTotal, 'step')}: ${stepCounts(totals, options)}`];
  if (compared > 0) {
    totalParts.push(
      differences === 0
        ? paint('parity: no differences', 'green', options)
        : paint(`parity: ${plural(differences, 'difference')} in ${plural(stepsWithDifferences, 'step')}`, 'yellow', options),
    );
  }
  lines.push(totalParts.join(' · '));
  return lines.join('\n');
}
