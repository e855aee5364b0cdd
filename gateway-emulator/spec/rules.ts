/**
 * Rules of a specification that relate several fields: where the token is read from, anonymous
 * routes, authorization without authentication, one transformation per name, duplicate routes
 * and kids, failure-policy combinations. They read the raw input defensively (a field of the
 * wrong type is the schema's problem and is skipped here), so they run, and report, even when
 * the schema found other problems: a user sees every problem of a file at once.
 *
 * Each rule is a pure function returning `"<field path>: <reason>"` strings.
 */
import { LIMITS } from './limits.js';
import { formatPath } from './problems.js';
import { routePathShape } from './paths.js';
import { quote } from './context-variables.js';

type Json = Record<string, unknown>;
type Path = Array<string | number>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const has = (o: Json, key: string) => o[key] !== undefined;

interface Located {
  value: Json;
  path: Path;
}

/** The authentication policies of a specification: the deployment's and each multi-auth server's. */
export function authenticationPolicies(spec: Json): Located[] {
  const found: Located[] = [];
  const policies = obj(spec.requestPolicies);
  const single = obj(policies?.authentication);
  if (single) found.push({ value: single, path: ['requestPolicies', 'authentication'] });
  arr(obj(policies?.dynamicAuthentication)?.authenticationServers).forEach((server, i) => {
    const detail = obj(obj(server)?.authenticationServerDetail);
    if (detail) found.push({ value: detail, path: ['requestPolicies', 'dynamicAuthentication', 'authenticationServers', i, 'authenticationServerDetail'] });
  });
  return found;
}

/**
 * A JWT or TOKEN policy reads the token from a header or a query parameter, not both; a header
 * needs `tokenAuthScheme` [C SDK, D-jwtpol]. An authorizer takes a header, a query parameter or
 * multi-argument `parameters` (≤ 10, with `cacheKey` a subset of their names) [C D-multi]; the
 * two modes do not mix [I].
 */
export function tokenLocationProblems(policy: Json, at: string): string[] {
  const problems: string[] = [];
  const type = str(policy.type);
  const header = has(policy, 'tokenHeader');
  const query = has(policy, 'tokenQueryParam');
  if (header && query) problems.push(`${at}.tokenQueryParam: set either tokenHeader or tokenQueryParam, not both`);
  if (type === 'JWT_AUTHENTICATION' || type === 'TOKEN_AUTHENTICATION') {
    if (!header && !query) problems.push(`${at}: tokenHeader or tokenQueryParam is required`);
    if (header && !has(policy, 'tokenAuthScheme')) problems.push(`${at}.tokenAuthScheme: required with tokenHeader`);
  }
  if (type === 'CUSTOM_AUTHENTICATION') {
    const parameters = obj(policy.parameters);
    if (parameters && (header || query)) problems.push(`${at}.parameters: cannot be combined with tokenHeader or tokenQueryParam`);
    if (!parameters && !header && !query) problems.push(`${at}: tokenHeader, tokenQueryParam or parameters is required`);
    const names = parameters ? Object.keys(parameters) : [];
    if (names.length > LIMITS.authorizerParameters) problems.push(`${at}.parameters: at most ${LIMITS.authorizerParameters} entries; got ${names.length}`);
    arr(policy.cacheKey).forEach((key, i) => {
      if (typeof key === 'string' && !names.includes(key)) problems.push(`${at}.cacheKey[${i}]: ${quote(key)} is not a name in parameters`);
    });
  }
  return problems;
}

/** OAUTH2 needs a REMOTE_DISCOVERY validation policy [C D-tokjson]; MODIFY_RESPONSE names its headers once. */
export function validationFailurePolicyProblems(policy: Json, at: string): string[] {
  const problems: string[] = [];
  const failure = obj(policy.validationFailurePolicy);
  if (!failure) return problems;
  const validationType = str(obj(policy.validationPolicy)?.type);
  if (str(policy.type) === 'TOKEN_AUTHENTICATION' && failure.type === 'OAUTH2' && validationType !== undefined && validationType !== 'REMOTE_DISCOVERY') {
    problems.push(`${at}.validationFailurePolicy.type: OAUTH2 needs validationPolicy type REMOTE_DISCOVERY; got ${validationType}`);
  }
  if (failure.type === 'MODIFY_RESPONSE') {
    const given = ['responseHeaderTransformations', 'responseTransformations', 'headerTransformations'].filter((k) => has(failure, k));
    if (given.length > 1) {
      problems.push(`${at}.validationFailurePolicy: ${given.join(' and ')} name the same field (responseHeaderTransformations); give it once`);
    }
  }
  return problems;
}

