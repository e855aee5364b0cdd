/**
 * The gateway's decision for one request, in OCI's order (reference §2): route → rate limit →
 * CORS → authentication → authorization → validation → transformations → backend plan. Each step
 * is a pure function of its own file; this one only chains them and turns the first refusal into
 * the gateway's answer. The data plane, the decision log, `explain` and the tests all call it.
 */
import { randomUUID } from 'node:crypto';
import type { models } from 'oci-apigateway';
import type { Clock } from '../../common/clock.js';
import { deepFreeze } from '../../common/freeze.js';
import type { BackendCall, ResponseReader } from '../backends/http-backend.js';
import { FUNCTION_MAX_BODY_BYTES, FUNCTION_TIMEOUT_SECONDS, functionCall, functionRequestHeaders, functionResponse } from '../backends/functions-backend.js';
import { selectDynamicBackend } from '../backends/dynamic-routing.js';
import { stockResponse } from '../backends/stock-response.js';
import { authenticateCustom, type AuthorizerCache, type FunctionEndpoints } from './authenticate-custom.js';
import { authenticateToken, type TokenAuthentication } from './authenticate-token.js';
import { authorizeRoute } from './authorize.js';
import { expandTemplate, readVariable, type RequestContext } from './context-variables.js';
import { effectiveCorsPolicy, evaluateCors } from './cors.js';
import type { JwksCache } from './jwks-cache.js';
import type { VerifiedTokenCache } from './verified-token-cache.js';
import type { RateLimiter } from './rate-limit.js';
import { matchRoute, type DeploymentRoutes } from './route-match.js';
import { transformQuery, transformRequestHeaders, transformResponseHeaders } from './transform.js';
import { gatewayError, type CheckResult, type GatewayAnswer, type GatewayRequest } from './types.js';
import { validateRequest } from './validate-request.js';

export interface PipelineDeps {
  clock: Clock;
  jwks: JwksCache;
  /** Signature results of tokens already verified (the main throughput lever; bounded). */
  verifiedTokens?: VerifiedTokenCache;
  rateLimiter: RateLimiter;
  authorizerCache: AuthorizerCache;
  functions: FunctionEndpoints;
}

export type BackendPlan =
  /** `readResponse` reads a function's answer in Fn's HTTP-gateway protocol. */
  | { kind: 'http'; call: BackendCall; readResponse?: ResponseReader }
  /** A stock response, or a refusal the backend step itself produced. */
  | { kind: 'answer'; answer: GatewayAnswer };

interface DecisionBase {
  method: string;
  path: string;
  deploymentId?: string;
  pathPrefix?: string;
  routePath?: string;
  checks: CheckResult[];
}

export type Decision =
  | (DecisionBase & { outcome: 'refused'; answer: GatewayAnswer; reason: CheckResult })
  | (DecisionBase & {
      outcome: 'accepted';
      auth: Record<string, unknown> | undefined;
      plan: BackendPlan;
      /** Applied to the backend's response headers: route response transformations, then CORS. */
      responseHeaders: (headers: Record<string, string[]>) => Record<string, string[]>;
    });

const REASON_PHRASES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 504: 'Gateway Timeout' };

function refuse(base: DecisionBase, answer: GatewayAnswer, reason: CheckResult): Decision {
  return { ...base, outcome: 'refused', answer, reason };
}

/** OCI's default refusal for a status, e.g. `{"message":"Unauthorized","code":401}`-shaped. */
function standardAnswer(status: number, headers: Record<string, string | string[]> = {}): GatewayAnswer {
  return gatewayError(status, REASON_PHRASES[status] ?? 'Error', headers);
}

type FailurePolicy = { type?: string; responseCode?: string; responseMessage?: string; responseHeaderTransformations?: models.HeaderTransformationPolicy };

/**
 * `validationFailurePolicy: MODIFY_RESPONSE` replaces the 401 of a failed authentication with the
 * configured code, message (context variables expanded) and header transformations.
 */
function failureAnswer(policy: FailurePolicy | undefined, fallback: GatewayAnswer, ctx: RequestContext): GatewayAnswer {
  if (!policy || policy.type !== 'MODIFY_RESPONSE') return fallback;
  const code = Number(expandTemplate(policy.responseCode ?? '', ctx));
  // A 1xx is interim, not an answer: a client would wait for the final response [I].
  const status = Number.isInteger(code) && code >= 200 && code <= 599 ? code : fallback.status;
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(fallback.headers)) headers[k] = Array.isArray(v) ? v : [v];
  const transformed = transformResponseHeaders(policy.responseHeaderTransformations, headers, ctx).headers;
  return { status, headers: transformed, body: policy.responseMessage !== undefined ? expandTemplate(policy.responseMessage, ctx) : fallback.body };
}

