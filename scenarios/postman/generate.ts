/**
 * The scenarios as a Postman collection (v2.1): one folder per scenario, one request per step,
 * so the blog's steps can be replayed by hand in Postman (or with newman) against `npm start`'s
 * stack. `npm run postman` writes postman/oci-auth-harness.postman_collection.json and
 * postman/local.postman_environment.json; test/scenarios/postman.test.ts checks that they are up
 * to date and runs them with newman.
 *
 * How a scenario maps onto Postman:
 * - `${name}` becomes `{{name}}`; the built-ins are `{{iamUrl}}`, `{{gatewayUrl}}`,
 *   `{{controlPlaneUrl}}` (environment), `{{suffix}}` and `{{target}}` (collection variables);
 *   `${iam.jwksUrl}` is written out as `{{iamUrl}}/admin/v1/SigningCert/jwk`.
 * - Variables hold text. A value that is not a string (a list of audiences captured from a token,
 *   a scenario var that is a list) is kept as JSON text and written unquoted where it is a whole
 *   JSON value of a body (`"audiences": {{audiences}}`), as the runner hands over the value itself.
 *   Whether a capture is such a value is read from its step's expectation (`aud: { $type: array }`);
 *   the capture's test fails if a value assumed to be a string is not one.
 * - The collection's pre-request script starts a scenario at its first step (a new `{{suffix}}`, a
 *   new admin token), each folder's pre-request script sets the scenario's `vars` as collection
 *   variables, and the collection's test script holds the checks (the matchers of
 *   expectations.ts), which each request's test script runs with the step's `expect` and `capture`.
 *
 * The output is deterministic (ids are hashes of names), so the committed files can be compared
 * with a fresh generation.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_CONFIG_FILE, loadStackConfig, resolveLinks } from '../../common/config.js';
import { parseCapturePath } from '../runner/capture.js';
import { variablesIn } from '../runner/interpolate.js';
import { loadScenario, type Scenario, type ScenarioStep } from '../runner/scenario-file.js';
import { deploymentOf } from '../runner/steps/deploy-step.js';

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The scenarios the collection is made of, relative to the repository root. */
export const POSTMAN_SCENARIOS = ['scenarios/use-case-1-technical-user.yaml', 'scenarios/use-case-2-end-user.yaml'];
export const COLLECTION_FILE = 'postman/oci-auth-harness.postman_collection.json';
export const ENVIRONMENT_FILE = 'postman/local.postman_environment.json';

/** How a variable's value is kept: as it is (a string), or as JSON text (anything else). */
type Kind = 'string' | 'json';

const REFERENCE = /\$(\$?)\{([A-Za-z_][\w.]*)\}/g;
const WHOLE = /^\$\{([A-Za-z_][\w.]*)\}$/;
const BUILT_INS: Record<string, string> = {
  suffix: '{{suffix}}',
  target: '{{target}}',
  'iam.url': '{{iamUrl}}',
  'iam.jwksUrl': '{{iamUrl}}/admin/v1/SigningCert/jwk',
  'gateway.url': '{{gatewayUrl}}',
};

/** `${name}` → `{{name}}` (built-ins renamed), `$${` → a literal `${`. */
function toPostman(text: string): string {
  return text.replace(REFERENCE, (_all, dollar: string, name: string) => (dollar === '$' ? `\${${name}}` : (BUILT_INS[name] ?? `{{${name}}}`)));
}

/** A UUID-shaped id derived from a name. */
function idOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isMatcher = (v: unknown): v is Record<string, unknown> => isPlainObject(v) && Object.keys(v).length === 1 && Object.keys(v)[0]!.startsWith('$') && !Object.keys(v)[0]!.startsWith('${');

/** The variables of one scenario and how each is kept, as the steps define them in order. */
class Variables {
  private readonly kinds = new Map<string, Kind>(Object.keys(BUILT_INS).map((name) => [name, 'string']));

  kind(name: string): Kind {
    return this.kinds.get(name) ?? 'string';
  }

  define(name: string, kind: Kind): void {
    this.kinds.set(name, kind);
  }

  /** How a value is kept once interpolated: a whole `${x}` is kept as x is, other strings as text. */
  kindOfValue(value: unknown): Kind {
    if (typeof value !== 'string') return 'json';
    const whole = WHOLE.exec(value);
    return whole ? this.kind(whole[1]!) : 'string';
  }