/** A kid names one key: the gateway picks the key by the token's kid [C D-keys]. */
export function duplicateKidProblems(policy: Json, at: string): string[] {
  const set = obj(policy.publicKeys) ?? obj(policy.validationPolicy);
  const keysAt = has(policy, 'publicKeys') ? 'publicKeys' : 'validationPolicy';
  const problems: string[] = [];
  const seen = new Map<string, number>();
  arr(set?.keys).forEach((key, i) => {
    const kid = str(obj(key)?.kid);
    if (kid === undefined) return;
    const first = seen.get(kid);
    if (first !== undefined) problems.push(`${at}.${keysAt}.keys[${i}].kid: ${quote(kid)} is also the kid of keys[${first}]`);
    else seen.set(kid, i);
  });
  return problems;
}

/** Of a dynamic selection's keys, only one can be the default [I]. */
export function defaultKeyProblems(entries: unknown[], at: string): string[] {
  const problems: string[] = [];
  let first: number | undefined;
  entries.forEach((entry, i) => {
    if (obj(obj(entry)?.key)?.isDefault !== true) return;
    if (first === undefined) first = i;
    else problems.push(`${at}[${i}].key.isDefault: only one key can be the default; [${first}] already is`);
  });
  return problems;
}

/**
 * Each header (case-insensitive) or query parameter (case-sensitive) name may appear in only one
 * transformation of a route, except in an ALLOW filter [C D-xf]. `policy` is one
 * HeaderTransformationPolicy or QueryParameterTransformationPolicy.
 */
export function transformationNameProblems(policy: Json, at: string, kind: 'Headers' | 'QueryParameters'): string[] {
  const problems: string[] = [];
  const normalise = (name: string) => (kind === 'Headers' ? name.toLowerCase() : name);
  const seen = new Map<string, string>();
  const note = (name: unknown, where: string) => {
    if (typeof name !== 'string') return;
    const first = seen.get(normalise(name));
    if (first !== undefined) problems.push(`${at}.${where}: ${quote(name)} already appears in ${first}; a name may appear in only one transformation (an ALLOW filter excepted)`);
    else seen.set(normalise(name), where);
  };
  arr(obj(policy[`set${kind}`])?.items).forEach((item, i) => note(obj(item)?.name, `set${kind}.items[${i}].name`));
  arr(obj(policy[`rename${kind}`])?.items).forEach((item, i) => {
    note(obj(item)?.from, `rename${kind}.items[${i}].from`);
    note(obj(item)?.to, `rename${kind}.items[${i}].to`);
  });
  const filter = obj(policy[`filter${kind}`]);
  if (filter && filter.type !== 'ALLOW') arr(filter.items).forEach((item, i) => note(obj(item)?.name, `filter${kind}.items[${i}].name`));
  return problems;
}

/** What a route's authorization needs from the deployment's authentication [C D-tokjson; I]. */
export function routeAuthorizationProblems(spec: Json, route: Json, at: string, base: string): string[] {
  const authorization = obj(obj(route.requestPolicies)?.authorization);
  const type = str(authorization?.type);
  if (!authorization || !type || !['AUTHENTICATION_ONLY', 'ANY_OF', 'ANONYMOUS'].includes(type)) return [];
  const policies = obj(spec.requestPolicies);
  const single = obj(policies?.authentication);
  const servers = arr(obj(policies?.dynamicAuthentication)?.authenticationServers).map((s) => obj(obj(s)?.authenticationServerDetail));
  // An authorization policy decides about an authenticated caller; without authentication there is none [I].
  if (!single && servers.length === 0) {
    return [`${at}.requestPolicies.authorization: type ${type} needs an authentication policy in ${formatPath(base, ['requestPolicies'])}`];
  }
  if (type !== 'ANONYMOUS') return [];
  if (single) {
    return single.isAnonymousAccessAllowed === true
      ? []
      : [`${at}.requestPolicies.authorization.type: ANONYMOUS needs isAnonymousAccessAllowed: true in ${formatPath(base, ['requestPolicies', 'authentication'])}`];
  }
  // Any server may be the one selected, so each must allow anonymous access [I].
  return servers.every((s) => s?.isAnonymousAccessAllowed === true)
    ? []
    : [`${at}.requestPolicies.authorization.type: ANONYMOUS needs isAnonymousAccessAllowed: true in every server of ${formatPath(base, ['requestPolicies', 'dynamicAuthentication'])}`];
}

