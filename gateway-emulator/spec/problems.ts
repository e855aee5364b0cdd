/**
 * Turns zod's issues into the control plane's problem strings, `"<field path>: <reason>"`
 * (`specification.routes[2].requestPolicies.authorization.allowedScope: required for type ANY_OF`),
 * worded for someone fixing a JSON file rather than for a TypeScript developer. An unknown field
 * becomes one problem per field, naming it, because OCI's API refuses unknown fields.
 */
import type { core } from 'zod';
import { quote } from './context-variables.js';
import { MAX_PROBLEMS } from './limits.js';

type PathKey = PropertyKey;

/** `specification` + `['routes', 2, 'path']` → `specification.routes[2].path`. */
export function formatPath(base: string, path: readonly PathKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && name.length <= 60) out += out === '' ? name : `.${name}`;
      else out += `[${quote(name, 60)}]`;
    }
  }
  return out;
}

/** A short description of a found value, for "got ..." (never the whole of a huge string). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return quote(value, 60);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key as string];
  }
  return v;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

/** Fields people write by the docs' spelling or by habit; the hint names the API's field. */
const UNKNOWN_FIELD_HINTS: Record<string, string> = {
  isSSLVerifyDisabled: 'isSslVerifyDisabled',
  keyOps: 'key_ops',
  allowedScopes: 'allowedScope',
  method: 'methods',
  issuer: 'issuers',
  audience: 'audiences',
};

/**
 * Missing fields of a polymorphic object say which variant needs them, e.g. "required for type
 * ANY_OF", when the object's discriminator is one of `discriminators`.
 */
function requiredReason(root: unknown, path: readonly PathKey[], discriminators: ReadonlySet<string>): string {
  const parent = valueAt(root, path.slice(0, -1));
  if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
    const p = parent as Record<string, unknown>;
    const last = path[path.length - 1];
    for (const field of ['type', 'format', 'validationType'] as const) {
      const v = p[field];
      if (last !== field && typeof v === 'string' && discriminators.has(v)) return `required for ${field === 'validationType' ? 'validationType' : field} ${v}`;
    }
  }
  return 'required';
}

function oneOf(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** The problem strings of one zod issue (several for unknown fields). */
export function issueProblems(issue: core.$ZodIssue, root: unknown, base: string, discriminators: ReadonlySet<string>): string[] {
  const path = issue.path;
  const at = formatPath(base, path) || 'deployment';
  const found = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const hint = UNKNOWN_FIELD_HINTS[key];
        return `${formatPath(base, [...path, key])}: unknown field${hint ? ` (the API's name is "${hint}")` : ''}`;
      });
    case 'invalid_type':
      if (found === undefined) return [`${at}: ${requiredReason(root, path, discriminators)}`];
      return [`${at}: expected ${EXPECTED[issue.expected] ?? issue.expected}; got ${describeValue(found)}`];
    case 'invalid_value':
      if (found === undefined) return [`${at}: ${requiredReason(root, path, discriminators)}`];
      return [
        issue.values.length === 1
          ? `${at}: must be ${oneOf(issue.values)}; got ${describeValue(found)}`
          : `${at}: must be one of ${oneOf(issue.values)}; got ${describeValue(found)}`,
      ];
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options && options.length > 0) {
        return found === undefined ? [`${at}: required (one of ${oneOf(options)})`] : [`${at}: must be one of ${oneOf(options)}; got ${describeValue(found)}`];
      }
      return [`${at}: does not match any allowed shape`];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return [`${at}: at most ${max} ${max === 1 ? 'entry' : 'entries'}; got ${Array.isArray(found) ? found.length : '?'}`];
      if (issue.origin === 'string') return [`${at}: at most ${max} characters; got ${typeof found === 'string' ? found.length : '?'}`];
      return [`${at}: ${issue.inclusive === false ? 'less than' : 'at most'} ${max}; got ${describeValue(found)}`];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return [`${at}: at least ${min} ${min === 1 ? 'entry' : 'entries'}; got ${Array.isArray(found) ? found.length : '?'}`];
      if (issue.origin === 'string') return [`${at}: must not be empty`];
      return [`${at}: ${issue.inclusive === false ? 'greater than' : 'at least'} ${min}; got ${describeValue(found)}`];
    }
    case 'invalid_key':
      // A record key (a media range, a parameter name): report the key's own issues at the key.
      return issue.issues.flatMap((inner) => inner.message).map((m) => `${at}: ${m}`);
    case 'custom':
      return [`${at}: ${issue.message}`];
    default:
      return [`${at}: ${issue.message}`];
  }
}

/** Problems of all issues, de-duplicated, capped at MAX_PROBLEMS (the rest counted). */
export function finishProblems(problems: string[], base: string): string[] {
  const unique = [...new Set(problems)];
  if (unique.length <= MAX_PROBLEMS) return unique;
  return [...unique.slice(0, MAX_PROBLEMS), `${base || 'deployment'}: ${unique.length - MAX_PROBLEMS} more problems not listed`];
}