  /** The kind an expected value tells of the value it matches, if it tells. */
  kindOfExpected(expected: unknown): Kind | undefined {
    if (expected === undefined) return undefined;
    if (typeof expected === 'string') return this.kindOfValue(expected);
    if (!isMatcher(expected)) return 'json';
    const [name, arg] = Object.entries(expected)[0]!;
    switch (name) {
      case '$type':
        return arg === 'string' ? 'string' : 'json';
      case '$equals':
        return this.kindOfExpected(arg);
      case '$oneOf': {
        const kinds = new Set((arg as unknown[]).map((a) => this.kindOfExpected(a)));
        return kinds.size === 1 ? [...kinds][0] : undefined;
      }
      case '$matches':
      case '$startsWith':
        return 'string';
      default:
        return undefined;
    }
  }

  /** JSON text for a body: strings as JSON strings with `{{x}}` in them, whole non-string variables unquoted. */
  rawJson(value: unknown, where: string): string {
    const unquoted: string[] = [];
    const walkText = (text: string, at: string): string => {
      const embedded = variablesIn(text).filter((name) => this.kind(name) === 'json');
      if (embedded.length) {
        throw new Error(`${where} ${at}: \${${embedded[0]}} holds JSON inside a longer string; Postman cannot write that into a JSON body (use it as a whole value)`);
      }
      return toPostman(text);
    };
    const walk = (v: unknown, at: string): unknown => {
      if (typeof v === 'string') {
        const whole = WHOLE.exec(v);
        if (whole && this.kind(whole[1]!) === 'json') return `\u0000${unquoted.push(whole[1]!) - 1}\u0000`;
        return walkText(v, at);
      }
      if (Array.isArray(v)) return v.map((inner, i) => walk(inner, `${at}[${i}]`));
      if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [walkText(k, `${at}.${k}`), walk(inner, `${at}.${k}`)]));
      return v;
    };
    return JSON.stringify(walk(value, 'body'), null, 2).replace(/"\\u0000(\d+)\\u0000"/g, (_all, i: string) => `{{${unquoted[Number(i)]}}}`);
  }

  /** A JavaScript expression for a scenario var's value, evaluated in the folder's pre-request script. */
  js(value: unknown): string {
    if (typeof value === 'string') {
      const whole = WHOLE.exec(value);
      if (whole && this.kind(whole[1]!) === 'json') return `JSON.parse(pm.variables.get(${JSON.stringify(whole[1])}))`;
      const text = toPostman(value);
      return text.includes('{{') ? `text(${JSON.stringify(text)})` : JSON.stringify(text);
    }
    if (Array.isArray(value)) return `[${value.map((v) => this.js(v)).join(', ')}]`;
    if (isPlainObject(value)) {
      return `{ ${Object.entries(value)
        .map(([k, v]) => {
          const key = toPostman(k);
          return `${key.includes('{{') ? `[text(${JSON.stringify(key)})]` : JSON.stringify(key)}: ${this.js(v)}`;
        })
        .join(', ')} }`;
    }
    return JSON.stringify(value);
  }
}

/** Names used as a whole JSON value of a body (`audiences: ${audiences}`, `["${issuer}"]`). */
function wholeValuesIn(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) into.add(whole[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => wholeValuesIn(v, into));
  else if (isPlainObject(value)) Object.values(value).forEach((v) => wholeValuesIn(v, into));
}

/** What a step sends as a JSON body (undefined: none, or a string sent as it is). */
function jsonBodyOf(step: ScenarioStep, scenarioDir: string): unknown {
  switch (step.kind) {
    case 'iam':
      return typeof step.iam.body === 'string' ? undefined : step.iam.body;
    case 'request':
      return typeof step.request.body === 'string' ? undefined : step.request.body;
    case 'deploy':
      return deploymentOf(step.deploy, scenarioDir, (v) => v);
    default:
      return undefined;
  }
}

interface Header {
  key: string;
  value: string;
}

