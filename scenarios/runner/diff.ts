/**
 * Structural comparison of a recorded observation with a current one, both already normalised
 * (see normalise.ts): one {@link Difference} per differing leaf, at a JSON path a reader can
 * paste into an `ignore` list.
 */
import type { Difference, Observation } from './types.js';

type Segment = string | number;

/** One step of a parsed ignore path: a key or an index, any single child, or a key at any depth. */
type IgnoreStep = { kind: 'child'; key: Segment } | { kind: 'any' } | { kind: 'descendant'; key: Segment | '*' };

interface IgnoreRule {
  path: string;
  steps: IgnoreStep[];
  matched: boolean;
}

/** The top-level fields in the order a reader thinks of them (the order of a step's answer); other keys after, sorted. */
const OBSERVATION_FIELDS = ['status', 'headers', 'body', 'accessToken', 'idToken'];

/**
 * The differences between a recorded and a current observation (both already normalised).
 * `ignore`: JSONPath-like paths (`$.body.meta`, `$.accessToken.claims.user_tz`, `$..x5t` for any
 * depth) whose subtrees are not compared. Also accepted: `["key"]` for any key, `[2]` for an
 * index, `*` / `[*]` for any one child. An ignore path that cannot be parsed throws: a typo must
 * not silently compare what the author meant to ignore.
 *
 * `ignored` lists, in the order given, the ignore paths that matched a node of either observation,
 * whether or not the node differed, so a path that no longer matches anything can be removed.
 */
export function diffObservation(
  recorded: Observation,
  actual: Observation,
  ignore: readonly string[] = [],
): { differences: Difference[]; ignored: string[] } {
  const rules: IgnoreRule[] = [];
  for (const path of ignore) {
    if (!rules.some((rule) => rule.path === path)) rules.push({ path, steps: parseIgnorePath(path), matched: false });
  }
  const differences: Difference[] = [];
  const context: Context = { rules, differences };

  const rec = recorded as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  if (!isIgnored([], context)) {
    const others = [...new Set([...Object.keys(rec), ...Object.keys(act)])].filter((k) => !OBSERVATION_FIELDS.includes(k)).sort();
    compareMembers(rec, act, [...OBSERVATION_FIELDS, ...others], [], context);
  }
  return { differences, ignored: rules.filter((rule) => rule.matched).map((rule) => rule.path) };
}

interface Context {
  rules: IgnoreRule[];
  differences: Difference[];
}

function compareMembers(
  recorded: Record<string, unknown>,
  actual: Record<string, unknown>,
  keys: readonly string[],
  path: Segment[],
  context: Context,
): void {
  for (const key of keys) {
    // A member whose value is `undefined` is as good as absent: it would not survive JSON.
    const inRecorded = Object.hasOwn(recorded, key) && recorded[key] !== undefined;
    const inActual = Object.hasOwn(actual, key) && actual[key] !== undefined;
    if (inRecorded || inActual) compareNode(inRecorded, recorded[key], inActual, actual[key], [...path, key], context);
  }
}

function compareNode(inRecorded: boolean, recorded: unknown, inActual: boolean, actual: unknown, path: Segment[], context: Context): void {
  if (isIgnored(path, context)) return;
  if (!inActual) {
    context.differences.push({ path: formatPath(path), kind: 'missing', recorded: prune(recorded, path, context) });
    return;
  }
  if (!inRecorded) {
    context.differences.push({ path: formatPath(path), kind: 'extra', actual: prune(actual, path, context) });
    return;
  }
  if (isObject(recorded) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(actual)])].sort();
    compareMembers(recorded, actual, keys, path, context);
  } else if (Array.isArray(recorded) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(recorded.length, actual.length); i++) {
      compareNode(i < recorded.length, recorded[i], i < actual.length, actual[i], [...path, i], context);
    }
  } else if (isObject(recorded) || isObject(actual) || Array.isArray(recorded) || Array.isArray(actual)) {
    // Different kinds of value (an array where an object was, a string where an object was): one
    // difference for the whole node, since comparing their insides means nothing.
    context.differences.push({ path: formatPath(path), kind: 'changed', recorded: prune(recorded, path, context), actual: prune(actual, path, context) });
  } else if (!Object.is(recorded, actual)) {
    context.differences.push({ path: formatPath(path), kind: 'changed', recorded, actual });
  }
}

