/**
 * Properties of `parseScenario(raw, file)`: for random YAML-ish values, random scenario-shaped
 * objects and random mutations of the shipped scenarios (as objects and as YAML text), the answer
 * is a typed Scenario or a ScenarioError whose every problem starts with the field path it is
 * about — never another exception.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../common/config.js';
import { scenarioFiles } from '../../scenarios/runner/cli.js';
import { parseScenario, ScenarioError, type Scenario } from '../../scenarios/runner/scenario-file.js';
import { MARKERS, STEP_KINDS } from '../../scenarios/runner/types.js';
import { hostileJson, mutate, mutationArb, trickyText } from './support.js';

const SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios');
/** The file a parsed value is said to come from: beside the shipped ones, so includes resolve. */
const FILE = join(SCENARIO_DIR, 'property-test.yaml');

const readYaml = (file: string): any => {
  const parsed = parseYaml(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.join('; ')}`);
  return parsed.value;
};
/**
 * The shipped scenarios with their `- include:` steps replaced by the fragments' steps, as
 * parseScenario does: reading a fragment per run would cost most of the suite's time, and the
 * includes themselves are exercised by the scenario-shaped generator.
 */
const shipped: unknown[] = scenarioFiles('all').map((f) => {
  const raw = readYaml(f);
  const steps = (raw.steps as Array<Record<string, unknown>>).flatMap((s) => (typeof s.include === 'string' ? readYaml(resolve(dirname(f), s.include)).steps : [s]));
  return { ...raw, steps };
});

/** Where a problem says it is: the field path (top-level field, `(root)`) or, for includes, the file and step. */
function expectFieldPath(problem: string): void {
  const top = /^(\(root\)|title|description|source|vars|steps)(?=[.[ :])/.exec(problem);
  const include = problem.startsWith(`${FILE}: steps[`) || problem.startsWith(`${join(SCENARIO_DIR, 'fragments')}`);
  expect(top !== null || include, `problem without a field path: ${JSON.stringify(problem)}`).toBe(true);
  // Keys are quoted as written, so a path may hold any character (even a newline in a key).
  if (top) expect(problem, 'a path is followed by ": " and the reason').toMatch(/^[\s\S]*?: \S/);
}

/** parseScenario's verdict, checked: a well-typed Scenario or a ScenarioError with located problems. */
function judge(raw: unknown): 'ok' | 'problems' {
  let scenario: Scenario;
  try {
    scenario = parseScenario(raw, FILE);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw new Error(`parseScenario threw ${(e as Error)?.constructor?.name}: ${String((e as Error)?.stack ?? e)}\ninput: ${JSON.stringify(raw)?.slice(0, 500)}`);
    expect(e.problems.length).toBeGreaterThan(0);
    e.problems.forEach(expectFieldPath);
    return 'problems';
  }
  expect(scenario.name).toBe('property-test');
  expect(scenario.steps.length).toBeGreaterThan(0);
  const ids = new Set<string>();
  for (const step of scenario.steps) {
    expect(STEP_KINDS).toContain(step.kind);
    expect(typeof (step as unknown as Record<string, unknown>)[step.kind]).toBe('object');
    expect(MARKERS).toContain(step.marker);
    expect(step.id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
    expect(ids.has(step.id), `duplicate id ${step.id} accepted`).toBe(false);
    ids.add(step.id);
  }
  return 'ok';
}

// ---------------------------------------------------------------------------------------------

const text = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('/test/1', '/admin/v1/Users', '${clientId}', '${undefinedVar}', '${', 'x', '', 'GET', 'POST', 'body.access_token', 'claims.aud', 'headers.etag', 'status', 'bogus.path', '$.body.meta') }, { weight: 1, arbitrary: trickyText(16) });
const stepId = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('a', 'token', 'call-gateway', 'x1', 'a') }, { weight: 1, arbitrary: trickyText(8) });
const stringMap = fc.dictionary(text, text, { maxKeys: 3 });
const loose = hostileJson(2);
const stepArb = fc.record(
  {
    id: fc.oneof({ weight: 6, arbitrary: stepId }, { weight: 1, arbitrary: loose }),
    title: text,
    marker: fc.oneof(fc.constantFrom(...MARKERS), text),
    iam: fc.record({ method: fc.constantFrom('GET', 'POST', 'PATCH', 'get', 'TRACE'), path: text, query: stringMap, headers: stringMap, body: loose, auth: fc.constantFrom('admin', 'none', 'x') }, { requiredKeys: [] }),
    token: fc.record({ grant: fc.constantFrom('client_credentials', 'password', 'refresh_token', 'implicit'), clientId: text, clientSecret: text, clientAuth: fc.constantFrom('basic', 'post', 'x'), scope: text, form: stringMap }, { requiredKeys: [] }),
    deploy: fc.record({ file: text, pathPrefix: text, specification: loose, update: text, cleanup: loose }, { requiredKeys: [] }),
    request: fc.record({ method: fc.constantFrom('GET', 'PUT'), path: text, headers: stringMap, body: loose }, { requiredKeys: [] }),
    clock: fc.record({ advanceSeconds: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), loose) }, { requiredKeys: [] }),
    expect: fc.record({ status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.array(fc.integer(), { maxLength: 2 }), loose), headers: fc.dictionary(text, loose, { maxKeys: 2 }), body: loose, claims: fc.dictionary(text, fc.oneof(loose, fc.constantFrom({ $exists: true }, { $matches: '[' }, { $oneOf: 3 }, { $contains: {} }, { $bogus: 1 }))) }, { requiredKeys: [] }),
    capture: fc.dictionary(text, text, { maxKeys: 2 }),
    record: fc.oneof(fc.record({ headers: fc.array(text, { maxLength: 2 }) }), loose),
    ignore: fc.oneof(fc.array(text, { maxLength: 2 }), loose),
    include: fc.constantFrom('fragments/technical-user.yaml', 'fragments/end-user.yaml', 'fragments/missing.yaml', 'property-test.yaml', 'fragments', 7),
    unknownField: loose,
  },
  { requiredKeys: [] },
);
const scenarioArb = fc.record(
  {
    title: text,
    description: loose,
    vars: fc.oneof(fc.dictionary(text, fc.oneof(text, loose), { maxKeys: 3 }), loose),
    steps: fc.oneof({ weight: 5, arbitrary: fc.array(stepArb, { maxLength: 4 }) }, { weight: 1, arbitrary: loose }),
    extra: loose,
  },
  { requiredKeys: ['steps'] },
);


const scenarioMutation = mutationArb(hostileJson(2), trickyText(8), ['set', 'delete', 'rename', 'wrap', 'variable', 'duplicate']);


describe('properties: parseScenario', () => {
  it('random YAML-ish values: a Scenario or a ScenarioError with located problems', () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson(4), fc.anything()), (raw) => {
        judge(raw);
      }),
      { numRuns: 1000 },
    );
  });

  it('random scenario-shaped objects (steps, kinds, expectations, captures, includes): typed or located problems', () => {
    const seen = { ok: 0, problems: 0 };
    fc.assert(
      fc.property(scenarioArb, (raw) => {
        seen[judge(raw)]++;
      }),
      { numRuns: 1500 },
    );
    expect(seen.problems).toBeGreaterThan(0);
  });

  it('mutations of the shipped scenarios: typed or located problems; unmutated they parse', () => {
    for (const s of shipped) expect(judge(s)).toBe('ok');
    const seen = { ok: 0, problems: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...shipped), fc.array(scenarioMutation, { minLength: 1, maxLength: 3 }), (base, mutations) => {
        seen[judge(mutations.reduce(mutate, base))]++;
      }),
      { numRuns: 200 },
    );
    // Some mutations are harmless (a title changed), most are not: both outcomes are reached.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.problems).toBeGreaterThan(0);
  });

  it('the shipped scenarios as YAML text with characters deleted or inserted: YAML problems, or typed or located problems', () => {
    const texts = shipped.map((s) => stringify(s));
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ':', '-', ' ', '\n', '"', '[', '{', '${', '  ', '\t', '&a', '*a', '!!binary ')), { minLength: 1, maxLength: 4 }), (which, edits) => {
        let yaml = texts[which]!;
        for (const [at, insert] of edits) {
          const i = at % (yaml.length + 1);
          yaml = insert === '' ? yaml.slice(0, i) + yaml.slice(i + 1) : yaml.slice(0, i) + insert + yaml.slice(i);
        }
        const parsed = parseYaml(yaml);
        if (!parsed.ok) {
          // YAML that does not parse is refused with its reasons (as loadScenario does), not thrown.
          expect(parsed.problems.length).toBeGreaterThan(0);
          return;
        }
        judge(parsed.value);
      }),
      // YAML parsing is the cost here (1–8 ms a text).
      { numRuns: 60 },
    );
  });
});