function isTokenPolicy(policy: models.AuthenticationPolicy): policy is TokenAuthentication {
  return policy.type === 'JWT_AUTHENTICATION' || policy.type === 'TOKEN_AUTHENTICATION';
}

/** The backend URL with the request's (transformed) query appended to the URL's own query. */
function backendUrl(template: string, query: Array<[string, string]>, ctx: RequestContext): string {
  if (query.length === 0 && !template.includes('?')) return expandTemplate(template, ctx);
  const [pathPart, ownQuery] = template.split('?', 2) as [string, string | undefined];
  const url = expandTemplate(pathPart, ctx);
  const forwarded = query.map(([k, v]) => (v === '' && !k.includes('=') ? k : `${k}=${v}`)).join('&');
  const parts = [ownQuery, forwarded].filter((q): q is string => q !== undefined && q !== '');
  return parts.length ? `${url}?${parts.join('&')}` : url;
}

/** Adds a check to the decision's trace and returns it. */
function recordCheck(base: DecisionBase, c: CheckResult): CheckResult {
  base.checks.push(c);
  return c;
}

/** A refusal of the gateway's own, with the CORS headers an actual request gets. */
function withCorsHeaders(answer: GatewayAnswer, corsHeaders: Record<string, string>): GatewayAnswer {
  return { ...answer, headers: { ...answer.headers, ...corsHeaders } };
}

/**
 * What the backend's response headers become: the route's response transformations, then CORS.
 * Module-level, returning an anonymous function: a named closure per request costs a `__name`
 * call under tsx (esbuild's keepNames), measurable on the data plane (bench/).
 */
function responseHeaderApplier(
  policy: models.HeaderTransformationPolicy | undefined,
  corsHeaders: Record<string, string>,
  ctx: RequestContext,
): (received: Record<string, string[]>) => Record<string, string[]> {
  return (received) => {
    const out = policy ? transformResponseHeaders(policy, received, ctx).headers : received;
    for (const k in corsHeaders) out[k] = [corsHeaders[k]!];
    return out;
  };
}

