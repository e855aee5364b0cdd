/**
 * `explain`: the gateway's own decision for one request, offline. A deployment (as a file, or as
 * the control plane answers it) is validated with the control plane's `validateDeployment`, the
 * request is built as the data plane builds it (`GatewayRequest`), and `decide` of
 * gateway-emulator/pipeline/pipeline.ts runs with real dependencies: a JwksCache (the deployment's
 * REMOTE_JWKS, or a JWKS given instead), a RateLimiter, an authorizer cache, the function map,
 * and a clock (now, or the instant asked for). No second implementation of a decision: what this
 * prints is what the gateway would answer, check by check.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ControllableClock } from '../common/clock.js';
import { parseYaml } from '../common/config.js';
import { AuthorizerCache } from '../gateway-emulator/pipeline/authenticate-custom.js';
import { parseRawQuery } from '../gateway-emulator/pipeline/context-variables.js';
import { fetchJwksOverHttp, JwksCache } from '../gateway-emulator/pipeline/jwks-cache.js';
import { decide, type Decision } from '../gateway-emulator/pipeline/pipeline.js';
import { RateLimiter } from '../gateway-emulator/pipeline/rate-limit.js';
import { matchRoute, type DeploymentRoutes } from '../gateway-emulator/pipeline/route-match.js';
import type { CheckResult, GatewayRequest } from '../gateway-emulator/pipeline/types.js';
import { validateDeployment } from '../gateway-emulator/spec/validate.js';

/** A deployment ready for `decide`, with the name it is shown by. */
export interface ExplainDeployment extends DeploymentRoutes {
  displayName?: string;
}

/** Thrown for input that cannot be explained (an invalid deployment, a bad option): exit 2 in the CLI. */
export class ExplainInputError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** The fields of a deployment document; the rest of a control plane answer (id, times, state) is not validated. */
const DEPLOYMENT_FIELDS = ['pathPrefix', 'specification', 'displayName', 'gatewayId', 'compartmentId'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A deployment from what a user has at hand: a deployment file `{pathPrefix, specification,
 * displayName?}`, a control plane answer (`GET /20190501/deployments/{id}`: its id is kept), or a
 * bare specification `{requestPolicies?, routes}` with `pathPrefix` given. Validated as the
 * control plane validates a create; every problem is reported at once.
 */
export function loadDeployment(raw: unknown, options: { pathPrefix?: string; id?: string; source?: string } = {}): ExplainDeployment {
  const source = options.source ?? 'the deployment';
  if (!isObject(raw)) throw new ExplainInputError(`${source} is not an object {pathPrefix, specification}`);
  let document: Record<string, unknown>;
  if (raw.specification === undefined && Array.isArray(raw.routes)) {
    // `oci api-gateway deployment create --specification file://spec.json` takes just this.
    if (!options.pathPrefix) throw new ExplainInputError(`${source} is a bare specification (routes without pathPrefix): give its path prefix with --path-prefix`);
    document = { pathPrefix: options.pathPrefix, specification: raw };
  } else {
    document = Object.fromEntries(DEPLOYMENT_FIELDS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
    if (options.pathPrefix) document.pathPrefix = options.pathPrefix;
  }
  const checked = validateDeployment(document);
  if (!checked.ok) throw new ExplainInputError(`${source} is not a valid deployment (the control plane would answer 400 InvalidParameter)`, checked.problems);
  const id = options.id ?? (typeof raw.id === 'string' ? raw.id : undefined) ?? `explain:${checked.value.pathPrefix}`;
  return { id, pathPrefix: checked.value.pathPrefix, specification: checked.value.specification, ...(checked.value.displayName ? { displayName: checked.value.displayName } : {}) };
}

/** A deployment file, JSON or YAML (parsed, not yet validated). */
export function readDeploymentFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ExplainInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ExplainInputError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new ExplainInputError(`${file} is not valid YAML`, parsed.problems);
  return parsed.value;
}

/** The request to explain, as a user gives it. */
export interface ExplainRequest {
  method?: string;
  /** The path as sent; may carry `?query` (kept as received). */
  path: string;
  /** More query parameters, appended (encoded) after those of `path`. */
  query?: ReadonlyArray<readonly [string, string]>;
  /** Header names in any case; a list sends the header several times. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Placed where the deployment's authentication policy looks for it (default `Authorization: Bearer`). */
  token?: string;
  body?: string | Buffer;
  /** Default 127.0.0.1. */
  clientIp?: string;
}

type TokenPlace = { header?: string; scheme?: string; query?: string };

/** Where a deployment's authentication policy reads the token; `Authorization: Bearer` when it says nothing. */
export function tokenPlaceOf(deployment: DeploymentRoutes | undefined): TokenPlace {
  const auth = deployment?.specification.requestPolicies?.authentication as { type?: string; tokenHeader?: string; tokenQueryParam?: string; tokenAuthScheme?: string } | undefined;
  if (auth && (auth.type === 'JWT_AUTHENTICATION' || auth.type === 'TOKEN_AUTHENTICATION')) {
    if (auth.tokenHeader) return { header: auth.tokenHeader, ...(auth.tokenAuthScheme ? { scheme: auth.tokenAuthScheme } : {}) };
    if (auth.tokenQueryParam) return { query: auth.tokenQueryParam };
  }
  return { header: 'Authorization', scheme: 'Bearer' };
}

/** The deployment whose path prefix owns the path (the one the data plane would pick), if any. */
function owningDeployment(deployments: ReadonlyArray<DeploymentRoutes>, method: string, path: string): DeploymentRoutes | undefined {
  const match = matchRoute(deployments, method, path);
  if (match.matched) return match.deployment;
  // No route matched: still the deployment whose prefix is longest, for the token's place.
  return [...deployments]
    .filter((d) => path === d.pathPrefix || path.startsWith(`${d.pathPrefix.replace(/\/$/, '')}/`))
    .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length)[0];
}

