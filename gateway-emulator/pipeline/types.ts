/**
 * The data the gateway's decision functions pass along. A request is turned into a `Decision`:
 * accepted (the route, the `request.auth` claims, the backend call plan) or refused (status,
 * body, headers and the reason: which check, in OCI's log wording, what was expected and what
 * was found). The HTTP layer only executes decisions; the decision log, the CLI's offline
 * `explain` and the unit tests call the same functions.
 */

/** The parts of an incoming request the gateway decides on, read once from the wire. */
export interface GatewayRequest {
  method: string;
  /** The path as received, percent-encoding kept, without the query. */
  path: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Query parameters in order; names are case-sensitive (OCI). */
  query: ReadonlyArray<readonly [name: string, value: string]>;
  /** Header names lower-cased; a header sent several times has several values. */
  headers: Readonly<Record<string, ReadonlyArray<string>>>;
  host: string;
  /** The client's address as the gateway sees it (IPv4, or IPv6 without brackets). */
  clientIp: string;
  body?: Buffer | undefined;
}

/** One check of the pipeline, kept in the decision trace whether it passed or not. */
export interface CheckResult {
  /** e.g. `route`, `rateLimiting`, `authentication`, `authentication.verifyClaims`, `authorization`. */
  check: string;
  passed: boolean;
  /** OCI's log wording where OCI has one (`JWT token not issued for the configured audience.`). */
  message: string;
  expected?: unknown;
  found?: unknown;
}

/** A refusal the gateway answers itself: status, body (OCI's `{code, message}` unless a policy says otherwise), headers. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/** The claims of an authenticated caller, readable as `request.auth[...]`. */
export type AuthClaims = Readonly<Record<string, unknown>>;

export interface Refused {
  outcome: 'refused';
  answer: GatewayAnswer;
  /** The check that refused (the last failed entry of `checks`). */
  reason: CheckResult;
  checks: CheckResult[];
}

/**
 * OCI API Gateway's own error body: `{"code":<int>,"message":"<reason phrase>"}`. The 401 is
 * written message first, as in the published transcript (`{"message":"Unauthorized","code":401}`).
 */
export function gatewayError(status: number, message: string, headers: Record<string, string | string[]> = {}): GatewayAnswer {
  const body = status === 401 ? JSON.stringify({ message, code: status }) : JSON.stringify({ code: status, message });
  return { status, headers: { 'content-type': 'application/json', ...headers }, body };
}