export async function decide(request: GatewayRequest, deployments: ReadonlyArray<DeploymentRoutes>, deps: PipelineDeps): Promise<Decision> {
  const base: DecisionBase = { method: request.method, path: request.path, checks: [] };

  // 1. Route. A CORS preflight is also matched by the method it asks about, so a route with a
  // CORS policy need not list OPTIONS.
  let match = matchRoute(deployments, request.method, request.path);
  const preflightMethod = request.method === 'OPTIONS' && request.headers.origin ? request.headers['access-control-request-method']?.[0] : undefined;
  const direct = match;
  if (!match.matched && preflightMethod) match = matchRoute(deployments, preflightMethod, request.path);
  if (!match.matched) {
    return refuse(base, standardAnswer(404), recordCheck(base, { check: 'route', passed: false, message: match.reason }));
  }
  const onlyAsPreflight = !direct.matched;
  const { deployment, route, pathParams } = match;
  base.deploymentId = deployment.id;
  base.pathPrefix = deployment.pathPrefix;
  base.routePath = route.path;
  recordCheck(base, routeMatched(deployment.pathPrefix, route, pathParams));
  const policies = deployment.specification.requestPolicies;
  const ctx: RequestContext = { request, pathParams, auth: undefined };

  // 2. Rate limiting (deployment-wide).
  if (policies?.rateLimiting) {
    const taken = deps.rateLimiter.take(deployment.id, policies.rateLimiting, request.clientIp);
    recordCheck(base, taken.check);
    if (!taken.allowed) return refuse(base, standardAnswer(429, { 'retry-after': String(taken.retryAfterSeconds) }), taken.check);
  }

  // 3. CORS: a preflight is answered here; an actual request gets its headers on the way out.
  const cors = evaluateCors(effectiveCorsPolicy(policies?.cors, route.requestPolicies?.cors), request);
  let corsHeaders: Record<string, string> = {};
  if (cors.kind === 'preflight') {
    const c = recordCheck(base, { check: 'cors', passed: true, message: 'CORS preflight answered' });
    return refuse(base, { status: cors.status, headers: cors.headers, body: '' }, c);
  }
  if (onlyAsPreflight && cors.kind !== 'preflight-refused') {
    const c = recordCheck(base, { check: 'route', passed: false, message: `route ${route.path} does not accept OPTIONS and has no CORS policy to answer a preflight` });
    return refuse(base, standardAnswer(404), c);
  }
  if (cors.kind === 'preflight-refused') {
    // The browser fails either way; a 403 tells a human why (docs/fidelity.md).
    const c = recordCheck(base, { check: 'cors', passed: false, message: cors.reason });
    return refuse(base, gatewayError(403, 'Forbidden', { vary: 'Origin' }), c);
  }
  if (cors.kind === 'actual-no-match') recordCheck(base, { check: 'cors', passed: false, message: cors.reason });
  if (cors.kind === 'actual') corsHeaders = cors.headers;

  // Policies the emulator does not run would leave the deployment open: fail closed instead.
  const unemulated = notEmulated(deployment.specification);
  if (unemulated) {
    const c = recordCheck(base, { check: 'authentication', passed: false, message: `${unemulated} is not emulated; the harness refuses rather than let requests through unchecked` });
    return refuse(base, withCorsHeaders(standardAnswer(500), corsHeaders), c);
  }

  // 4. Authentication (deployment policy).
  const authPolicy = policies?.authentication;
  let authenticated: { claims: Record<string, unknown> } | undefined;
  const anonymousAllowed = Boolean((authPolicy as { isAnonymousAccessAllowed?: boolean } | undefined)?.isAnonymousAccessAllowed);
  if (authPolicy) {
    const result = isTokenPolicy(authPolicy)
      ? await authenticateToken(authPolicy, request, deps, base.checks)
      : authPolicy.type === 'CUSTOM_AUTHENTICATION'
        ? await authenticateCustom(authPolicy as models.CustomAuthenticationPolicy, request, {
            functions: deps.functions,
            cache: deps.authorizerCache,
            clock: deps.clock,
            readVariable: (expression) => readVariable(expression, ctx),
          })
        : undefined;
    if (!result) {
      const c = recordCheck(base, { check: 'authentication', passed: false, message: `authentication type ${authPolicy.type} is not emulated` });
      return refuse(base, withCorsHeaders(standardAnswer(500), corsHeaders), c);
    }
    // Token authentication wrote into base.checks itself; the authorizer's trace is its own list.
    if (result.checks !== base.checks) base.checks.push(...result.checks);
    // No token, but OCI still answers 500 for every request while the JWKS cannot be fetched.
    const unavailable = !result.ok && result.anonymous && isTokenPolicy(authPolicy) ? await jwksUnavailable(authPolicy, deps) : undefined;
    if (result.ok) {
      authenticated = { claims: result.claims };
      ctx.auth = result.claims;
    } else if (unavailable) {
      return refuse(base, withCorsHeaders(standardAnswer(500), corsHeaders), recordCheck(base, { check: 'authentication.publicKey', passed: false, message: unavailable }));
    } else if (result.status !== 401 || !anonymousAllowed) {
      // A JWKS that cannot be fetched (500) or an authorizer that fails (502) refuses every request.
      const fallback = standardAnswer(result.status, result.status === 401 ? { 'www-authenticate': result.wwwAuthenticate ?? 'Bearer' } : {});
      const answer = result.status === 401 ? failureAnswer((authPolicy as { validationFailurePolicy?: FailurePolicy }).validationFailurePolicy, fallback, ctx) : fallback;
      return refuse(base, withCorsHeaders(answer, corsHeaders), result.reason);
    }
  }

  // 5. Authorization (route policy). Without an authentication policy every route is open.
  const authorization = authPolicy
    ? authorizeRoute(route.requestPolicies?.authorization, authenticated, anonymousAllowed)
    : { check: 'authorization', passed: true, message: 'the deployment has no authentication policy: the route is open' };
  recordCheck(base, authorization);
  if (!authorization.passed) {
    const status = authorization.status ?? 401;
    return refuse(base, withCorsHeaders(standardAnswer(status, status === 401 ? { 'www-authenticate': 'Bearer' } : {}), corsHeaders), authorization);
  }

  // 6. Validation.
  const validation = validateRequest(route.requestPolicies, request);
  base.checks.push(...validation.checks);
  if (!validation.passed) {
    // The refusing check is an enforced failure, not one PERMISSIVE mode only recorded.
    const enforced = validation.checks.filter((c) => !c.passed && !c.message.includes('(PERMISSIVE'));
    return refuse(base, withCorsHeaders(standardAnswer(400), corsHeaders), enforced.at(-1) ?? validation.checks.at(-1)!);
  }

  // 7. Transformations (reading the original request). A route without them forwards the
  // request's own headers and query: the backend step copies what it sends, so nothing is shared.
  const headerPolicy = route.requestPolicies?.headerTransformations;
  const queryPolicy = route.requestPolicies?.queryParameterTransformations;
  const responsePolicy = route.responsePolicies?.headerTransformations;
  const headers = headerPolicy
    ? transformRequestHeaders(headerPolicy, Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, [...v]])), ctx)
    : { headers: request.headers as Record<string, string[]>, checks: [] };
  const query = queryPolicy
    ? transformQuery(queryPolicy, request.query.map(([k, v]) => [k, v]), ctx)
    : { query: request.query as Array<[string, string]>, checks: [] };
  if (headerPolicy || queryPolicy) base.checks.push(...headers.checks, ...query.checks);
  const responseHeaders = responseHeaderApplier(responsePolicy, corsHeaders, ctx);

  // 8. Backend plan.
  const plan = planBackend(route.backend, { request, ctx, headers: headers.headers, query: query.query, deps, base });
  if (plan.kind === 'answer' && plan.refused) return refuse(base, withCorsHeaders(plan.answer, corsHeaders), plan.refused);
  const accepted: BackendPlan = plan.kind === 'http' ? plan : { kind: 'answer', answer: plan.answer };
  // Written out rather than spread from `base`: this object is built for every request that passes.
  return {
    method: base.method,
    path: base.path,
    deploymentId: base.deploymentId,
    pathPrefix: base.pathPrefix,
    routePath: base.routePath,
    checks: base.checks,
    outcome: 'accepted',
    auth: ctx.auth,
    plan: accepted,
    responseHeaders,
  };
}