/** The request as the data plane reads it from the wire (`toGatewayRequest`). */
export function buildGatewayRequest(input: ExplainRequest, deployments: ReadonlyArray<DeploymentRoutes> = []): GatewayRequest {
  const method = (input.method ?? 'GET').toUpperCase();
  if (!input.path.startsWith('/')) throw new ExplainInputError(`the path must start with / (got ${JSON.stringify(input.path)}); give the gateway path, e.g. /test/1`);
  const q = input.path.indexOf('?');
  const path = q < 0 ? input.path : input.path.slice(0, q);
  const queryParts = [q < 0 ? '' : input.path.slice(q + 1), ...(input.query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)];
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), ...(typeof value === 'string' ? [value] : value)];
  }
  if (input.token !== undefined) {
    const place = tokenPlaceOf(owningDeployment(deployments, method, path));
    if (place.query) queryParts.push(`${encodeURIComponent(place.query)}=${encodeURIComponent(input.token)}`);
    else {
      const key = place.header!.toLowerCase();
      headers[key] = [...(headers[key] ?? []), place.scheme ? `${place.scheme} ${input.token}` : input.token];
    }
  }
  const rawQuery = queryParts.filter((p) => p !== '').join('&');
  const body = input.body === undefined ? undefined : Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  return {
    method,
    path,
    rawQuery,
    query: parseRawQuery(rawQuery),
    headers,
    host: headers.host?.[0] ?? '127.0.0.1',
    clientIp: input.clientIp ?? '127.0.0.1',
    body: body && body.length ? body : undefined,
  };
}

export interface ExplainOptions {
  /** The deployments in force, as `loadDeployment` makes them (validated, OCI's defaults filled in). */
  deployments: ReadonlyArray<ExplainDeployment>;
  request: ExplainRequest;
  /**
   * The key source instead of each REMOTE_JWKS URI: a JWKS object, or a URL fetched in its place
   * (offline use: a file read by the caller, or a copy served elsewhere). Absent: the URIs as configured.
   */
  jwks?: string | { keys: unknown[] };
  /** Decide at this instant (default: now). */
  at?: Date | number;
  /** functionId → local URL (the stack config's `gateway.functions`), for functions and authorizers. */
  functions?: Readonly<Record<string, string>>;
}

