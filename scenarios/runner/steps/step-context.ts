/**
 * What every step kind gets from the runner, and the one HTTP call they all make through it.
 */
import type { Target } from '../targets/target.js';
import type { DecodedToken, Observation } from '../types.js';

export interface StepContext {
  target: Target;
  /** The scenario file's folder: deployment files are relative to it. */
  scenarioDir: string;
  /**
   * A bearer token of the target's admin client, fetched once per run; `renew` fetches a new one
   * (after a 401: a clock step may have expired it).
   */
  adminToken(renew?: boolean): Promise<string>;
  /** Values reporters must mask (the runner adds what it finds in answers too). */
  addSecret(value: string | undefined): void;
}

export interface StepOutput {
  /** `POST /admin/v1/Apps`, for the progress line. */
  action: string;
  observation: Observation;
  /** Run when the scenario ends (newest first): deletes what the step created. */
  cleanup?: { description: string; run: () => Promise<void> };
  /** The gateway's reason for its answer, where the target can tell. */
  gatewayReason?: string;
}

/** The JOSE header and claims of a compact JWS, or undefined when the string is not one. */
export function decodeJwt(token: unknown): DecodedToken | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string> | undefined;
  /** Sent as it is. */
  body?: string | undefined;
}

/** One HTTP exchange as an observation: status, every header (lower-case), the body (JSON when it parses), tokens decoded. */
export async function observeHttp(call: HttpCall): Promise<Observation> {
  const response = await fetch(call.url, {
    method: call.method,
    headers: call.headers ?? {},
    ...(call.body !== undefined ? { body: call.body } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const observation: Observation = { status: response.status, headers };
  if (text !== '') {
    try {
      observation.body = JSON.parse(text) as unknown;
    } catch {
      observation.body = text;
    }
  }
  if (isObject(observation.body)) {
    const accessToken = decodeJwt(observation.body.access_token);
    if (accessToken) observation.accessToken = accessToken;
    const idToken = decodeJwt(observation.body.id_token);
    if (idToken) observation.idToken = idToken;
  }
  return observation;
}

/** `?a=1&b=2` for a query map (empty string for none). */
export function queryString(query: Record<string, string> | undefined): string {
  if (!query || Object.keys(query).length === 0) return '';
  return `?${new URLSearchParams(query).toString()}`;
}
