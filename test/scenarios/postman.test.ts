/**
 * The Postman collection of the scenarios (scenarios/postman/generate.ts): the committed files are
 * what the generator makes of the current scenarios, and the collection passes with newman against
 * a stack started in this process (and fails when the admin client cannot get a token).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTION_FILE, ENVIRONMENT_FILE, postmanCollection, postmanFiles, POSTMAN_SCENARIOS } from '../../scenarios/postman/generate.js';
import { loadScenario, parseScenario } from '../../scenarios/runner/scenario-file.js';
import type { RunningStack } from '../../stack/stack.js';
import { startTestStack } from '../support/stack.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The part of newman's Node API this test uses (newman ships no types). */
interface NewmanSummary {
  run: {
    stats: Record<'items' | 'assertions' | 'requests', { total: number; failed: number }>;
    executions: Array<{ item: { id: string; name: string }; response?: { code: number } }>;
    failures: Array<{ error: { name?: string; message: string; test?: string }; source?: { name?: string } }>;
  };
}
type NewmanRun = (options: object, callback: (err: Error | null, summary: NewmanSummary) => void) => unknown;
const newman = createRequire(import.meta.url)('newman') as { run: NewmanRun };

function runCollection(collection: object, environment: object): Promise<NewmanSummary> {
  return new Promise((done, fail) => {
    newman.run({ collection, environment, reporters: [], timeoutRequest: 10_000 }, (err, summary) => (err ? fail(err) : done(summary)));
  });
}

const committed = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
const failuresOf = (summary: NewmanSummary) => summary.run.failures.map((f) => `${f.source?.name ?? '(collection)'}: ${f.error.test ?? f.error.name ?? ''}: ${f.error.message}`);

describe('the Postman collection', () => {
  it('is what `npm run postman` makes of the current scenarios', () => {
    for (const [file, text] of Object.entries(postmanFiles())) {
      expect(committed(file), `${file} is out of date: run \`npm run postman\` and commit the result`).toBe(text);
    }
  });

  it('writes whole values that are not strings unquoted into JSON bodies, and strings quoted', () => {
    const scenario = parseScenario(
      {
        vars: { scopes: [{ fqs: '${suffix}Read' }], name: 'app-${suffix}' },
        steps: [
          { id: 'token', token: { grant: 'client_credentials', clientId: 'c', clientSecret: 's' }, expect: { claims: { aud: { $type: 'array' } } }, capture: { audiences: 'claims.aud', issuer: 'claims.iss' } },
          { id: 'app', iam: { method: 'POST', path: '/admin/v1/Apps', body: { displayName: '${name}', allowedScopes: '${scopes}', audiences: '${audiences}', issuers: ['${issuer}'], jwks: '${iam.jwksUrl}' } } },
        ],
      },
      resolve(ROOT, 'scenarios', 'synthetic.yaml'),
    );
    const folder = (postmanCollection([scenario]) as { item: Array<{ item: Array<{ request: { body: { raw: string } } }>; event: Array<{ script: { exec: string[] } }> }> }).item[0]!;
    const raw = folder.item[1]!.request.body.raw;
    expect(raw).toContain('"displayName": "{{name}}"');
    expect(raw).toContain('"allowedScopes": {{scopes}}');
    expect(raw).toContain('"audiences": {{audiences}}');
    expect(raw).toContain('"issuers": [\n    "{{issuer}}"\n  ]');
    expect(raw).toContain('"jwks": "{{iamUrl}}/admin/v1/SigningCert/jwk"');
    expect(folder.event[0]!.script.exec.join('\n')).toContain(`pm.collectionVariables.set("scopes", JSON.stringify([{ "fqs": text("{{suffix}}Read") }]));`);

    const embedded = parseScenario({ vars: { scopes: ['a'] }, steps: [{ id: 'app', iam: { method: 'POST', path: '/admin/v1/Apps', body: { displayName: 'x ${scopes}' } } }] }, resolve(ROOT, 'scenarios', 'synthetic.yaml'));
    expect(() => postmanCollection([embedded])).toThrow(/holds JSON inside a longer string/);
  });

  describe('with newman against an in-process stack', () => {
    let stack: RunningStack;
    const collection = JSON.parse(committed(COLLECTION_FILE)) as object;
    /** The request names of every step, in order: `<step id>: <title>`. */
    const stepNames = POSTMAN_SCENARIOS.flatMap((file) => loadScenario(resolve(ROOT, file)).steps.map((s) => (s.title ? `${s.id}: ${s.title}` : s.id)));
    /** The committed environment with the stack's addresses (and the given values) in place of the default ports. */
    const environment = (overrides: Record<string, string> = {}) => {
      const env = JSON.parse(committed(ENVIRONMENT_FILE)) as { values: Array<{ key: string; value: string }> };
      const values: Record<string, string> = {
        iamUrl: stack.iam.context.baseUrl,
        gatewayUrl: stack.gateway.dataPlane.url,
        controlPlaneUrl: stack.gateway.controlPlane.url,
        ...overrides,
      };
      return { ...env, values: env.values.map((v) => (Object.hasOwn(values, v.key) ? { ...v, value: values[v.key]! } : v)) };
    };

    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('runs every step of both use cases without a failure', async () => {
      const summary = await runCollection(collection, environment());
      expect(failuresOf(summary)).toEqual([]);
      // Every step ran once, in order, and got an answer (a request's pm.sendRequest calls report
      // under its item again, so executions are counted by item).
      const executed = summary.run.executions.filter((e, i, all) => all.findIndex((o) => o.item.id === e.item.id) === i);
      expect(executed.map((e) => e.item.name)).toEqual(stepNames);
      expect(summary.run.stats.items.total).toBe(stepNames.length);
      expect(executed.every((e) => typeof e.response?.code === 'number')).toBe(true);
      // Each step checks something: its status and, for most, its body or token.
      expect(summary.run.stats.assertions.total).toBeGreaterThan(3 * stepNames.length);
    });

    it('fails when the admin client cannot get a token (wrong secret)', async () => {
      const summary = await runCollection(collection, environment({ adminClientSecret: 'not-the-secret' }));
      const failures = failuresOf(summary);
      expect(failures.some((f) => f.includes('the admin client harness-admin gets a token'))).toBe(true);
      // The admin calls are refused, so their expectations fail too.
      expect(failures.some((f) => f.startsWith('resource-server:') && f.includes('status 201'))).toBe(true);
    });
  });
});
