/**
 * What a step expects of its answer, checked against its observation. Values match as a subset:
 * an expected object names only the members it cares about; arrays match element by element and
 * must be as long; scalars must be equal (no type coercion: `"401"` is not `401`).
 *
 * Where a plain value is not enough, a matcher: an object with one `$` key.
 *   $exists: true|false   the member is there (false: it is absent)
 *   $equals: value        exactly this value (no subset)
 *   $oneOf: [a, b]        any one of these values
 *   $matches: "regex"     a string matching the regular expression
 *   $startsWith: "text"   a string starting with the text
 *   $contains: value      a string containing the text, or an array with an element matching value
 *   $type: string|number|boolean|array|object|null
 *   $not: value|matcher   anything that does not match
 */
import { isDeepStrictEqual } from 'node:util';
import type { Expectation } from './scenario-file.js';
import type { Observation } from './types.js';

export const MATCHERS = ['$exists', '$equals', '$oneOf', '$matches', '$startsWith', '$contains', '$type', '$not'] as const;
const TYPES = ['string', 'number', 'boolean', 'array', 'object', 'null'];
const ABSENT = Symbol('absent');

const show = (v: unknown): string => (v === ABSENT ? 'nothing' : JSON.stringify(v) ?? String(v));
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** `$name`, not `${variable}` (a key may be a variable, e.g. a claim named after the run). */
const isMatcherKey = (key: string) => key.startsWith('$') && !key.startsWith('${');

function isMatcher(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && isMatcherKey(keys[0]!);
}

/** Problems with the matchers inside an expected value (checked when a scenario is loaded). */
export function matcherProblems(expected: unknown, path = ''): string[] {
  if (Array.isArray(expected)) return expected.flatMap((e, i) => matcherProblems(e, `${path}[${i}]`));
  if (expected === null || typeof expected !== 'object') return [];
  const keys = Object.keys(expected);
  const dollar = keys.filter(isMatcherKey);
  if (dollar.length && keys.length > 1) return [`${path || '(value)'}: a matcher (${dollar.join(', ')}) must be the only key of its object`];
  if (dollar.length === 1) {
    const [name] = dollar as [string];
    const arg = (expected as Record<string, unknown>)[name];
    if (!(MATCHERS as readonly string[]).includes(name)) return [`${path || '(value)'}: unknown matcher ${name} (known: ${MATCHERS.join(', ')})`];
    if (name === '$exists' && typeof arg !== 'boolean') return [`${path}.$exists: must be true or false`];
    if (name === '$oneOf' && !Array.isArray(arg)) return [`${path}.$oneOf: must be a list of values`];
    if ((name === '$matches' || name === '$startsWith') && typeof arg !== 'string') return [`${path}.${name}: must be a string`];
    if (name === '$type' && !TYPES.includes(String(arg))) return [`${path}.$type: one of ${TYPES.join(', ')}`];
    if (name === '$matches') {
      try {
        new RegExp(arg as string);
      } catch (err) {
        return [`${path}.$matches: ${(err as Error).message}`];
      }
    }
    if (name === '$not' || name === '$contains') return matcherProblems(arg, `${path}.${name}`);
    return [];
  }
  return Object.entries(expected).flatMap(([k, v]) => matcherProblems(v, path ? `${path}.${k}` : k));
}

/** Mismatches of `actual` against `expected` at `path`, one sentence each; empty when it matches. */
export function mismatches(expected: unknown, actual: unknown, path: string): string[] {
  if (isMatcher(expected)) {
    const [name, arg] = Object.entries(expected)[0]!;
    const fail = (what: string) => [`${path}: expected ${what}, got ${show(actual)}`];
    switch (name) {
      case '$exists':
        return (actual !== ABSENT) === arg ? [] : fail(arg ? 'a value' : 'nothing');
      case '$equals':
        return actual !== ABSENT && isDeepStrictEqual(actual, arg) ? [] : fail(`exactly ${show(arg)}`);
      case '$oneOf':
        return (arg as unknown[]).some((a) => mismatches(a, actual, path).length === 0) ? [] : fail(`one of ${show(arg)}`);
      case '$matches':
        return typeof actual === 'string' && new RegExp(arg as string).test(actual) ? [] : fail(`a string matching /${String(arg)}/`);
      case '$startsWith':
        return typeof actual === 'string' && actual.startsWith(arg as string) ? [] : fail(`a string starting with ${show(arg)}`);
      case '$contains':
        if (typeof actual === 'string' && typeof arg === 'string') return actual.includes(arg) ? [] : fail(`a string containing ${show(arg)}`);
        return Array.isArray(actual) && actual.some((a) => mismatches(arg, a, path).length === 0) ? [] : fail(`a list containing ${show(arg)}`);
      case '$type':
        return actual !== ABSENT && typeOf(actual) === arg ? [] : fail(`a value of type ${String(arg)}`);
      case '$not':
        return mismatches(arg, actual, path).length > 0 ? [] : fail(`anything but ${show(arg)}`);
      default:
        return [`${path}: unknown matcher ${name}`];
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list ${show(expected)}, got ${show(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} elements ${show(expected)}, got ${actual.length}: ${show(actual)}`];
    return expected.flatMap((e, i) => mismatches(e, actual[i], `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object with ${show(expected)}, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => mismatches(v, Object.hasOwn(actual, k) ? (actual as Record<string, unknown>)[k] : ABSENT, `${path}.${k}`));
  }
  return actual !== ABSENT && isDeepStrictEqual(actual, expected) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Every way the observation falls short of the (interpolated) expectation. */
export function checkExpectation(expect: Expectation | undefined, observation: Observation): string[] {
  if (!expect) return [];
  const failures: string[] = [];
  if (expect.status !== undefined) {
    const allowed = Array.isArray(expect.status) ? expect.status : [expect.status];
    if (observation.status === undefined || !allowed.includes(observation.status)) {
      failures.push(`status: expected ${allowed.join(' or ')}, got ${observation.status ?? 'no answer'}`);
    }
  }
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const header = observation.headers?.[name.toLowerCase()];
    failures.push(...mismatches(value, header === undefined ? ABSENT : header, `headers.${name.toLowerCase()}`));
  }
  if (expect.body !== undefined) failures.push(...mismatches(expect.body, observation.body === undefined ? ABSENT : observation.body, 'body'));
  for (const [part, expected] of [
    ['claims', expect.claims],
    ['tokenHeader', expect.tokenHeader],
  ] as const) {
    if (expected === undefined) continue;
    const token = observation.accessToken;
    if (!token) failures.push(`${part}: the answer carried no access token`);
    else failures.push(...mismatches(expected, part === 'claims' ? token.claims : token.header, part));
  }
  return failures;
}