function url(base: string, path: string, query: Record<string, string> | undefined): object {
  // Postman encodes spaces and quotes itself; what would change the query's meaning is encoded here.
  const encode = (text: string) => toPostman(text).replace(/[%&=#+]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const queryList = Object.entries(query ?? {}).map(([key, value]) => ({ key: encode(key), value: encode(value) }));
  const address = `${base}${toPostman(path)}`;
  const slash = address.indexOf('/');
  const host = slash < 0 ? address : address.slice(0, slash);
  const segments = slash < 0 ? [] : address.slice(slash + 1).split('/');
  const raw = `${address}${queryList.length ? `?${queryList.map((q) => `${q.key}=${q.value}`).join('&')}` : ''}`;
  return { raw, host: [host], path: segments, ...(queryList.length ? { query: queryList } : {}) };
}

const hasHeader = (headers: Header[], name: string) => headers.some((h) => h.key.toLowerCase() === name.toLowerCase());
const headerList = (headers: Record<string, string> | undefined): Header[] => Object.entries(headers ?? {}).map(([key, value]) => ({ key, value: toPostman(value) }));
const NO_AUTH = { type: 'noauth' };
const rawJsonBody = (raw: string) => ({ mode: 'raw', raw, options: { raw: { language: 'json' } } });
const script = (listen: 'prerequest' | 'test', lines: string[]) => ({ listen, script: { type: 'text/javascript', exec: lines } });

/** The request a step makes, as the runner's steps/*.ts make it. */
function requestOf(step: ScenarioStep, vars: Variables, scenarioDir: string): Record<string, unknown> {
  const where = step.where;
  switch (step.kind) {
    case 'iam': {
      const { iam } = step;
      const header: Header[] = [{ key: 'Accept', value: 'application/json' }, ...headerList(iam.headers)];
      let body: object | undefined;
      if (iam.body !== undefined) {
        if (!hasHeader(header, 'content-type')) header.push({ key: 'Content-Type', value: 'application/json' });
        body = typeof iam.body === 'string' ? { mode: 'raw', raw: toPostman(iam.body) } : rawJsonBody(vars.rawJson(iam.body, where));
      }
      const auth = iam.auth === 'admin' ? { type: 'bearer', bearer: [{ key: 'token', value: '{{adminToken}}', type: 'string' }] } : NO_AUTH;
      return { method: iam.method, header, auth, ...(body ? { body } : {}), url: url('{{iamUrl}}', iam.path, iam.query) };
    }
    case 'token': {
      const { token } = step;
      const form: Header[] = [{ key: 'grant_type', value: token.grant }];
      const set = (key: string, value: string | undefined) => {
        if (value === undefined) return;
        const existing = form.find((f) => f.key === key);
        if (existing) existing.value = toPostman(value);
        else form.push({ key, value: toPostman(value) });
      };
      set('scope', token.scope);
      set('username', token.username);
      set('password', token.password);
      set('refresh_token', token.refreshToken);
      for (const [k, v] of Object.entries(token.form ?? {})) set(k, v);
      let auth: object;
      if (token.clientAuth === 'basic') {
        auth = {
          type: 'basic',
          basic: [
            { key: 'username', value: toPostman(token.clientId), type: 'string' },
            { key: 'password', value: toPostman(token.clientSecret), type: 'string' },
          ],
        };
      } else {
        set('client_id', token.clientId);
        set('client_secret', token.clientSecret);
        auth = NO_AUTH;
      }
      return {
        method: 'POST',
        header: [
          { key: 'Content-Type', value: 'application/x-www-form-urlencoded' },
          { key: 'Accept', value: 'application/json' },
        ],
        auth,
        body: { mode: 'urlencoded', urlencoded: form.map((f) => ({ ...f, type: 'text' })) },
        url: url('{{iamUrl}}', '/oauth2/v1/token', undefined),
      };
    }
    case 'deploy': {
      const { deploy } = step;
      const d = deploymentOf(deploy, scenarioDir, (v) => v);
      if (!d.specification) throw new Error(`${where}.deploy: the deployment has no specification`);
      const payload = deploy.update
        ? { ...(d.displayName ? { displayName: d.displayName } : {}), specification: d.specification }
        : { pathPrefix: d.pathPrefix, ...(d.displayName ? { displayName: d.displayName } : {}), specification: d.specification };
      return {
        method: deploy.update ? 'PUT' : 'POST',
        header: [{ key: 'Content-Type', value: 'application/json' }],
        auth: NO_AUTH,
        body: rawJsonBody(vars.rawJson(payload, where)),
        url: url('{{controlPlaneUrl}}', `/20190501/deployments${deploy.update ? `/${deploy.update}` : ''}`, undefined),
      };
    }
    case 'request': {
      const { request } = step;
      const header = headerList(request.headers);
      let body: object | undefined;
      if (request.body !== undefined) {
        if (typeof request.body === 'string') body = { mode: 'raw', raw: toPostman(request.body) };
        else {
          if (!hasHeader(header, 'content-type')) header.push({ key: 'Content-Type', value: 'application/json' });
          body = rawJsonBody(vars.rawJson(request.body, where));
        }
      }
      return { method: request.method, header, auth: NO_AUTH, ...(body ? { body } : {}), url: url('{{gatewayUrl}}', request.path, request.query) };
    }
    case 'clock':
      return {
        method: 'POST',
        header: [{ key: 'Content-Type', value: 'application/json' }],
        auth: NO_AUTH,
        body: rawJsonBody(JSON.stringify({ advanceSeconds: step.clock.advanceSeconds }, null, 2)),
        url: url('{{iamUrl}}', '/_harness/clock', undefined),
      };
  }
}

const KIND_NOTES: Record<ScenarioStep['kind'], string> = {
  iam: 'An admin REST call of the identity domain with the admin token (`{{adminToken}}`, fetched by the collection\'s pre-request script).',
  token: 'A token request at the identity domain\'s token endpoint.',
  deploy:
    'A deployment through the harness gateway\'s control plane (OCI\'s REST shape, unsigned: a local convenience; against OCI use the console or the CLI). The checks read the deployment as it is afterwards (`{id, lifecycleState, pathPrefix, specification}`).',
  request: 'A call to the gateway\'s data plane.',
  clock: 'Moves the harness\'s shared clock (IAM and gateway): local only.',
};

/** Turns one step into a request item and records what it defines. */
function itemOf(scenario: Scenario, step: ScenarioStep, vars: Variables, wholeInBodies: Set<string>): object {
  const scenarioDir = dirname(scenario.file);
  const request = requestOf(step, vars, scenarioDir);
  const spec: Record<string, unknown> = { kind: step.kind };
  if (step.kind === 'deploy' && step.deploy.update) spec.update = toPostman(step.deploy.update);
  if (step.expect) {
    spec.expect = convertDeep(step.expect);
    const json = variablesIn(step.expect).filter((name) => vars.kind(name) === 'json');
    if (json.length) spec.json = json;
  }
  const captures: object[] = [];
  for (const [name, path] of Object.entries(step.capture ?? {})) {
    const parsed = parseCapturePath(path);
    if (!parsed.ok) throw new Error(`${step.where}.capture.${name}: ${parsed.reason}`);
    const kind = captureKind(step, parsed, vars) ?? 'string';
    vars.define(name, kind);
    captures.push({
      name,
      path,
      source: parsed.source,
      segments: parsed.segments,
      ...(kind === 'json' ? { json: true } : {}),
      ...(kind === 'string' && wholeInBodies.has(name) ? { quoted: true } : {}),
    });
  }
  if (captures.length) spec.capture = captures;
  const description = [
    step.title ?? step.id,
    '',
    `Step \`${step.id}\` of ${scenarioFile(scenario)} (${step.kind}, ${step.marker}). ${KIND_NOTES[step.kind]}`,
    ...(step.note ? ['', step.note] : []),
  ].join('\n');
  return {
    id: idOf(`${scenario.name}/${step.id}`),
    name: step.title ? `${step.id}: ${step.title}` : step.id,
    event: [
      script('test', [
        `// The checks of scenario step ${step.id}: its expect and capture, run by the collection's test script.`,
        `eval(pm.variables.get('harness'))(${JSON.stringify(spec, null, 2)});`.split('\n'),
      ].flat()),
    ],
    request: { ...request, description },
    response: [],
  };
}

/** An expectation with `{{x}}` for `${x}`, in keys too. */
function convertDeep(value: unknown): unknown {
  if (typeof value === 'string') return toPostman(value);
  if (Array.isArray(value)) return value.map(convertDeep);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [toPostman(k), convertDeep(v)]));
  return value;
}