/**
 * A subtree reported whole (missing, extra, or of another kind) without its ignored parts: an
 * ignored `$..x5t` must not reappear inside a reported JWK, and the ignore still counts as used.
 */
function prune(value: unknown, path: Segment[], context: Context): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      if (!isIgnored([...path, i], context)) out.push(prune(item, [...path, i], context));
    });
    return out;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (!isIgnored([...path, key], context)) out[key] = prune(value[key], [...path, key], context);
    }
    return out;
  }
  return value;
}

/** Whether an ignore rule covers this path; every rule that does is marked as used. */
function isIgnored(path: readonly Segment[], context: Context): boolean {
  let ignored = false;
  for (const rule of context.rules) {
    if (matches(rule.steps, 0, path, 0)) {
      rule.matched = true;
      ignored = true;
    }
  }
  return ignored;
}

function matches(steps: readonly IgnoreStep[], s: number, path: readonly Segment[], p: number): boolean {
  if (s === steps.length) return p === path.length;
  const step = steps[s]!;
  if (step.kind === 'descendant') {
    // `..key`: the key at this level or at any level below.
    for (let at = p; at < path.length; at++) {
      if ((step.key === '*' || path[at] === step.key) && matches(steps, s + 1, path, at + 1)) return true;
    }
    return false;
  }
  if (p >= path.length) return false;
  if (step.kind === 'child' && path[p] !== step.key) return false;
  return matches(steps, s + 1, path, p + 1);
}

/** Parses `$`, `.key`, `..key`, `["key"]`, `['key']`, `[3]`, `.*`, `[*]`, `..*`, `..["key"]`. */
function parseIgnorePath(path: string): IgnoreStep[] {
  const fail = (why: string): never => {
    throw new Error(`Ignore path ${JSON.stringify(path)}: ${why}`);
  };
  if (!path.startsWith('$')) fail('must start with "$"');
  const steps: IgnoreStep[] = [];
  let i = 1;
  while (i < path.length) {
    let descendant = false;
    let bracketOnly = false;
    if (path.startsWith('..', i)) {
      descendant = true;
      i += 2;
    } else if (path[i] === '.') {
      i += 1;
    } else if (path[i] === '[') {
      bracketOnly = true;
    } else {
      fail(`unexpected ${JSON.stringify(path[i])} at ${i}`);
    }
    let key: Segment | '*';
    if (path[i] === '[') {
      const close = findClosingBracket(path, i) ?? fail(`no closing "]" for the "[" at ${i}`);
      key = parseBracket(path.slice(i + 1, close)) ?? fail(`cannot read ${path.slice(i, close + 1)}`);
      i = close + 1;
    } else {
      if (bracketOnly) fail(`unexpected "[" at ${i}`);
      const name = /^[^.[\]]+/.exec(path.slice(i))?.[0] ?? fail(`a key is missing at ${i}`);
      key = name;
      i += name.length;
    }
    if (descendant) steps.push({ kind: 'descendant', key });
    else steps.push(key === '*' ? { kind: 'any' } : { kind: 'child', key });
  }
  return steps;
}

function findClosingBracket(path: string, open: number): number | undefined {
  const quote = path[open + 1];
  if (quote === '"' || quote === "'") {
    // Skip the quoted key (a key may hold "]"); a backslash escapes the next character.
    for (let i = open + 2; i < path.length; i++) {
      if (path[i] === '\\') i++;
      else if (path[i] === quote) return path[i + 1] === ']' ? i + 1 : undefined;
    }
    return undefined;
  }
  const close = path.indexOf(']', open);
  return close === -1 ? undefined : close;
}

function parseBracket(inner: string): Segment | '*' | undefined {
  if (inner === '*') return '*';
  if (/^\d+$/.test(inner)) return Number(inner);
  if (inner.startsWith('"')) {
    try {
      const key: unknown = JSON.parse(inner);
      return typeof key === 'string' ? key : undefined;
    } catch {
      return undefined;
    }
  }
  if (inner.startsWith("'") && inner.endsWith("'") && inner.length >= 2) return inner.slice(1, -1).replace(/\\(.)/g, '$1');
  return undefined;
}

/** `$.headers.content-type`, `$.body.aud[1]`, `$.accessToken.claims["urn:opc:x"]`. */
function formatPath(path: readonly Segment[]): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    // Header names read better bare, so a hyphen is allowed inside a bare key.
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
