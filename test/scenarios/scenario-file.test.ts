/** The scenario format: what it accepts, and errors that name the step and the field. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../scenarios/runner/scenario-file.js';
import { scenarioFiles } from '../../scenarios/runner/cli.js';

const problems = (raw: unknown, file = '/x/s.yaml'): string[] => {
  try {
    parseScenario(raw, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  throw new Error('the scenario was accepted');
};

const request = (extra: Record<string, unknown> = {}) => ({ id: 'call', request: { path: '/test/1' }, ...extra });

describe('scenario files', () => {
  it('every shipped scenario loads, with unique step ids and one marker each', () => {
    const files = scenarioFiles('all');
    expect(files.map((f) => f.split('/').pop())).toEqual([
      'negative-exact-match-trap.yaml',
      'negative-expired-token.yaml',
      'negative-missing-claim.yaml',
      'negative-wrong-audience.yaml',
      'use-case-1-technical-user.yaml',
      'use-case-2-end-user.yaml',
    ]);
    for (const file of files) {
      const scenario = loadScenario(file);
      expect(new Set(scenario.steps.map((s) => s.id)).size).toBe(scenario.steps.length);
      // No tenancy has recorded them yet: honest markers only.
      for (const step of scenario.steps) expect(['unverified', 'local-only']).toContain(step.marker);
    }
  });

  it('fills defaults: marker unverified, GET, admin auth', () => {
    const scenario = parseScenario({ steps: [request(), { id: 'list', iam: { path: '/admin/v1/Users' } }] }, '/x/defaults.yaml');
    expect(scenario.name).toBe('defaults');
    expect(scenario.steps[0]).toMatchObject({ kind: 'request', marker: 'unverified', request: { method: 'GET', path: '/test/1' }, where: 'steps[0] (call)' });
    expect(scenario.steps[1]).toMatchObject({ kind: 'iam', iam: { method: 'GET', auth: 'admin' } });
  });

  it.each([
    ['a step with nothing to do', { steps: [{ id: 'a' }] }, 'steps[0] (a): says nothing to do; give exactly one of iam, token, deploy, request, clock'],
    ['a step with two kinds', { steps: [{ id: 'a', request: { path: '/x' }, clock: { advanceSeconds: 1 } }] }, 'steps[0] (a): has request and clock; give exactly one of iam, token, deploy, request, clock'],
    ['an unknown field', { steps: [request({ expcet: { status: 200 } })] }, 'steps[0] (call): Unrecognized key: "expcet"'],
    ['a wrong type', { steps: [request({ expect: { status: '200' } })] }, 'steps[0] (call).expect.status:'],
    ['a path without a slash', { steps: [{ id: 'a', request: { path: 'test/1' } }] }, 'steps[0] (a).request.path: must start with /'],
    ['an id with spaces', { steps: [{ id: 'step one', request: { path: '/x' } }] }, 'steps[0] (step one).id: lower-case letters, digits and dashes'],
    ['a duplicate id', { steps: [request(), request()] }, 'steps[1] (call).id: "call" is already the id of steps[0]'],
    ['a variable used before its capture', { steps: [request({ request: { path: '/x', headers: { Authorization: 'Bearer ${token}' } } }), { id: 't', request: { path: '/y' }, capture: { token: 'body.t' } }] }, 'steps[0] (call).request.headers.Authorization: ${token} is not defined before this step'],
    ['a variable in a key', { steps: [request({ expect: { claims: { '${claim}': 'x' } } })] }, 'steps[0] (call).expect.claims.${claim}: ${claim} is not defined before this step'],
    ['an unknown var reference in vars', { vars: { a: '${b}' }, steps: [request()] }, 'vars.a: ${b} is not defined'],
    ['a capture path of no source', { steps: [request({ capture: { t: 'answer.token' } })] }, 'steps[0] (call).capture.t: "answer.token" must start with one of status, body, headers, claims, tokenHeader'],
    ['an unreadable capture path', { steps: [request({ capture: { t: 'body.a[x]' } })] }, 'steps[0] (call).capture.t: "body.a[x]": cannot read "[x]"'],
    ['an unknown matcher', { steps: [request({ expect: { body: { a: { $exist: true } } } })] }, 'steps[0] (call).expect.body.a: unknown matcher $exist'],
    ['a bad regular expression', { steps: [request({ expect: { body: { a: { $matches: '(' } } } })] }, 'steps[0] (call).expect.body.a.$matches: Invalid regular expression'],
    ['a clock step not marked local-only', { steps: [{ id: 'later', clock: { advanceSeconds: 60 } }] }, 'steps[0] (later).marker: a clock step moves the harness\'s clock, which OCI does not have: mark it local-only'],
    ['claims expected of a deployment', { steps: [{ id: 'd', deploy: { pathPrefix: '/x', specification: {} }, expect: { claims: { a: 1 } } }] }, 'steps[0] (d).expect: a deploy step answers no token'],
    ['a deployment without specification', { steps: [{ id: 'd', deploy: { pathPrefix: '/x' } }] }, 'steps[0] (d).deploy.specification: give a deployment file or an inline specification'],
    ['an unknown marker', { steps: [request({ marker: 'validated' })] }, 'steps[0] (call).marker:'],
    ['no steps', { steps: [] }, 'steps: a scenario needs at least one step'],
  ])('refuses %s, naming the step and the field', (_name, raw, expected) => {
    expect(problems(raw).join('\n')).toContain(expected);
  });

  describe('files and includes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-file-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };

    it('includes the steps of a fragment, relative to the including file', () => {
      write('setup.yaml', 'steps:\n  - id: setup\n    iam: { path: /admin/v1/Apps }\n');
      const scenario = loadScenario(write('main.yaml', 'steps:\n  - include: setup.yaml\n  - id: call\n    request: { path: /x }\n'));
      expect(scenario.steps.map((s) => s.id)).toEqual(['setup', 'call']);
    });

    it('refuses an include cycle and a missing fragment', () => {
      write('a.yaml', 'steps:\n  - include: b.yaml\n');
      write('b.yaml', 'steps:\n  - include: a.yaml\n');
      expect(() => loadScenario(join(dir, 'a.yaml'))).toThrow(/includes itself \(a\.yaml → b\.yaml → a\.yaml\)/);
      expect(() => loadScenario(write('c.yaml', 'steps:\n  - include: nowhere.yaml\n'))).toThrow(/steps\[0\]\.include: cannot read nowhere\.yaml/);
    });

    it('names the line of a YAML error and of a duplicate key, with only the first few problems', () => {
      const loadProblems = (file: string): string[] => {
        try {
          loadScenario(file);
        } catch (err) {
          if (err instanceof ScenarioError) return err.problems;
          throw err;
        }
        throw new Error('accepted');
      };
      expect(loadProblems(write('bad.yaml', 'steps:\n  - id: a\n    request: { path: /x }\n    request: { path: /y }\n'))[0]).toMatch(/^line 4: Map keys must be unique/);
      const broken = loadProblems(write('broken.yaml', 'steps:\n  - id: a\n    capture: { t: body.x[0] }\n    request: { path: /x }\n    expect: { status: 200 }\n'));
      expect(broken.length).toBeLessThanOrEqual(4);
      expect(broken[0]).toMatch(/^line 3:/);
    });
  });
});