function captureKind(step: ScenarioStep, path: Extract<ReturnType<typeof parseCapturePath>, { ok: true }>, vars: Variables): Kind | undefined {
  if (path.source === 'status') return 'json';
  if (path.source === 'headers') return 'string';
  let expected: unknown = path.source === 'body' ? step.expect?.body : path.source === 'claims' ? step.expect?.claims : step.expect?.tokenHeader;
  for (const segment of path.segments) {
    if (isMatcher(expected)) return undefined;
    if (Array.isArray(expected) && typeof segment === 'number') expected = expected[segment];
    else if (isPlainObject(expected) && Object.hasOwn(expected, segment)) expected = expected[segment];
    else return undefined;
  }
  return vars.kindOfExpected(expected);
}

const scenarioFile = (scenario: Scenario) => `scenarios/${scenario.name}.yaml`;

/** The folder of one scenario: its vars set by a pre-request script, one request per step. */
function folderOf(scenario: Scenario): object {
  const vars = new Variables();
  const lines = [
    `// The variables of ${scenarioFile(scenario)}, set as collection variables once per {{suffix}}`,
    '// (values that are not strings as JSON text).',
    `const run = ${JSON.stringify(scenario.name)} + ' ' + pm.collectionVariables.get('suffix');`,
    `if (pm.collectionVariables.get('scenarioRun') !== run) {`,
    `  const text = (s) => s.replace(/\\{\\{([A-Za-z_][\\w.]*)\\}\\}/g, (_, name) => pm.variables.get(name));`,
  ];
  for (const [name, value] of Object.entries(scenario.vars)) {
    const kind = vars.kindOfValue(value);
    const expression = vars.js(value);
    lines.push(`  pm.collectionVariables.set(${JSON.stringify(name)}, ${kind === 'json' ? `JSON.stringify(${expression})` : expression});`);
    vars.define(name, kind);
  }
  lines.push(`  pm.collectionVariables.set('scenarioRun', run);`, '}');

  const wholeInBodies = new Set<string>();
  for (const step of scenario.steps) wholeValuesIn(jsonBodyOf(step, dirname(scenario.file)), wholeInBodies);
  const items = scenario.steps.map((step) => itemOf(scenario, step, vars, wholeInBodies));
  const description = [scenario.title ?? scenario.name, '', ...(scenario.description ? [scenario.description.trim(), ''] : []), ...(scenario.source ? [`Source: ${scenario.source}.`, ''] : []), `Generated from ${scenarioFile(scenario)}.`].join('\n');
  return { id: idOf(scenario.name), name: scenario.title ?? scenario.name, description, item: items, event: [script('prerequest', lines)] };
}

