/**
 * Which deployment and which route a request belongs to (D-call, D-params, reference §5.3).
 *
 * A deployment is chosen by its path prefix, matched as whole segments (`/test` owns `/test/1`
 * but not `/testing/1`); the longest matching prefix wins and alone is searched, the way OCI
 * sends a request to exactly one deployment. The rest of the path is matched against the routes:
 * literal segments case-sensitively, `{p}` as exactly one non-empty segment, `{p*}` as zero or
 * more segments. Parameter values keep their percent-encoding as received (D-ctx).
 */
import type { models } from 'oci-apigateway';

export interface DeploymentRoutes {
  id: string;
  pathPrefix: string;
  specification: models.ApiSpecification;
}

export type RouteMatch =
  | { matched: true; deployment: DeploymentRoutes; route: models.ApiSpecificationRoute; routeIndex: number; pathParams: Record<string, string> }
  | { matched: false; reason: string };

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'wildcard'; name: string };

/** A whole segment `{name}` or `{name*}`; names are `[A-Za-z0-9_]` (D-params). Anything else is literal text. */
const PARAM_SEGMENT = /^\{([A-Za-z0-9_]+)(\*?)\}$/;

export function matchRoute(deployments: ReadonlyArray<DeploymentRoutes>, method: string, path: string): RouteMatch {
  if (!path.startsWith('/')) return { matched: false, reason: `request path ${JSON.stringify(path)} does not start with /` };
  const segments = path.slice(1).split('/');
  const dotSegment = segments.find(isDotSegment);
  if (dotSegment !== undefined) {
    // A `..` that reached a backend URL through `${request.path[p]}` would walk out of the
    // configured backend path; no route is meant to match one, so the request is not routed.
    return { matched: false, reason: `request path ${path} contains the dot segment ${JSON.stringify(dotSegment)}` };
  }

  const deployment = owningDeployment(deployments, path);
  if (!deployment) return { matched: false, reason: `no deployment has path prefix matching ${path}` };
  const prefix = normalisePrefix(deployment.pathPrefix);
  // `/test` alone is the prefix joined to route `/`, the same as `/test/` [I].
  const rest = path.length > prefix.length ? path.slice(prefix.length) : '/';
  const restSegments = rest.slice(1).split('/');

  const candidates: Array<{ route: CompiledRoute; params: Record<string, string> }> = [];
  for (const route of compiledRoutes(deployment.specification)) {
    const params = route.wildcards === 0 ? matchPlain(route.pattern, restSegments) : matchSegments(route.pattern, restSegments);
    if (params) candidates.push({ route, params });
  }
  if (candidates.length === 0) {
    return { matched: false, reason: `no route of deployment ${deployment.id} (path prefix ${deployment.pathPrefix}) matches ${rest}` };
  }

  // OCI documents no precedence [I]: more literal segments first, then `{p}` over `{p*}`, then spec order.
  if (candidates.length > 1) candidates.sort((a, b) => b.route.literals - a.route.literals || a.route.wildcards - b.route.wildcards || a.route.index - b.route.index);
  const accepting = candidates.find((c) => acceptsMethod(c.route.route, method));
  if (!accepting) {
    const paths = [...new Set(candidates.map((c) => c.route.route.path))];
    const allowed = [...new Set(candidates.flatMap((c) => c.route.route.methods ?? []))];
    return { matched: false, reason: `route ${paths.join(', ')} does not accept ${method} (allowed: ${allowed.join(', ')})` };
  }
  return { matched: true, deployment, route: accepting.route.route, routeIndex: accepting.route.index, pathParams: accepting.params };
}

/** A route with its path parsed into segments, and what precedence needs of them. */
interface CompiledRoute {
  route: models.ApiSpecificationRoute;
  index: number;
  pattern: Segment[];
  literals: number;
  wildcards: number;
}

const COMPILED_ROUTES = new WeakMap<models.ApiSpecification, CompiledRoute[]>();

/**
 * The routes of a specification, parsed once per stored (frozen) specification rather than on
 * every request; a caller's own unfrozen object may still change, so it is parsed each time.
 */
function compiledRoutes(specification: models.ApiSpecification): CompiledRoute[] {
  let compiled = COMPILED_ROUTES.get(specification);
  if (!compiled) {
    compiled = (specification.routes ?? []).map((route, index) => {
      const pattern = parseRoutePath(route.path);
      return { route, index, pattern, literals: pattern.filter((s) => s.kind === 'literal').length, wildcards: pattern.filter(isWildcard).length };
    });
    if (Object.isFrozen(specification)) COMPILED_ROUTES.set(specification, compiled);
  }
  return compiled;
}

