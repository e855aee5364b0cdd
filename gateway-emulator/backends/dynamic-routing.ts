/**
 * DYNAMIC_ROUTING_BACKEND: picks one of the route's backends by the value of a context variable
 * (reference §1.7, §1.8; D-dyn). The caller reads the selector (`request.headers[x]`,
 * `request.auth[claim]`, `request.host`…) and passes its values; this file only decides.
 *
 * OCI's rules [C D-dyn, SDK]:
 * - ANY_OF keys match a value exactly, ignoring case;
 * - WILDCARD keys hold one `*` (zero or more characters) or `+` (one or more) at the start or the
 *   end of the expression, and match case-sensitively;
 * - an exact (ANY_OF) match wins, then the first matching wildcard in the order given, then the
 *   backend marked `isDefault`; with none of these the request fails;
 * - when the variable has several values, only the first is used.
 */
import type { models } from 'oci-apigateway';

export type RoutableBackend = models.HTTPBackend | models.StockResponseBackend | models.OracleFunctionBackend;

export type DynamicSelection = { ok: true; backend: RoutableBackend; key: string } | { ok: false; reason: string };

/** Child backends a dynamic routing backend may send to [C D-dyn]. */
const ROUTABLE_TYPES = new Set(['HTTP_BACKEND', 'STOCK_RESPONSE_BACKEND', 'ORACLE_FUNCTIONS_BACKEND']);

/** ANY_OF: exact, case-insensitive. */
export function anyOfMatches(values: ReadonlyArray<string> | undefined, value: string): boolean {
  const wanted = value.toLowerCase();
  return (values ?? []).some((v) => v.toLowerCase() === wanted);
}

/**
 * WILDCARD: `*` stands for zero or more characters, `+` for one or more, only at the start or the
 * end; everything else is compared literally and case-sensitively. An expression without a
 * wildcard (the spec validation refuses it) is compared as a literal.
 */
export function wildcardMatches(expression: string, value: string): boolean {
  const first = expression.charAt(0);
  const last = expression.charAt(expression.length - 1);
  if (expression.length > 0 && (last === '*' || last === '+')) {
    const prefix = expression.slice(0, -1);
    return value.startsWith(prefix) && value.length >= prefix.length + (last === '+' ? 1 : 0);
  }
  if (first === '*' || first === '+') {
    const suffix = expression.slice(1);
    return value.endsWith(suffix) && value.length >= suffix.length + (first === '+' ? 1 : 0);
  }
  return value === expression;
}

/**
 * The backend for this request. A selector with no value reads as the empty string, as every
 * missing context variable does (reference §5.2): it can match `*`, an ANY_OF value `""`, or the default.
 */
export function selectDynamicBackend(backend: models.DynamicRoutingBackend, selectorValues: string[] | undefined): DynamicSelection {
  const value = selectorValues?.[0] ?? '';
  const routes = backend.routingBackends ?? [];
  const selector = backend.selectionSource?.selector ?? '(no selector)';
  const chosen =
    routes.find((r) => r.key.type === 'ANY_OF' && anyOfMatches((r.key as models.AnyOfSelectionKey).values, value)) ??
    routes.find((r) => r.key.type === 'WILDCARD' && wildcardMatches((r.key as models.WildcardSelectionKey).expression ?? '', value)) ??
    routes.find((r) => r.key.isDefault === true);
  if (!chosen) {
    return { ok: false, reason: `no routing backend matches ${JSON.stringify(value)} (the value of ${selector}) and none is the default` };
  }
  if (!ROUTABLE_TYPES.has(chosen.backend.type)) {
    return { ok: false, reason: `routing backend "${chosen.key.name}" is a ${chosen.backend.type}, which a dynamic routing backend cannot send to` };
  }
  return { ok: true, backend: chosen.backend as RoutableBackend, key: chosen.key.name };
}