/** The collection-level pre-request script: a scenario's start, and the admin token. */
function preRequestScript(firstSteps: string[]): string[] {
  return `// A scenario starts at its first step: a new {{suffix}} (6 random lower-case letters and digits,
// a letter first, as the runner's) and a new admin token. Other requests reuse both.
const FIRST_STEPS = ${JSON.stringify(firstSteps, null, 2)};
if (!pm.collectionVariables.get('suffix') || FIRST_STEPS.includes(pm.info.requestName)) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = letters + '0123456789';
  let suffix = letters[Math.floor(Math.random() * 26)];
  while (suffix.length < 6) suffix += alphabet[Math.floor(Math.random() * 36)];
  pm.collectionVariables.set('suffix', suffix);
  pm.collectionVariables.set('adminToken', '');
}
// The admin token: client_credentials of the admin client (the Identity Domain Administrator app
// role) with scope urn:opc:idm:__myscopes__, which authorizes /admin/v1 calls.
if (!pm.collectionVariables.get('adminToken')) {
  const id = pm.variables.get('adminClientId');
  const secret = pm.variables.get('adminClientSecret');
  if (!id || !secret || !pm.variables.get('iamUrl')) {
    pm.test('the environment names the identity domain and its admin client', () => {
      throw new Error('choose an environment with iamUrl, adminClientId and adminClientSecret (postman/local.postman_environment.json)');
    });
  } else {
    pm.sendRequest({
      url: pm.variables.get('iamUrl') + '/oauth2/v1/token',
      method: 'POST',
      header: {
        Authorization: 'Basic ' + btoa(encodeURIComponent(id) + ':' + encodeURIComponent(secret)),
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: { mode: 'urlencoded', urlencoded: [{ key: 'grant_type', value: 'client_credentials' }, { key: 'scope', value: 'urn:opc:idm:__myscopes__' }] },
    }, (err, response) => {
      let token;
      try { token = !err && response.code === 200 ? response.json().access_token : undefined; } catch (e) { token = undefined; }
      if (token) pm.collectionVariables.set('adminToken', token);
      else pm.test('the admin client ' + id + ' gets a token', () => {
        throw new Error(err ? err.message : 'the token endpoint answered ' + response.code + ': ' + response.text());
      });
    });
  }
}`.split('\n');
}

/**
 * The collection-level test script: the checks of scenarios/runner/expectations.ts and the
 * captures of capture.ts, kept in the local variable `harness` for each request's test script.
 */