export interface Explanation {
  request: GatewayRequest;
  deployments: ReadonlyArray<ExplainDeployment>;
  /** The instant the decision was taken at. */
  at: Date;
  decision: Decision;
}

/** The gateway's decision for the request, with the same functions and fresh caches. */
export async function explain(options: ExplainOptions): Promise<Explanation> {
  const clock = new ControllableClock();
  if (options.at !== undefined) {
    const ms = typeof options.at === 'number' ? options.at : options.at.getTime();
    if (!Number.isFinite(ms)) throw new ExplainInputError('the instant to decide at is not a valid date');
    clock.set(ms, true);
  }
  const override = options.jwks;
  const jwks = new JwksCache({
    clock,
    ...(override === undefined ? {} : { fetchJwks: typeof override === 'string' ? () => fetchJwksOverHttp(override) : async () => override }),
  });
  const functions = options.functions ?? {};
  const request = buildGatewayRequest(options.request, options.deployments);
  const decision = await decide(request, options.deployments, {
    clock,
    jwks,
    rateLimiter: new RateLimiter({ clock }),
    authorizerCache: new AuthorizerCache({ clock }),
    functions: { urlFor: (id) => functions[id] },
  });
  return { request, deployments: options.deployments, at: new Date(clock.nowMs()), decision };
}

/** What a decision means for the caller: accepted, refused, or answered by the gateway itself (a CORS preflight). */
export function verdictOf(decision: Decision): 'accepted' | 'refused' | 'answered' {
  if (decision.outcome === 'accepted') return 'accepted';
  return decision.answer.status < 400 ? 'answered' : 'refused';
}

/** The Decision as JSON: functions dropped, a body as text. */
export function decisionJson(decision: Decision): Record<string, unknown> {
  const { responseHeaders: _drop, ...rest } = decision as Decision & { responseHeaders?: unknown };
  const out: Record<string, unknown> = { ...rest };
  if (decision.outcome === 'accepted' && decision.plan.kind === 'http') {
    const { body, ...call } = decision.plan.call;
    out.plan = { kind: 'http', call: { ...call, ...(body ? { body: body.toString('utf8') } : {}) }, ...(decision.plan.readResponse ? { protocol: 'Fn HTTP gateway' } : {}) };
  }
  return out;
}

export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const PLAIN: Style = { ok: (t) => t, bad: (t) => t, dim: (t) => t, bold: (t) => t };

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

/** What to do about a refusing check, when there is something specific to say. */
export function hintFor(reason: CheckResult): string | undefined {
  const { check, expected, found } = reason;
  if (check === 'authentication.verifyClaims' && typeof found === 'string' && Array.isArray(expected)) {
    const words = found.split(/\s+/);
    const partial = expected.filter((v): v is string => typeof v === 'string' && words.includes(v) && v !== found);
    if (partial.length && words.length > 1) {
      return (
        `verifyClaims compares the whole claim value as one string (the exact-match trap): ${show(partial[0])} is one of the ` +
        `words of ${show(found)}, not the whole value. To accept any token that holds the scope, drop the rule and give the route ` +
        `requestPolicies.authorization {type: ANY_OF, allowedScope: [${partial[0]}]}; or list the whole string as a value.`
      );
    }
    if (typeof expected[0] === 'string' && found.toLowerCase() === expected[0].toLowerCase()) return 'verifyClaims compares case-sensitively: the letter case differs.';
  }
  if (check === 'authentication.verifyClaims' && found === null) return 'the token has no such claim: for a custom claim, check that it is configured for the token type (AT) and the scopes requested.';
  if (check === 'authentication.iss' && typeof found === 'string' && Array.isArray(expected) && expected.some((e) => typeof e === 'string' && e.replace(/\/$/, '') === found.replace(/\/$/, ''))) {
    return "the issuers differ only by the trailing slash: IDCS's issuer is https://identity.oraclecloud.com/ (with the slash), and the gateway compares exactly.";
  }
  if (check === 'authentication.aud') return "add one of the token's audiences to the policy's audiences, or request the token with a scope of the resource server whose audience is listed.";
  if (check === 'authentication.exp') return 'the token has expired at the instant decided (--at, or now): get a new one (oci-auth-harness token ...).';
  if (check === 'authentication.token' && found === null) return 'no token was sent: give one with --token (it goes where the policy reads it).';
  if (check === 'authentication.publicKey') return 'the JWKS cannot be used: is the IAM running? Offline, give the keys with --jwks FILE|URL.';
  if (check === 'authentication.kid') return 'the token was signed by a key this JWKS does not publish (another issuer or stack, or a rotated key): compare the token\'s kid (oci-auth-harness decode) with the JWKS.';
  if (check === 'authentication.signature') return 'the signature does not verify: the token was altered, or it comes from another stack whose keys differ (each harness run without a key file has its own keys).';
  if (check === 'authorization' && reason.message.startsWith('Authorization failed: none of the allowed scopes')) return "ANY_OF answers 404 (not 403) when the token's scope claim holds none of allowedScope: request a token with one of them.";
  if (check === 'route') return 'no route matched: check the method and the path against the deployment\'s pathPrefix and routes.';
  return undefined;
}