/**
 * The passed route check. A route without path parameters matches the same way every time, so
 * its entry is built once per (route, path prefix) and shared, frozen: traces only read it.
 */
const ROUTE_MATCHED = new WeakMap<models.ApiSpecificationRoute, { pathPrefix: string; check: CheckResult }>();

function routeMatched(pathPrefix: string, route: models.ApiSpecificationRoute, pathParams: Record<string, string>): CheckResult {
  let hasParams = false;
  for (const _ in pathParams) {
    hasParams = true;
    break;
  }
  const known = hasParams ? undefined : ROUTE_MATCHED.get(route);
  if (known && known.pathPrefix === pathPrefix) return known.check;
  const check: CheckResult = { check: 'route', passed: true, message: `matched ${pathPrefix}${route.path}`, found: { methods: route.methods ?? ['ANY'], pathParams } };
  if (!hasParams && Object.isFrozen(route)) ROUTE_MATCHED.set(route, { pathPrefix, check: deepFreeze(check) });
  return check;
}

/** The first policy of a spec that the emulator cannot honour, if any. */
function notEmulated(spec: models.ApiSpecification): string | undefined {
  const p = spec.requestPolicies;
  if (p?.dynamicAuthentication) return 'requestPolicies.dynamicAuthentication';
  if (p?.mutualTls?.isVerifiedCertificateRequired) return 'requestPolicies.mutualTls with isVerifiedCertificateRequired';
  if (p?.usagePlans) return 'requestPolicies.usagePlans';
  return undefined;
}

/** The reason a token policy's remote JWKS cannot be used, or undefined (static keys, or available). */
async function jwksUnavailable(policy: TokenAuthentication, deps: PipelineDeps): Promise<string | undefined> {
  const keys = (policy.type === 'JWT_AUTHENTICATION' ? (policy as models.JwtAuthenticationPolicy).publicKeys : (policy as models.TokenAuthenticationPolicy).validationPolicy) as { type?: string; uri?: string; maxCacheDurationInHours?: number };
  if (keys?.type !== 'REMOTE_JWKS' || !keys.uri) return undefined;
  const available = await deps.jwks.available(keys.uri, keys.maxCacheDurationInHours ?? 1);
  return available.ok ? undefined : available.reason;
}

/** The passed backend check of an HTTP backend called at its URL as written: shared per backend, frozen. */
const HTTP_BACKEND_AS_WRITTEN = new WeakMap<models.HTTPBackend, CheckResult>();

