/**
 * The scenario file format (YAML): what a user writes to describe an auth scenario step by step,
 * as the source blog does by hand. Validated with zod at load; every problem names the step (its
 * index and id) and the field, e.g.
 * `steps[3] (call-gateway).request.headers.Authorization: ${tokne} is not defined before this step`.
 *
 * ```yaml
 * title: Use case 1, a technical user with scopes
 * vars:
 *   audience: anwendung1-${suffix}
 * steps:
 *   - id: token
 *     title: "Step 4: a token for the client"
 *     token: { clientId: "${clientId}", clientSecret: "${clientSecret}", grant: client_credentials, scope: "${audience}AnwendungReadA" }
 *     expect: { status: 200, claims: { aud: "${audience}", scope: AnwendungReadA } }
 *     capture: { token: body.access_token }
 * ```
 *
 * docs/scenarios.md describes every field; this file is the definition.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { fieldPath, parseYaml } from '../../common/config.js';
import { MARKERS, type Marker, type StepKind } from './types.js';
import { BUILT_IN_VARIABLES, variablesIn } from './interpolate.js';
import { parseCapturePath } from './capture.js';
import { matcherProblems } from './expectations.js';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
const stringMap = z.record(z.string(), z.string());
/** A path, or a variable that holds one (checked again once interpolated). */
const pathOrVariable = (hint: string) => z.string().regex(/^(\/|\$\{)/, `must start with / ${hint}`);
const json = z.unknown();

const iamStep = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  /** A path of the identity domain, e.g. /admin/v1/Apps. */
  path: pathOrVariable('(a path of the identity domain, e.g. /admin/v1/Apps)'),
  query: stringMap.optional(),
  headers: stringMap.optional(),
  body: json.optional(),
  /** `admin` (default): a bearer token of the target's admin client; `none`: no Authorization header. */
  auth: z.enum(['admin', 'none']).default('admin'),
  /** Delete what a POST created (its `id`) when the scenario ends. Default true for POST. */
  cleanup: z.boolean().optional(),
});

const tokenStep = z.strictObject({
  grant: z.enum(['client_credentials', 'password', 'refresh_token']),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** `basic` (default): HTTP Basic, as the blog's curl; `post`: client_id and client_secret in the form. */
  clientAuth: z.enum(['basic', 'post']).default('basic'),
  scope: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  refreshToken: z.string().optional(),
  /** Further form fields, sent as given. */
  form: stringMap.optional(),
});

const deployStep = z
  .strictObject({
    /** A deployment file (JSON or YAML: `{pathPrefix, specification, displayName?}`), relative to the scenario file. */
    file: z.string().min(1).optional(),
    pathPrefix: pathOrVariable('(e.g. /test)').optional(),
    displayName: z.string().optional(),
    specification: z.record(z.string(), z.unknown()).optional(),
    /** The id of a deployment this step replaces (PUT), usually a captured `${deploymentId}`; absent: a new deployment. */
    update: z.string().min(1).optional(),
    /** Delete the new deployment when the scenario ends (default true). */
    cleanup: z.boolean().optional(),
  })
  .superRefine((d, ctx) => {
    if (d.file === undefined && d.specification === undefined) ctx.addIssue({ code: 'custom', message: 'give a deployment file or an inline specification', path: ['specification'] });
    if (d.file !== undefined && d.specification !== undefined) ctx.addIssue({ code: 'custom', message: 'give a deployment file or an inline specification, not both', path: ['file'] });
    if (d.file === undefined && d.pathPrefix === undefined && d.update === undefined) ctx.addIssue({ code: 'custom', message: 'a new inline deployment needs a pathPrefix', path: ['pathPrefix'] });
  });

const requestStep = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  /** A path of the gateway's data plane: the deployment's pathPrefix + the route path. */
  path: pathOrVariable('(a deployment path prefix and route, e.g. /test/1)'),
  query: stringMap.optional(),
  headers: stringMap.optional(),
  /** An object or array is sent as JSON; a string as it is. */
  body: json.optional(),
});

const clockStep = z.strictObject({ advanceSeconds: z.number().int().positive() });

