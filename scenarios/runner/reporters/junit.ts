/**
 * JUnit XML for CI: a test suite per scenario (and target), a test case per step. Everything in it
 * is masked first ({@link maskStep}); markers go to each test case's `<system-out>` as `[marker]`,
 * JUnit having no per-test-case properties.
 */
import { formatDifferences } from '../recording.js';
import { maskSecrets, maskStep, secretsIn } from '../secrets.js';
import type { ScenarioResult, StepResult } from '../types.js';

/** Characters XML 1.0 does not allow at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F): dropped. */
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Element text: `&`, `<`, `>` escaped, characters XML cannot carry dropped. */
function text(value: string): string {
  return value.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value (double-quoted): as {@link text}, plus both quotes and the whitespace an attribute would normalise. */
function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function tallyAttrs(t: Tally, ms: number): string {
  return `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(ms)}"`;
}

/** The body of a `<failure>`/`<error>`: every failure, the gateway's reason, the parity differences. */
function details(step: StepResult, secrets: readonly string[]): string {
  const lines = [...step.failures];
  if (step.gatewayReason) lines.push(`gateway said: ${step.gatewayReason}`);
  if (step.parity && step.parity.differences.length > 0) {
    lines.push(...formatDifferences(step.id, step.parity.differences).map((line) => maskSecrets(line, secrets)));
  }
  return lines.join('\n');
}

function testcase(result: ScenarioResult, raw: StepResult, secrets: readonly string[], tally: Tally): string {
  const step = maskStep(raw, secrets);
  const title = step.title ?? step.action;
  const name = title ? `${step.id}: ${title}` : step.id;
  const classname = `scenarios.${maskSecrets(result.name, secrets)}`;
  const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" time="${seconds(step.durationMs)}">`;
  const inner: string[] = [];
  tally.tests++;
  if (step.outcome === 'failed' || step.outcome === 'error') {
    const element = step.outcome === 'failed' ? 'failure' : 'error';
    if (step.outcome === 'failed') tally.failures++;
    else tally.errors++;
    const message = step.failures[0] ?? (step.outcome === 'failed' ? 'step failed' : 'step errored');
    const type = step.outcome === 'failed' ? 'expectation' : 'error';
    inner.push(`      <${element} message="${attr(message)}" type="${type}">${text(details(step, secrets))}</${element}>`);
  } else if (step.outcome === 'skipped') {
    tally.skipped++;
    inner.push(step.skippedReason ? `      <skipped message="${attr(step.skippedReason)}"/>` : '      <skipped/>');
  } else if (step.outcome !== 'passed') {
    // An outcome this reporter does not know: CI must not read it as a pass.
    tally.errors++;
    inner.push(`      <error message="${attr(`unknown outcome ${String(step.outcome)}`)}" type="error"></error>`);
  }
  const out = [`[${step.marker}]`, step.action].filter(Boolean).join(' ');
  inner.push(`      <system-out>${text(out)}</system-out>`);
  return [open, ...inner, '    </testcase>'].join('\n');
}

function testsuite(result: ScenarioResult, total: Tally): string {
  const secrets = [...result.secrets, ...secretsIn(result.steps)];
  const tally: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases = result.steps.map((step) => testcase(result, step, secrets, tally));
  const name = maskSecrets(result.name, secrets);
  if (result.outcome !== 'passed' && tally.failures + tally.errors === 0) {
    // The runner failed the scenario with no failing step (its clean-up left objects behind):
    // one test case says so, or CI would go green.
    tally.tests++;
    tally.failures++;
    const problems = (result.cleanupProblems ?? []).map((p) => maskSecrets(p, secrets));
    const message = problems.length ? `clean-up failed: ${problems[0]}` : 'scenario failed without a failing step';
    cases.push(
      [
        `    <testcase classname="${attr(`scenarios.${name}`)}" name="(scenario)" time="0.000">`,
        `      <failure message="${attr(message)}" type="scenario">${text(problems.join('\n'))}</failure>`,
        '    </testcase>',
      ].join('\n'),
    );
  }
  for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
  const properties = ['    <properties>', `      <property name="target" value="${attr(result.target)}"/>`];
  if (result.recording) properties.push(`      <property name="recording" value="${attr(result.recording.action)}"/>`);
  properties.push('    </properties>');
  return [
    `  <testsuite name="${attr(`${name} (${result.target})`)}" ${tallyAttrs(tally, result.durationMs)}>`,
    ...properties,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/**
 * `<testsuites name="oci-auth-harness scenarios" ...>` with one `<testsuite name="<scenario>
 * (<target>)">` per scenario and one `<testcase classname="scenarios.<scenario>" name="<step id>:
 * <title>" time="s.sss">` per step: `<failure>` (first failure as message; all failures, the
 * gateway's reason and the parity differences as text), `<error>`, `<skipped message="reason"/>`,
 * and `[marker] action` in `<system-out>`. Ends with a newline.
 */
export function junitXml(results: readonly ScenarioResult[]): string {
  const total: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = results.map((result) => testsuite(result, total));
  const ms = results.reduce((sum, r) => sum + (Number.isFinite(r.durationMs) ? r.durationMs : 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="oci-auth-harness scenarios" ${tallyAttrs(total, ms)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