function httpBackendAsWritten(backend: models.HTTPBackend): CheckResult {
  let check = HTTP_BACKEND_AS_WRITTEN.get(backend);
  if (!check) {
    check = Object.freeze({ check: 'backend', passed: true, message: `HTTP_BACKEND ${backend.url}` });
    if (Object.isFrozen(backend)) HTTP_BACKEND_AS_WRITTEN.set(backend, check);
  }
  return check;
}

type PlanResult = { kind: 'http'; call: BackendCall; readResponse?: ResponseReader } | { kind: 'answer'; answer: GatewayAnswer; refused?: CheckResult };

function planBackend(
  backend: models.ApiSpecificationRouteBackend,
  env: { request: GatewayRequest; ctx: RequestContext; headers: Record<string, string[]>; query: Array<[string, string]>; deps: PipelineDeps; base: DecisionBase },
): PlanResult {
  const { request, ctx, headers, query, deps, base } = env;
  switch (backend.type) {
    case 'HTTP_BACKEND': {
      const http = backend as models.HTTPBackend;
      const url = backendUrl(http.url, query, ctx);
      recordCheck(base, url === http.url ? httpBackendAsWritten(http) : { check: 'backend', passed: true, message: `HTTP_BACKEND ${url}` });
      return {
        kind: 'http',
        call: {
          url,
          method: request.method,
          headers,
          body: request.body,
          clientIp: request.clientIp,
          connectTimeoutSeconds: http.connectTimeoutInSeconds ?? 60,
          readTimeoutSeconds: http.readTimeoutInSeconds ?? 10,
          sendTimeoutSeconds: http.sendTimeoutInSeconds ?? 10,
          isSslVerifyDisabled: http.isSslVerifyDisabled ?? false,
        },
      };
    }
    case 'STOCK_RESPONSE_BACKEND':
      recordCheck(base, { check: 'backend', passed: true, message: 'STOCK_RESPONSE_BACKEND' });
      return { kind: 'answer', answer: stockResponse(backend as models.StockResponseBackend) };
    case 'ORACLE_FUNCTIONS_BACKEND': {
      const target = functionCall(backend as models.OracleFunctionBackend, (id) => deps.functions.urlFor(id));
      if (!target.ok) {
        const c = recordCheck(base, { check: 'backend', passed: false, message: target.reason });
        return { kind: 'answer', answer: standardAnswer(target.status), refused: c };
      }
      if ((request.body?.length ?? 0) > FUNCTION_MAX_BODY_BYTES) {
        const c = recordCheck(base, { check: 'backend', passed: false, message: `the request body is over the ${FUNCTION_MAX_BODY_BYTES} bytes a function takes` });
        return { kind: 'answer', answer: gatewayError(413, 'Request Entity Too Large'), refused: c };
      }
      recordCheck(base, { check: 'backend', passed: true, message: `ORACLE_FUNCTIONS_BACKEND ${target.url}` });
      const requestUrl = request.rawQuery ? `${request.path}?${request.rawQuery}` : request.path;
      const deadline = new Date(deps.clock.nowMs() + FUNCTION_TIMEOUT_SECONDS * 1000);
      return {
        kind: 'http',
        call: {
          url: target.url,
          method: 'POST',
          headers: functionRequestHeaders({ method: request.method, requestUrl, headers }, randomUUID(), deadline),
          body: request.body,
          clientIp: request.clientIp,
          connectTimeoutSeconds: 60,
          readTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
          sendTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
        },
        readResponse: functionResponse,
      };
    }
    case 'DYNAMIC_ROUTING_BACKEND': {
      const dynamic = backend as models.DynamicRoutingBackend;
      const selected = selectDynamicBackend(dynamic, readVariable(dynamic.selectionSource.selector ?? '', ctx));
      if (!selected.ok) {
        const c = recordCheck(base, { check: 'backend', passed: false, message: selected.reason });
        return { kind: 'answer', answer: standardAnswer(404), refused: c };
      }
      recordCheck(base, { check: 'backend.dynamicRouting', passed: true, message: `selected routing backend "${selected.key}"` });
      return planBackend(selected.backend, env);
    }
    default: {
      const c = recordCheck(base, { check: 'backend', passed: false, message: `backend type ${backend.type} is not emulated` });
      return { kind: 'answer', answer: standardAnswer(500), refused: c };
    }
  }
}
