import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../scenarios/runner/reporters/json.js';
import { junitXml } from '../../scenarios/runner/reporters/junit.js';
import { formatScenarioStart, formatStepLine, formatSummary, type PrettyOptions } from '../../scenarios/runner/reporters/pretty.js';
import type { ScenarioResult, StepResult } from '../../scenarios/runner/types.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>): string => `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc`;

/** Listed in the scenario's secrets. */
const CLIENT_SECRET = 'cs-7f3a9d2e-listed';
const PASSWORD = 'Pa55w0rd!<&">';
/** Not listed anywhere: found in the observation (by key, or because it is a JWT). */
const TOKEN = jwt({ sub: 'tech-user', aud: 'urn:api' });
const REFRESH = 'rt-unlisted-9c1b';
const SECRETS_NOT_TO_SHOW = [CLIENT_SECRET, PASSWORD, TOKEN, REFRESH];

const ANSI = /\x1b\[/;
const plain: PrettyOptions = { color: false };
const coloured: PrettyOptions = { color: true };

function step(overrides: Partial<StepResult> & Pick<StepResult, 'id' | 'outcome'>): StepResult {
  return { kind: 'request', marker: 'unverified', durationMs: 12, action: 'GET /test/1', failures: [], ...overrides };
}

const passed = step({ id: 'create-app', title: 'create the app', outcome: 'passed', kind: 'iam', action: 'POST /admin/v1/Apps', durationMs: 12.4 });
const localOnly = step({ id: 'move-clock', title: 'an hour later', outcome: 'passed', kind: 'clock', marker: 'local-only', durationMs: 0 });
const failed = step({
  id: 'call-api',
  title: 'the API refuses an expired token',
  outcome: 'failed',
  marker: 'needs-fixing',
  durationMs: 31,
  failures: [`expected status 401, got 200 for token ${TOKEN}`, `body mentions ${CLIENT_SECRET} & <${PASSWORD}>`],
  gatewayReason: `token ${TOKEN} accepted; client secret ${CLIENT_SECRET}`,
  observation: {
    status: 200,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: { access_token: TOKEN, refresh_token: REFRESH, echo: `password=${encodeURIComponent(PASSWORD)}` },
  },
  parity: {
    differences: [
      { path: '$.status', kind: 'changed', recorded: 401, actual: 200 },
      { path: '$.body.refresh_token', kind: 'extra', actual: REFRESH },
    ],
    ignored: ['$.headers.date'],
  },
});
const errored = step({ id: 'deploy', title: 'deploy the gateway', outcome: 'error', kind: 'deploy', durationMs: 1500, failures: ['connection refused'] });
const skipped = step({ id: 'later', title: 'not reached', outcome: 'skipped', durationMs: 0, skippedReason: 'an earlier step failed' });

const failingScenario: ScenarioResult = {
  name: 'use-case-1-technical-user',
  file: 'scenarios/use-case-1-technical-user.yaml',
  title: 'A technical user calls the API',
  target: 'local',
  outcome: 'failed',
  durationMs: 1543,
  steps: [passed, localOnly, failed, errored, skipped],
  recording: { file: 'scenarios/use-case-1-technical-user.recording.json', action: 'compared' },
  secrets: [CLIENT_SECRET, PASSWORD],
};
const passingScenario: ScenarioResult = {
  name: 'use-case-2',
  file: 'scenarios/use-case-2.yaml',
  target: 'oci',
  outcome: 'passed',
  durationMs: 200,
  steps: [step({ id: 'one', outcome: 'passed', marker: 'oci-validated', parity: { differences: [], ignored: [] } }), step({ id: 'two', outcome: 'passed' })],
  recording: { file: 'scenarios/use-case-2.recording.json', action: 'written' },
  secrets: [],
};
const RESULTS = [failingScenario, passingScenario];

describe('pretty: step lines', () => {
  it('shows a passed step with its title and duration, without ANSI codes when colour is off', () => {
    const line = formatStepLine(passed, [], plain);
    expect(line).toBe('  ✓ create-app  create the app  (12 ms)');
    expect(line).not.toMatch(ANSI);
  });

  it('colours the same line when asked', () => {
    const line = formatStepLine(passed, [], coloured);
    expect(line).toMatch(ANSI);
    expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toBe('  ✓ create-app  create the app  (12 ms)');
  });

  it('tags a marker other than unverified', () => {
    expect(formatStepLine(localOnly, [], plain)).toBe('  ✓ move-clock  an hour later  [local-only]  (0 ms)');
  });

  it('shows a failed step with its failures, the gateway reason and the parity differences, all masked', () => {
    const out = formatStepLine(failed, failingScenario.secrets, plain);
    const lines = out.split('\n');
    expect(lines[0]).toBe('  ✗ call-api  the API refuses an expired token  [needs-fixing]  (31 ms)');
    expect(lines[1]).toBe(`    expected status 401, got 200 for token eyJ…(${TOKEN.length} chars)`);
    expect(lines[2]).toBe('    body mentions *** & <***>');
    expect(lines[3]).toBe(`    gateway said: token eyJ…(${TOKEN.length} chars) accepted; client secret ***`);
    expect(out).toContain('$.status');
    expect(out).toContain('$.body.refresh_token');
    expect(out.indexOf('$.status')).toBeGreaterThan(out.indexOf('gateway said'));
    expect(out).not.toContain('observation');
    expect(out).not.toMatch(ANSI);
  });

  it('shows an error step with !', () => {
    const out = formatStepLine(errored, [], plain);
    expect(out).toBe('  ! deploy  deploy the gateway  (1.50 s)\n    connection refused');
  });

  it('shows a skipped step with its reason instead of a duration', () => {
    expect(formatStepLine(skipped, [], plain)).toBe('  - later  not reached  skipped: an earlier step failed');
    expect(formatStepLine(skipped, [], coloured)).toMatch(ANSI);
  });

  it('shows the masked observation as indented JSON when verbose', () => {
    const out = formatStepLine(failed, failingScenario.secrets, { color: false, verbose: true });
    expect(out).toContain('    observation:');
    expect(out).toContain('      "status": 200,');
    expect(out).toContain(`"access_token": "eyJ…(${TOKEN.length} chars)"`);
    expect(out).toContain('"refresh_token": "***"');
    expect(out).toContain('"echo": "password=***"');
  });

  it('shows control characters from a response instead of sending them to the terminal', () => {
    const out = formatStepLine(step({ id: 'x', outcome: 'failed', failures: ['body was \x1b[2Jcleared'] }), [], plain);
    expect(out).not.toMatch(ANSI);
    expect(out).toContain('\\x1b[2Jcleared');
  });
});

describe('pretty: scenario heading and summary', () => {
  it('heads a scenario', () => {
    expect(formatScenarioStart('use-case-1-technical-user', 'local', 'A technical user', plain)).toBe('▶ use-case-1-technical-user (local): A technical user');
    expect(formatScenarioStart('s', 'oci', undefined, plain)).toBe('▶ s (oci)');
  });

  it('sums up per scenario and in total', () => {
    const out = formatSummary(RESULTS, plain);
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('  ✗ use-case-1-technical-user (local) · failed · 5 steps: 2 passed, 1 failed, 1 error, 1 skipped · 1.54 s · recording compared');
    expect(lines[1]).toBe('  ✓ use-case-2 (oci) · passed · 2 steps: 2 passed · 200 ms · recording written');
    expect(lines[2]).toBe('2 scenarios: 1 passed, 1 failed · 7 steps: 4 passed, 1 failed, 1 error, 1 skipped · parity: 2 differences in 1 step');
    expect(out).not.toMatch(ANSI);
    expect(formatSummary(RESULTS, coloured)).toMatch(ANSI);
  });

  it('says so when everything matched the recordings, and leaves parity out when nothing was compared', () => {
    expect(formatSummary([passingScenario], plain).split('\n').at(-1)).toBe('1 scenario: 1 passed · 2 steps: 2 passed · parity: no differences');
    const noParity = { ...passingScenario, steps: [step({ id: 'a', outcome: 'passed' })], recording: undefined };
    expect(formatSummary([noParity], plain).split('\n')).toEqual(['  ✓ use-case-2 (oci) · passed · 1 step: 1 passed · 200 ms', '1 scenario: 1 passed · 1 step: 1 passed']);
  });
});

/** A tiny well-formedness check: every tag closed in order, attributes quoted, entities known. */
function checkXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const stack: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const decode = (s: string): string => {
    expect(s).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? String.fromCharCode(Number(e.slice(1))));
  };
  let consumed = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    consumed = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      expect(text).not.toContain('>');
      if (stack.length > 0) stack[stack.length - 1]!.text += decode(text);
      else expect(text.trim()).toBe('');
      continue;
    }
    if (closing) {
      expect(stack.pop()?.name).toBe(name);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]!] = decode(a[2]!);
    const element = { name: name!, attrs, text: '' };
    elements.push(element);
    if (!selfClosing) stack.push(element);
  }
  expect(consumed).toBe(body.length);
  expect(stack).toEqual([]);
  return elements;
}