/** The deployment with the longest whole-segment prefix of `path`; on equal prefixes, the first listed. */
function owningDeployment(deployments: ReadonlyArray<DeploymentRoutes>, path: string): DeploymentRoutes | undefined {
  let best: DeploymentRoutes | undefined;
  let bestLength = -1;
  for (const deployment of deployments) {
    const prefix = normalisePrefix(deployment.pathPrefix);
    const owns = path === prefix || path.startsWith(`${prefix}/`);
    if (owns && prefix.length > bestLength) {
      best = deployment;
      bestLength = prefix.length;
    }
  }
  return best;
}

/** `/test/` and `/test` are one prefix; `/` owns every path. */
function normalisePrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix.replace(/\/+$/, '') : prefix;
}

function parseRoutePath(routePath: string): Segment[] {
  return routePath
    .replace(/^\//, '')
    .split('/')
    .map((text): Segment => {
      const param = PARAM_SEGMENT.exec(text);
      if (!param) return { kind: 'literal', text };
      return param[2] === '*' ? { kind: 'wildcard', name: param[1]! } : { kind: 'param', name: param[1]! };
    });
}

const isWildcard = (segment: Segment): boolean => segment.kind === 'wildcard';

/** A pattern of literals and `{p}` only (no search, nothing to remember): as many segments, literals equal, parameters non-empty. */
function matchPlain(pattern: ReadonlyArray<Segment>, segments: ReadonlyArray<string>): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i]!;
    const actual = segments[i]!;
    if (segment.kind === 'literal') {
      if (actual !== segment.text) return undefined;
    } else if (segment.kind === 'param') {
      if (actual === '') return undefined;
      params[segment.name] = actual;
    }
  }
  return params;
}

/**
 * Matches request segments against a route pattern. A trailing slash is an empty last segment,
 * so `/a` and `/a/` are different routes [I]; `{p*}` takes the fewest segments that let the rest
 * match, and its value is those segments joined with `/` (`/hello/{g*}` on `/hello/apac/intro/`
 * gives `apac/intro/`; on `/hello` or `/hello/`, the empty string).
 */
function matchSegments(pattern: ReadonlyArray<Segment>, segments: ReadonlyArray<string>): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  // Positions known not to match: several `{p*}` in one route stay polynomial, not exponential.
  const failed = new Set<number>();
  const step = (pi: number, si: number): boolean => {
    const segment = pattern[pi];
    if (segment === undefined) return si === segments.length;
    const key = pi * (segments.length + 1) + si;
    if (failed.has(key)) return false;
    let ok = false;
    if (segment.kind === 'wildcard') {
      for (let take = 0; !ok && si + take <= segments.length; take++) {
        if (step(pi + 1, si + take)) {
          // Parameters are written only on the path that succeeded, so no failed attempt leaves one behind.
          params[segment.name] = segments.slice(si, si + take).join('/');
          ok = true;
        }
      }
    } else {
      const actual = segments[si];
      if (actual !== undefined) {
        if (segment.kind === 'literal') ok = actual === segment.text && step(pi + 1, si + 1);
        else if (actual !== '' && step(pi + 1, si + 1)) {
          params[segment.name] = actual;
          ok = true;
        }
      }
    }
    if (!ok) failed.add(key);
    return ok;
  };
  return step(0, 0) ? params : undefined;
}

/** No `methods`, or `ANY` among them, accepts every method; otherwise an exact (case-sensitive) listing. */
function acceptsMethod(route: models.ApiSpecificationRoute, method: string): boolean {
  const methods: ReadonlyArray<string> | undefined = route.methods;
  return methods === undefined || methods.length === 0 || methods.includes('ANY') || methods.includes(method);
}

/**
 * `.` and `..`, also when percent-encoded (`%2e%2E`) or hidden behind an encoded separator
 * (`..%2F..`, `..%5C`), since a backend may decode either before resolving the path.
 */
function isDotSegment(segment: string): boolean {
  // Without a dot or an escape there is nothing to decode into one (the usual segment).
  if (!segment.includes('.') && !segment.includes('%')) return false;
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    /* a malformed escape is kept as written and judged as it is */
  }
  return decoded.split(/[/\\]/).some((part) => part === '.' || part === '..');
}
