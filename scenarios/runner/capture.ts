/**
 * Reading a value out of a step's observation: `body.access_token`, `claims.aud`,
 * `claims["urn:opc:idm:t.user"]`, `body.Resources[0].id`, `headers.etag`, `tokenHeader.kid`,
 * `status`. Used by `capture:` (values for later steps) and nowhere else.
 */
import type { Observation } from './types.js';

export const CAPTURE_SOURCES = ['status', 'body', 'headers', 'claims', 'tokenHeader'] as const;
export type CaptureSource = (typeof CAPTURE_SOURCES)[number];

export type CapturePath = { ok: true; source: CaptureSource; segments: Array<string | number> } | { ok: false; reason: string };

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;

export function parseCapturePath(path: string): CapturePath {
  const head = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
  if (!(CAPTURE_SOURCES as readonly string[]).includes(head)) {
    return { ok: false, reason: `"${path}" must start with one of ${CAPTURE_SOURCES.join(', ')} (e.g. body.access_token, claims.aud, headers.etag)` };
  }
  const segments: Array<string | number> = [];
  let rest = path.slice(head.length);
  while (rest !== '') {
    const m = SEGMENT.exec(rest);
    if (!m) return { ok: false, reason: `"${path}": cannot read "${rest}" (write .name, [0] or ["name with: odd characters"])` };
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(`"${m[3]}"`) as string)));
    rest = rest.slice(m[0].length);
  }
  if (head === 'status' && segments.length) return { ok: false, reason: `"${path}": status has no fields` };
  if (head === 'headers' && segments.length !== 1) return { ok: false, reason: `"${path}": name one header, e.g. headers.etag` };
  return { ok: true, source: head as CaptureSource, segments };
}

/** The value at a parsed path, or `found: false`. Header names are matched case-insensitively. */
export function readPath(observation: Observation, path: Extract<CapturePath, { ok: true }>): { found: true; value: unknown } | { found: false } {
  let value: unknown;
  switch (path.source) {
    case 'status':
      return observation.status === undefined ? { found: false } : { found: true, value: observation.status };
    case 'headers': {
      const name = String(path.segments[0]).toLowerCase();
      const header = observation.headers?.[name];
      return header === undefined ? { found: false } : { found: true, value: header };
    }
    case 'body':
      value = observation.body;
      break;
    case 'claims':
      value = observation.accessToken?.claims;
      break;
    case 'tokenHeader':
      value = observation.accessToken?.header;
      break;
  }
  for (const segment of path.segments) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return { found: false };
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value === undefined ? { found: false } : { found: true, value };
}