describe('junit', () => {
  const xml = junitXml(RESULTS);
  const elements = checkXml(xml);
  const named = (name: string) => elements.filter((e) => e.name === name);

  it('is well-formed, with totals, a suite per scenario and a test case per step', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(named('testsuites')[0]!.attrs).toEqual({ name: 'oci-auth-harness scenarios', tests: '7', failures: '1', errors: '1', skipped: '1', time: '1.743' });
    expect(named('testsuite').map((s) => s.attrs)).toEqual([
      { name: 'use-case-1-technical-user (local)', tests: '5', failures: '1', errors: '1', skipped: '1', time: '1.543' },
      { name: 'use-case-2 (oci)', tests: '2', failures: '0', errors: '0', skipped: '0', time: '0.200' },
    ]);
    expect(xml.match(/<testcase /g)).toHaveLength(7);
    expect(named('testcase')[0]!.attrs).toEqual({ classname: 'scenarios.use-case-1-technical-user', name: 'create-app: create the app', time: '0.012' });
  });

  it('reports failures, errors and skips, and the marker in system-out', () => {
    const [failure] = named('failure');
    expect(failure!.attrs).toEqual({ message: `expected status 401, got 200 for token eyJ…(${TOKEN.length} chars)`, type: 'expectation' });
    expect(failure!.text).toContain('body mentions *** & <***>');
    expect(failure!.text).toContain('gateway said: token eyJ…');
    expect(failure!.text).toContain('$.body.refresh_token');
    expect(named('error')[0]!.attrs.message).toBe('connection refused');
    expect(named('skipped')[0]!.attrs).toEqual({ message: 'an earlier step failed' });
    expect(named('system-out').map((e) => e.text.split(' ')[0])).toEqual(['[unverified]', '[local-only]', '[needs-fixing]', '[unverified]', '[unverified]', '[oci-validated]', '[unverified]']);
  });

  it('escapes markup in messages and drops characters XML cannot carry', () => {
    const nasty = step({ id: 'x&y', title: `a "quoted" <tag> & 'it'`, outcome: 'failed', failures: ['<&">\x00\x1b bad', 'second'] });
    const out = junitXml([{ ...passingScenario, name: 'n<1>', outcome: 'failed', steps: [nasty] }]);
    const parsed = checkXml(out);
    expect(out).toContain('message="&lt;&amp;&quot;&gt; bad"');
    expect(out).not.toMatch(/[\x00\x1b]/);
    const testcase = parsed.find((e) => e.name === 'testcase')!;
    expect(testcase.attrs.name).toBe(`x&y: a "quoted" <tag> & 'it'`);
    expect(testcase.attrs.classname).toBe('scenarios.n<1>');
    expect(parsed.find((e) => e.name === 'failure')!.text).toBe('<&"> bad\nsecond');
  });

  it('fails a scenario the runner failed even when no step did', () => {
    const out = junitXml([{ ...passingScenario, outcome: 'failed', steps: [] }]);
    const parsed = checkXml(out);
    expect(parsed.find((e) => e.name === 'testsuites')!.attrs.failures).toBe('1');
    expect(parsed.filter((e) => e.name === 'failure')).toHaveLength(1);
  });
});