const expectation = z.strictObject({
  /** One status or a list of acceptable ones. */
  status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  /** Response headers (names case-insensitive): a value or a matcher. */
  headers: z.record(z.string(), json).optional(),
  /** The response body: a subset match (see expectations.ts for matchers such as $exists). */
  body: json.optional(),
  /** The claims of the access token in the answer (subset match). */
  claims: z.record(z.string(), json).optional(),
  /** The JOSE header of the access token in the answer (subset match). */
  tokenHeader: z.record(z.string(), json).optional(),
});

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const step = z.strictObject({
  id: z.string().regex(STEP_ID, 'lower-case letters, digits and dashes, starting with a letter or digit'),
  title: z.string().optional(),
  marker: z.enum(MARKERS).default('unverified'),
  /** Why the marker is what it is (for `needs-fixing` and `local-only`: say what differs). */
  note: z.string().optional(),
  iam: iamStep.optional(),
  token: tokenStep.optional(),
  deploy: deployStep.optional(),
  request: requestStep.optional(),
  clock: clockStep.optional(),
  expect: expectation.optional(),
  /** Variables for later steps: `name: body.access_token`, `claims.aud`, `headers.etag`, `status`. */
  capture: z.record(z.string().regex(/^[A-Za-z_][\w]*$/, 'a variable name: letters, digits and _'), z.string()).optional(),
  /** Further response headers to keep in a recording (content-type and the auth headers always are). */
  record: z.strictObject({ headers: z.array(z.string().min(1)) }).optional(),
  /** JSONPath-like paths not compared with the recording (a known, named gap), e.g. `$.body.meta`. */
  ignore: z.array(z.string().startsWith('$', 'a path such as $.body.meta or $..x5t')).optional(),
});

const scenarioSchema = z.strictObject({
  title: z.string().optional(),
  description: z.string().optional(),
  /** Where the scenario comes from (the blog's use case and steps). */
  source: z.string().optional(),
  /** Scenario variables; values may use the built-in variables and earlier ones. */
  vars: z.record(z.string().regex(/^[A-Za-z_][\w]*$/, 'a variable name: letters, digits and _'), json).default({}),
  steps: z.array(step).min(1, 'a scenario needs at least one step'),
});

type RawStep = z.infer<typeof step>;
export type IamStep = z.infer<typeof iamStep>;
export type TokenStep = z.infer<typeof tokenStep>;
export type DeployStep = z.infer<typeof deployStep>;
export type RequestStep = z.infer<typeof requestStep>;
export type ClockStep = z.infer<typeof clockStep>;
export type Expectation = z.infer<typeof expectation>;

interface StepCommon {
  id: string;
  title?: string | undefined;
  marker: Marker;
  note?: string | undefined;
  expect?: Expectation | undefined;
  capture?: Record<string, string> | undefined;
  record?: { headers: string[] } | undefined;
  ignore?: string[] | undefined;
  /** Where the step is in its file, for messages: `steps[3] (call-gateway)`. */
  where: string;
}

export type ScenarioStep = StepCommon &
  (
    | { kind: 'iam'; iam: IamStep }
    | { kind: 'token'; token: TokenStep }
    | { kind: 'deploy'; deploy: DeployStep }
    | { kind: 'request'; request: RequestStep }
    | { kind: 'clock'; clock: ClockStep }
  );

export interface Scenario {
  name: string;
  file: string;
  title?: string | undefined;
  description?: string | undefined;
  source?: string | undefined;
  vars: Record<string, unknown>;
  steps: ScenarioStep[];
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid scenario ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const KINDS: StepKind[] = ['iam', 'token', 'deploy', 'request', 'clock'];

/** `steps[3] (call-gateway).request.path` for a zod path inside the steps, the plain path elsewhere. */
function describePath(path: PropertyKey[], raw: unknown): string {
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const id = (raw as { steps?: Array<{ id?: unknown }> })?.steps?.[path[1]]?.id;
    const head = `steps[${path[1]}]${typeof id === 'string' ? ` (${id})` : ''}`;
    return path.length > 2 ? `${head}.${fieldPath(path.slice(2))}` : head;
  }
  return fieldPath(path);
}

/**
 * Steps written `- include: fragments/technical-user.yaml` are replaced by the steps of that file
 * (a YAML file with `steps:`, relative to the including file), so scenarios share their set-up
 * instead of copying it. Fragments may include fragments; a cycle is an error.
 */
function expandIncludes(raw: unknown, file: string, seen: string[] = [file]): unknown {
  const steps = (raw as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return raw;
  const expanded: unknown[] = [];
  steps.forEach((item, index) => {
    const include = (item as { include?: unknown })?.include;
    if (include === undefined) return void expanded.push(item);
    const where = `${file}: steps[${index}].include`;
    if (typeof include !== 'string' || Object.keys(item as object).length !== 1) throw new ScenarioError(file, [`${where}: write "- include: <file>" alone (the steps come from that file)`]);
    const path = resolve(dirname(file), include);
    if (seen.includes(path)) throw new ScenarioError(file, [`${where}: ${include} includes itself (${[...seen, path].map((f) => basename(f)).join(' → ')})`]);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ScenarioError(file, [`${where}: cannot read ${include}: ${(err as Error).message}`]);
    }
    const parsed = parseYaml(text);
    if (!parsed.ok) throw new ScenarioError(path, parsed.problems);
    const fragment = expandIncludes(parsed.value, path, [...seen, path]) as { steps?: unknown };
    if (!Array.isArray(fragment?.steps)) throw new ScenarioError(path, ['steps: a fragment is a file with a list of steps']);
    expanded.push(...fragment.steps);
  });
  return { ...(raw as object), steps: expanded };
}