function describePlan(decision: Extract<Decision, { outcome: 'accepted' }>): string {
  const plan = decision.plan;
  if (plan.kind === 'http') return `${plan.readResponse ? 'function' : 'backend'} ${plan.call.method} ${plan.call.url}`;
  return `the gateway answers ${plan.answer.status} itself (stock response)`;
}

function statusText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : '';
  } catch {
    return '';
  }
}

/** The verdict, then every check with ✓/✗ and expected vs found. */
export function formatExplanation(explanation: Explanation, style: Style = PLAIN): string {
  const { decision } = explanation;
  const lines: string[] = [];
  const where = decision.deploymentId
    ? `deployment ${decision.pathPrefix} (${decision.deploymentId}), route ${decision.routePath}`
    : 'no deployment or route';
  const verdict = verdictOf(decision);
  if (decision.outcome === 'accepted') {
    lines.push(`${style.ok(style.bold('ACCEPTED'))} → ${describePlan(decision)}`);
    const auth = decision.auth;
    if (auth) {
      const picked = ['sub', 'scope', 'aud'].filter((k) => auth[k] !== undefined).map((k) => `${k} ${show(auth[k])}`);
      if (picked.length) lines.push(`  request.auth: ${picked.join(', ')}`);
    }
  } else {
    const status = decision.answer.status;
    const head = verdict === 'answered' ? style.ok(style.bold(`ANSWERED ${status}`)) : style.bad(style.bold(`REFUSED ${status}${statusText(decision.answer.body) ? ` ${statusText(decision.answer.body)}` : ''}`));
    lines.push(`${head} by ${decision.reason.check}: ${decision.reason.message}`);
    if (decision.reason.expected !== undefined) lines.push(`  expected ${show(decision.reason.expected)}`);
    if (decision.reason.found !== undefined) lines.push(`  found    ${show(decision.reason.found)}`);
    const hint = verdict === 'refused' ? hintFor(decision.reason) : undefined;
    if (hint) lines.push(`  ${style.dim('what to do:')} ${hint}`);
  }
  lines.push('', `${decision.method} ${decision.path}  →  ${where}  ${style.dim(`(decided at ${explanation.at.toISOString()})`)}`, '', 'checks');
  const width = Math.min(32, Math.max(...decision.checks.map((c) => c.check.length)));
  for (const c of decision.checks) {
    const mark = c.passed ? style.ok('✓') : style.bad('✗');
    lines.push(`  ${mark} ${c.check.padEnd(width)}  ${c.message}`);
    const pad = ' '.repeat(width + 6);
    if (c.expected !== undefined) lines.push(`${pad}${style.dim('expected')} ${show(c.expected)}`);
    if (c.found !== undefined) lines.push(`${pad}${style.dim('found   ')} ${show(c.found)}`);
  }
  return lines.join('\n');
}
