/**
 * Which attributes a response returns (RFC 7644 §3.9, IDCS `attributeSets`): `attributes` keeps
 * the named ones, `excludedAttributes` drops them; `id` and `schemas` are always returned.
 * `attributeSets=always` returns only those; `default`, `request` and `all` return the full view
 * (the views hold no `returned: request` attributes today).
 */
import { scim } from '../../common/errors.js';
import { findKey } from './attribute-path.js';

export interface Projection {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
  attributeSets?: string[] | undefined;
}

const ALWAYS = ['id', 'schemas'];
const ATTRIBUTE_SETS = new Set(['all', 'always', 'never', 'request', 'default']);


/** Splits `name.givenName` or `urn:…:User:attr` against a view into [top-level key, sub-path]. */
function split(view: Record<string, unknown>, path: string): [string, string | undefined] | undefined {
  const whole = findKey(view, path);
  if (whole) return [whole, undefined];
  if (path.toLowerCase().startsWith('urn:')) {
    const urn = Object.keys(view).find((k) => k.startsWith('urn:') && path.toLowerCase().startsWith(`${k.toLowerCase()}:`));
    return urn ? [urn, path.slice(urn.length + 1)] : undefined;
  }
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const top = findKey(view, path.slice(0, dot));
  return top ? [top, path.slice(dot + 1)] : undefined;
}

function pick(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, sub)).filter((v) => v !== undefined);
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const [head, rest] = split(record, sub) ?? [];
  if (!head) return undefined;
  return rest === undefined ? { [head]: record[head] } : (() => {
    const inner = pick(record[head], rest);
    return inner === undefined ? undefined : { [head]: inner };
  })();
}

function merge(target: Record<string, unknown>, addition: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(addition)) {
    const existing = target[k];
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing) && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      merge(existing as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = v;
  }
}

export function project(view: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  const sets = projection.attributeSets ?? [];
  for (const s of sets) if (!ATTRIBUTE_SETS.has(s)) throw scim.badRequest(`attributeSets value "${s}" is not one of all, always, never, request, default`, 'error.common.validation.invalidQueryParam');
  const alwaysOnly = sets.length > 0 && sets.every((s) => s === 'always' || s === 'never');
  const out: Record<string, unknown> = {};
  for (const k of ALWAYS) if (k in view) out[k] = view[k];
  if (alwaysOnly) return out;
  if (projection.attributes && projection.attributes.length) {
    for (const path of projection.attributes) {
      const [top, sub] = split(view, path) ?? [];
      if (!top) continue;
      if (sub === undefined) out[top] = view[top];
      else {
        const picked = pick(view[top], sub);
        if (picked !== undefined) merge(out, { [top]: picked });
      }
    }
    return out;
  }
  Object.assign(out, view);
  for (const path of projection.excludedAttributes ?? []) {
    const [top, sub] = split(view, path) ?? [];
    if (!top || ALWAYS.includes(top)) continue;
    if (sub === undefined) delete out[top];
    else if (typeof out[top] === 'object' && out[top] !== null && !Array.isArray(out[top])) {
      const copy = { ...(out[top] as Record<string, unknown>) };
      const key = findKey(copy, sub);
      if (key) delete copy[key];
      out[top] = copy;
    }
  }
  return out;
}