/** Validates parsed YAML as a scenario; `file` names it in errors and resolves deployment files. */
export function parseScenario(input: unknown, file: string): Scenario {
  const raw = expandIncludes(input, file);
  const result = scenarioSchema.safeParse(raw ?? {});
  if (!result.success) throw new ScenarioError(file, result.error.issues.map((issue) => `${describePath(issue.path, raw)}: ${issue.message}`));
  const data = result.data;
  const problems: string[] = [];
  const steps: ScenarioStep[] = [];
  const seen = new Map<string, number>();

  data.steps.forEach((s: RawStep, index) => {
    const where = `steps[${index}] (${s.id})`;
    const kinds = KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push(`${where}: ${kinds.length === 0 ? 'says nothing to do' : `has ${kinds.join(' and ')}`}; give exactly one of ${KINDS.join(', ')}`);
      return;
    }
    if (seen.has(s.id)) problems.push(`${where}.id: "${s.id}" is already the id of steps[${seen.get(s.id)}]`);
    seen.set(s.id, index);
    const kind = kinds[0]!;
    if (kind === 'clock' && s.marker !== 'local-only') problems.push(`${where}.marker: a clock step moves the harness's clock, which OCI does not have: mark it local-only`);
    if ((kind === 'clock' || kind === 'deploy') && (s.expect?.claims || s.expect?.tokenHeader)) problems.push(`${where}.expect: a ${kind} step answers no token; claims and tokenHeader apply to token steps`);
    for (const part of ['headers', 'body', 'claims', 'tokenHeader'] as const) {
      if (s.expect?.[part] !== undefined) problems.push(...matcherProblems(s.expect[part], part).map((p) => `${where}.expect.${p}`));
    }
    for (const [name, path] of Object.entries(s.capture ?? {})) {
      const parsed = parseCapturePath(path);
      if (!parsed.ok) problems.push(`${where}.capture.${name}: ${parsed.reason}`);
    }
    const common: StepCommon = { id: s.id, title: s.title, marker: s.marker, note: s.note, expect: s.expect, capture: s.capture, record: s.record, ignore: s.ignore, where };
    steps.push({ ...common, kind, [kind]: s[kind] } as ScenarioStep);
  });

  // Every ${variable} must be defined before the step that uses it: built-ins, vars, earlier captures.
  const defined = new Set<string>(BUILT_IN_VARIABLES);
  for (const [name, value] of Object.entries(data.vars)) {
    for (const used of variablesIn(value)) {
      if (!defined.has(used)) problems.push(`vars.${name}: \${${used}} is not defined (use a built-in variable or a var defined above it)`);
    }
    defined.add(name);
  }
  for (const s of steps) {
    const { where, capture, id: _id, title: _title, marker: _marker, note: _note, ...rest } = s;
    for (const { path, name } of usesIn(rest)) {
      if (!defined.has(name)) problems.push(`${where}.${path}: \${${name}} is not defined before this step (defined: ${[...defined].join(', ')})`);
    }
    for (const name of Object.keys(capture ?? {})) defined.add(name);
  }
  if (problems.length) throw new ScenarioError(file, problems);
  return { name: basename(file).replace(/\.ya?ml$/, ''), file, title: data.title, description: data.description, source: data.source, vars: data.vars, steps };
}

/** Every `${name}` in a value, with the field path it is in (`request.headers.Authorization`). */
function usesIn(value: unknown, path: PropertyKey[] = []): Array<{ path: string; name: string }> {
  if (typeof value === 'string') return variablesIn(value).map((name) => ({ path: fieldPath(path), name }));
  if (Array.isArray(value)) return value.flatMap((v, i) => usesIn(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'kind' || k === 'where' ? [] : [...variablesIn(k).map((name) => ({ path: fieldPath([...path, k]), name })), ...usesIn(v, [...path, k])],
    );
  }
  return [];
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new ScenarioError(file, parsed.problems);
  return parseScenario(parsed.value, file);
}