/** The methods a route answers: absent means ANY [I]. */
function routeMethods(route: Json): string[] {
  const methods = route.methods;
  return Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : ['ANY'];
}

/**
 * Two routes with the same path (parameter names aside) and a common method would both claim a
 * request; the gateway could not choose, so the second is refused [I].
 */
export function duplicateRouteProblems(routes: unknown[], base: string): string[] {
  const problems: string[] = [];
  const seen: Array<{ shape: string; methods: string[]; index: number }> = [];
  routes.forEach((r, index) => {
    const route = obj(r);
    const path = str(route?.path);
    if (!route || path === undefined) return;
    const shape = routePathShape(path);
    const methods = routeMethods(route);
    for (const other of seen) {
      if (other.shape !== shape) continue;
      const common = methods.includes('ANY') ? other.methods[0] : other.methods.includes('ANY') ? methods[0] : methods.find((m) => other.methods.includes(m));
      if (common !== undefined) {
        problems.push(`${formatPath(base, ['routes', index])}: path ${quote(path)} with method ${common} is already routes[${other.index}]`);
        break;
      }
    }
    seen.push({ shape, methods, index });
  });
  return problems;
}

/** Every cross-field rule of a specification. Never throws on any input. */
export function specificationRuleProblems(raw: unknown, base: string): string[] {
  const spec = obj(raw);
  if (!spec) return [];
  const problems: string[] = [];
  const at = (path: Path) => formatPath(base, path);

  const policies = obj(spec.requestPolicies);
  if (policies && has(policies, 'authentication') && has(policies, 'dynamicAuthentication')) {
    problems.push(`${at(['requestPolicies', 'dynamicAuthentication'])}: cannot be combined with authentication`);
  }
  const servers = arr(obj(policies?.dynamicAuthentication)?.authenticationServers);
  if (servers.length <= LIMITS.authenticationServers) {
    problems.push(...defaultKeyProblems(servers, at(['requestPolicies', 'dynamicAuthentication', 'authenticationServers'])));
  }
  for (const { value, path } of authenticationPolicies(spec)) {
    problems.push(...tokenLocationProblems(value, at(path)), ...validationFailurePolicyProblems(value, at(path)), ...duplicateKidProblems(value, at(path)));
    const failure = obj(value.validationFailurePolicy);
    for (const field of ['responseHeaderTransformations', 'responseTransformations', 'headerTransformations']) {
      const t = obj(failure?.[field]);
      if (t) problems.push(...transformationNameProblems(t, at([...path, 'validationFailurePolicy', field]), 'Headers'));
    }
  }

  const routes = arr(spec.routes);
  if (routes.length > LIMITS.routes) return problems; // the schema reports the count; do not walk a huge list
  routes.forEach((r, i) => {
    const route = obj(r);
    if (!route) return;
    const routeAt = at(['routes', i]);
    problems.push(...routeAuthorizationProblems(spec, route, routeAt, base));
    const request = obj(route.requestPolicies);
    const headerT = obj(request?.headerTransformations);
    if (headerT) problems.push(...transformationNameProblems(headerT, `${routeAt}.requestPolicies.headerTransformations`, 'Headers'));
    const queryT = obj(request?.queryParameterTransformations);
    if (queryT) problems.push(...transformationNameProblems(queryT, `${routeAt}.requestPolicies.queryParameterTransformations`, 'QueryParameters'));
    const responseT = obj(obj(route.responsePolicies)?.headerTransformations);
    if (responseT) problems.push(...transformationNameProblems(responseT, `${routeAt}.responsePolicies.headerTransformations`, 'Headers'));
    const backend = obj(route.backend);
    if (backend?.type === 'DYNAMIC_ROUTING_BACKEND') {
      const entries = arr(backend.routingBackends);
      if (entries.length <= LIMITS.routingBackends) problems.push(...defaultKeyProblems(entries, `${routeAt}.backend.routingBackends`));
    }
  });
  problems.push(...duplicateRouteProblems(routes, base));
  return problems;
}