describe('json', () => {
  it('is the results without secrets, keys in the order of the types', () => {
    const out = jsonReport(RESULTS);
    expect(out.endsWith('}\n]\n')).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>[];
    expect(parsed).toHaveLength(2);
    expect(Object.keys(parsed[0]!)).toEqual(['name', 'file', 'title', 'target', 'outcome', 'durationMs', 'steps', 'recording']);
    expect(parsed[1]).not.toHaveProperty('title');
    const steps = parsed[0]!.steps as Record<string, unknown>[];
    expect(Object.keys(steps[2]!)).toEqual(['id', 'title', 'kind', 'marker', 'outcome', 'durationMs', 'action', 'failures', 'gatewayReason', 'observation', 'parity']);
    expect(steps[2]!.observation).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', authorization: `Bearer eyJ…(${TOKEN.length} chars)` },
      body: { access_token: `eyJ…(${TOKEN.length} chars)`, refresh_token: '***', echo: 'password=***' },
    });
    expect(steps[2]!.parity).toEqual({
      differences: [
        { path: '$.status', kind: 'changed', recorded: 401, actual: 200 },
        { path: '$.body.refresh_token', kind: 'extra', actual: '***' },
      ],
      ignored: ['$.headers.date'],
    });
    expect(steps[4]).toMatchObject({ outcome: 'skipped', skippedReason: 'an earlier step failed' });
  });
});

describe('no reporter prints a secret', () => {
  const outputs: Record<string, string> = {
    'pretty step lines': RESULTS.flatMap((r) => r.steps.map((s) => formatStepLine(s, r.secrets, { color: true, verbose: true }))).join('\n'),
    'pretty summary': formatSummary(RESULTS, { color: false }),
    junit: junitXml(RESULTS),
    json: jsonReport(RESULTS),
  };
  for (const [reporter, output] of Object.entries(outputs)) {
    it(`${reporter}`, () => {
      for (const secret of SECRETS_NOT_TO_SHOW) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain(encodeURIComponent(secret));
      }
      // Not even a long piece of the token.
      expect(output).not.toContain(TOKEN.split('.')[1]!.slice(0, 16));
    });
  }

  it('the fixture does carry the secrets (or this test would prove nothing)', () => {
    const raw = JSON.stringify(RESULTS);
    for (const secret of [CLIENT_SECRET, TOKEN, REFRESH]) expect(raw).toContain(secret);
    expect(raw).toContain(JSON.stringify(PASSWORD).slice(1, -1));
  });
});
