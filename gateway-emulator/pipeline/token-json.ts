/**
 * Strict JSON for the parts of a JWT (header, payload) and for a fetched JWKS.
 *
 * `JSON.parse` accepts a member name twice and keeps the last value. Two verifiers reading the
 * same token can then disagree (one library keeps the first `sub`, another the last), which is a
 * known way to smuggle claims past a gateway (security checklist; RFC 7515 §5.2 and RFC 7519 §4
 * say such JSON must be rejected or only the last taken — we reject). Invalid UTF-8 is refused
 * too instead of being silently replaced by U+FFFD.
 */

/** `reason` completes "the header is …": `not valid UTF-8`, `ambiguous: the member "sub" appears twice in one object`. */
export type StrictJson = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 bytes and parses them as one JSON object without duplicate member names. */
export function parseJsonObjectBytes(bytes: Uint8Array): StrictJson {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
  return parseJsonObject(text);
}

/** Parses text as one JSON object without duplicate member names (at any depth). */
export function parseJsonObject(text: string): StrictJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not an object` };
  }
  // Counting is the cheap test (no name is copied or hashed); only a mismatch looks for the name.
  const duplicate = countMemberNames(text) === countMembers(value) ? undefined : findDuplicateMember(text);
  if (duplicate !== undefined) return { ok: false, reason: `ambiguous: the member "${duplicate}" appears twice in one object` };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * The members of every object in a parsed value, nested ones included. `JSON.parse` keeps one
 * member per name, so this equals {@link countMemberNames} of its text exactly when no object
 * of the text names a member twice.
 */
function countMembers(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += countMembers(value[i]);
    return count;
  }
  for (const name in value as Record<string, unknown>) count += 1 + countMembers((value as Record<string, unknown>)[name]);
  return count;
}

/**
 * The member names written in text that `JSON.parse` has already accepted, over all objects at
 * any depth. The gateway's hot path for every token not yet verified: strings are skipped with
 * `indexOf` (native) rather than character by character, and nothing is allocated but the
 * object/array stack.
 */
export function countMemberNames(text: string): number {
  return scanMemberNames(text, false) as number;
}

/**
 * The first member name that appears twice in the same object of text that `JSON.parse` has
 * already accepted, if any. Names are compared after unescaping (`"a"` and `"\u0061"` are the
 * same member), as a JSON parser sees them; a name is unescaped by `JSON.parse` only when it
 * holds a backslash.
 */
export function findDuplicateMember(text: string): string | undefined {
  const found = scanMemberNames(text, true);
  return typeof found === 'string' ? found : undefined;
}

/**
 * One pass over the member names of accepted JSON text: their number, or with `findDuplicate`
 * the first name repeated within one object (the names of each open object kept in a Set).
 */
function scanMemberNames(text: string, findDuplicate: boolean): number | string {
  // One entry per open bracket: an object's names so far (a Set, or true when not kept), false for an array.
  const open: Array<Set<string> | boolean> = [];
  let depth = -1;
  let expectName = false;
  let names = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (expectName) {
        names++;
        expectName = false;
        const seen = open[depth];
        if (seen instanceof Set) {
          const backslash = text.indexOf('\\', i + 1);
          const name = backslash !== -1 && backslash < end ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
          if (seen.has(name)) return name;
          seen.add(name);
        }
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open[++depth] = findDuplicate ? new Set<string>() : true;
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      open[++depth] = false;
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = depth >= 0 && open[depth] !== false;
    }
  }
  return names;
}

/** Whether the quote at `quote` is escaped: an odd run of backslashes before it. */
function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
  return backslashes % 2 === 1;
}