const TEST_SCRIPT = String.raw`// The checks every request runs (scenarios/runner/expectations.ts and capture.ts in Postman).
// Each request's test script calls them with its step: eval(pm.variables.get('harness'))(step), where
// step = { kind, expect?, capture?: [{ name, path, source, segments, json?, quoted? }], json?: [names], update? }.
//
// Expected values match as a subset: objects name only the members they care about, arrays match
// element by element and must be as long, scalars must be equal. Matchers: $exists, $equals,
// $oneOf, $matches, $startsWith, $contains, $type, $not. {{x}} in an expectation is the variable's
// value (a whole {{x}} named in step.json is its JSON value).
function harness(step) {
  const ABSENT = { absent: true };
  const VARIABLE = /\{\{([A-Za-z_][\w.]*)\}\}/g;
  const WHOLE = /^\{\{([A-Za-z_][\w.]*)\}\}$/;
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const show = (v) => (v === ABSENT ? 'nothing' : JSON.stringify(v) ?? String(v));
  const short = (s) => (s.length > 100 ? s.slice(0, 97) + '...' : s);
  const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const isMatcher = (v) => isObject(v) && Object.keys(v).length === 1 && Object.keys(v)[0].startsWith('$') && !Object.keys(v)[0].startsWith('$' + '{');
  const equal = (a, b) => {
    if (a === b) return true;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => has(b, k) && equal(a[k], b[k]));
  };

  const lookUp = (name) => {
    const value = pm.variables.get(name);
    if (value === undefined || value === null) throw new Error('{{' + name + '}} has no value (was the step that captures it skipped or did it fail?)');
    return value;
  };
  const text = (s) => s.replace(VARIABLE, (_, name) => String(lookUp(name)));
  const json = step.json || [];
  const interpolate = (v) => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      return whole && json.includes(whole[1]) ? JSON.parse(lookUp(whole[1])) : text(v);
    }
    if (Array.isArray(v)) return v.map(interpolate);
    if (isObject(v)) {
      const out = {};
      for (const [k, inner] of Object.entries(v)) out[text(k)] = interpolate(inner);
      return out;
    }
    return v;
  };

  const mismatches = (expected, actual, path) => {
    if (isMatcher(expected)) {
      const [name, arg] = Object.entries(expected)[0];
      const fail = (what) => [path + ': expected ' + what + ', got ' + show(actual)];
      switch (name) {
        case '$exists': return (actual !== ABSENT) === arg ? [] : fail(arg ? 'a value' : 'nothing');
        case '$equals': return actual !== ABSENT && equal(actual, arg) ? [] : fail('exactly ' + show(arg));
        case '$oneOf': return arg.some((a) => mismatches(a, actual, path).length === 0) ? [] : fail('one of ' + show(arg));
        case '$matches': return typeof actual === 'string' && new RegExp(arg).test(actual) ? [] : fail('a string matching /' + arg + '/');
        case '$startsWith': return typeof actual === 'string' && actual.startsWith(arg) ? [] : fail('a string starting with ' + show(arg));
        case '$contains':
          if (typeof actual === 'string' && typeof arg === 'string') return actual.includes(arg) ? [] : fail('a string containing ' + show(arg));
          return Array.isArray(actual) && actual.some((a) => mismatches(arg, a, path).length === 0) ? [] : fail('a list containing ' + show(arg));
        case '$type': return actual !== ABSENT && typeOf(actual) === arg ? [] : fail('a value of type ' + arg);
        case '$not': return mismatches(arg, actual, path).length > 0 ? [] : fail('anything but ' + show(arg));
        default: return [path + ': unknown matcher ' + name];
      }
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) return [path + ': expected a list ' + show(expected) + ', got ' + show(actual)];
      if (actual.length !== expected.length) return [path + ': expected ' + expected.length + ' elements ' + show(expected) + ', got ' + actual.length + ': ' + show(actual)];
      return expected.flatMap((e, i) => mismatches(e, actual[i], path + '[' + i + ']'));
    }
    if (isObject(expected)) {
      if (actual === ABSENT || !isObject(actual)) return [path + ': expected an object with ' + show(expected) + ', got ' + show(actual)];
      return Object.entries(expected).flatMap(([k, v]) => mismatches(v, has(actual, k) ? actual[k] : ABSENT, path + '.' + k));
    }
    return actual !== ABSENT && equal(actual, expected) ? [] : [path + ': expected ' + show(expected) + ', got ' + show(actual)];
  };
  const assert = (path, expected, actual) =>
    pm.test(short(path + ' ' + show(expected)), () => {
      const found = mismatches(expected, actual, path);
      if (found.length) throw new Error(found.join('; '));
    });
  // One test per member of an expected object, so that Postman lists each check.
  const members = (path, expected, actual) => {
    if (actual !== ABSENT && isObject(actual) && isObject(expected) && !isMatcher(expected)) {
      for (const [k, v] of Object.entries(expected)) assert(path + '.' + k, v, has(actual, k) ? actual[k] : ABSENT);
    } else assert(path, expected, actual);
  };

  const decodeJwt = (token) => {
    if (typeof token !== 'string') return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const decode = (part) => {
      const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
      const binary = atob(base64 + '==='.slice((base64.length + 3) % 4));
      return JSON.parse(decodeURIComponent(binary.split('').map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('')));
    };
    try {
      const header = decode(parts[0]);
      const claims = decode(parts[1]);
      return isObject(header) && isObject(claims) ? { header, claims } : undefined;
    } catch (e) {
      return undefined;
    }
  };
  // What the runner observes of an answer: status, headers (lower-case names), the body (JSON when it parses), the access token decoded.
  const observe = (response) => {
    const headers = {};
    response.headers.each((h) => {
      if (h.disabled) return;
      const name = h.key.toLowerCase();
      headers[name] = has(headers, name) ? headers[name] + ', ' + h.value : h.value;
    });
    const observation = { status: response.code, headers };
    const body = response.text();
    if (body !== '') {
      try { observation.body = JSON.parse(body); } catch (e) { observation.body = body; }
    }
    const accessToken = isObject(observation.body) ? decodeJwt(observation.body.access_token) : undefined;
    if (accessToken) observation.accessToken = accessToken;
    return observation;
  };
  // A deploy step observes the deployment once in force, or the control plane's refusal.
  const deployment = (response) => {
    const { status, body } = observe(response);
    if (status >= 300) return { status, body: { code: (body && body.code) || 'Unknown', message: (body && body.message) || '' } };
    return { status: 200, body: { id: body.id, lifecycleState: body.lifecycleState, pathPrefix: body.pathPrefix, specification: body.specification } };
  };
  const readPath = (observation, capture) => {
    let value;
    switch (capture.source) {
      case 'status': return observation.status === undefined ? { found: false } : { found: true, value: observation.status };
      case 'headers': {
        const header = (observation.headers || {})[String(capture.segments[0]).toLowerCase()];
        return header === undefined ? { found: false } : { found: true, value: header };
      }
      case 'body': value = observation.body; break;
      case 'claims': value = observation.accessToken && observation.accessToken.claims; break;
      case 'tokenHeader': value = observation.accessToken && observation.accessToken.header; break;
    }
    for (const segment of capture.segments) {
      if (value === null || typeof value !== 'object' || !has(value, segment)) return { found: false };
      value = value[segment];
    }
    return value === undefined ? { found: false } : { found: true, value };
  };

  const check = (observation) => {
    let expect = {};
    try {
      expect = interpolate(step.expect || {});
    } catch (err) {
      pm.test('the expectation\'s variables have values', () => { throw err; });
    }
    if (expect.status !== undefined) {
      const allowed = Array.isArray(expect.status) ? expect.status : [expect.status];
      pm.test('status ' + allowed.join(' or '), () => {
        if (!allowed.includes(observation.status)) throw new Error('status: expected ' + allowed.join(' or ') + ', got ' + (observation.status === undefined ? 'no answer' : observation.status));
      });
    }
    for (const [name, value] of Object.entries(expect.headers || {})) {
      const header = (observation.headers || {})[name.toLowerCase()];
      assert('headers.' + name.toLowerCase(), value, header === undefined ? ABSENT : header);
    }
    if (expect.body !== undefined) members('body', expect.body, observation.body === undefined ? ABSENT : observation.body);
    for (const part of ['claims', 'tokenHeader']) {
      if (expect[part] === undefined) continue;
      const token = observation.accessToken;
      if (!token) pm.test(part, () => { throw new Error(part + ': the answer carried no access token'); });
      else members(part, expect[part], part === 'claims' ? token.claims : token.header);
    }
    for (const capture of step.capture || []) {
      pm.test('capture ' + capture.name + ' = ' + capture.path, () => {
        const read = readPath(observation, capture);
        if (!read.found) throw new Error('capture.' + capture.name + ': the answer has no ' + capture.path);
        const value = read.value;
        pm.collectionVariables.set(capture.name, typeof value === 'string' && !capture.json ? value : JSON.stringify(value));
        if (capture.quoted && typeof value !== 'string') {
          throw new Error('capture.' + capture.name + ': ' + capture.path + ' is ' + show(value) + ', not a string, but later bodies write "{{' + capture.name + '}}" in quotes; expect its type in the scenario (e.g. { $type: array }) and run npm run postman');
        }
      });
    }
  };

  if (step.kind === 'deploy' && step.update !== undefined && pm.response.code < 300) {
    // An update answers 202 without a body (OCI's work request): read the deployment as it now is.
    let address;
    try {
      address = text('{{controlPlaneUrl}}') + '/20190501/deployments/' + encodeURIComponent(text(step.update));
    } catch (err) {
      pm.test('the deployment to read has an id', () => { throw err; });
      return;
    }
    pm.sendRequest({ url: address, method: 'GET' }, (err, response) => {
      if (err) pm.test('GET ' + address, () => { throw err; });
      else check(deployment(response));
    });
  } else if (step.kind === 'deploy') check(deployment(pm.response));
  else if (step.kind === 'clock') {
    pm.test('the clock moved', () => pm.expect(pm.response.code).to.equal(200));
    // The admin token may have expired on the moved clock: the next request fetches a new one.
    pm.collectionVariables.set('adminToken', '');
    check({});
  } else check(observe(pm.response));
}
pm.variables.set('harness', '(' + harness.toString() + ')');`.split('\n');

/** The collection of the given scenarios (one folder each). */
export function postmanCollection(scenarios: Scenario[]): object {
  const firstSteps = [...new Set(scenarios.map((s) => s.steps[0]!).map((step) => (step.title ? `${step.id}: ${step.title}` : step.id)))];
  return {
    info: {
      _postman_id: idOf('oci-auth-harness'),
      name: 'oci-auth-harness scenarios',
      description: [
        'The scenarios of oci-auth-harness (the source blog\'s use cases) as Postman requests: one folder per scenario, one request per step, with the scenario\'s expectations as tests.',
        '',
        'Use it with the environment postman/local.postman_environment.json against `npm start` (IAM on :8080, gateway data plane on :8000, control plane on :8001), and run each folder in order: later requests use what earlier ones captured. Every scenario creates its objects with a new random {{suffix}}; nothing is deleted afterwards (restart the stack to start clean).',
        '',
        `Generated from ${scenarios.map(scenarioFile).join(' and ')} by \`npm run postman\` (scenarios/postman/generate.ts): change the scenarios, not this file.`,
      ].join('\n'),
      schema: POSTMAN_SCHEMA,
    },
    item: scenarios.map(folderOf),
    event: [script('prerequest', preRequestScript(firstSteps)), script('test', TEST_SCRIPT)],
    variable: [
      { key: 'target', value: 'local', type: 'string' },
      { key: 'suffix', value: '', type: 'string' },
      { key: 'adminToken', value: '', type: 'string' },
    ],
  };
}

/** The environment: where the stack listens and its admin client. */
export function postmanEnvironment(urls: { iamUrl: string; gatewayUrl: string; controlPlaneUrl: string }, admin: { id: string; secret: string }): object {
  const value = (key: string, v: string, type: 'default' | 'secret' = 'default') => ({ key, value: v, type, enabled: true });
  return {
    id: idOf('oci-auth-harness local environment'),
    name: 'oci-auth-harness local',
    values: [
      value('iamUrl', urls.iamUrl),
      value('gatewayUrl', urls.gatewayUrl),
      value('controlPlaneUrl', urls.controlPlaneUrl),
      value('adminClientId', admin.id),
      value('adminClientSecret', admin.secret, 'secret'),
    ],
    _postman_variable_scope: 'environment',
  };
}

/** The files `npm run postman` writes (paths relative to the repository root) and their text. */
export function postmanFiles(): Record<string, string> {
  const scenarios = POSTMAN_SCENARIOS.map((file) => loadScenario(resolve(ROOT, file)));
  const config = loadStackConfig(DEFAULT_CONFIG_FILE, {});
  const { iamUrl, backendUrl } = resolveLinks(config);
  const at = (port: number) => {
    const u = new URL(backendUrl);
    u.port = String(port);
    return u.origin;
  };
  const admin = config.iam.apps.find((a) => a.grantedAppRoles.includes('Identity Domain Administrator') && a.clientSecret);
  if (!admin?.clientSecret) throw new Error(`${DEFAULT_CONFIG_FILE} has no client with the Identity Domain Administrator app role and a secret`);
  const text = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    [COLLECTION_FILE]: text(postmanCollection(scenarios)),
    [ENVIRONMENT_FILE]: text(postmanEnvironment({ iamUrl, gatewayUrl: at(config.gateway.port), controlPlaneUrl: at(config.gateway.adminPort) }, { id: admin.name, secret: admin.clientSecret })),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const [file, text] of Object.entries(postmanFiles())) {
    mkdirSync(dirname(resolve(ROOT, file)), { recursive: true });
    writeFileSync(resolve(ROOT, file), text);
    console.log(`wrote ${file}`);
  }
}
