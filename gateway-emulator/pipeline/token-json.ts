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
  const duplicate = findDuplicateMember(text);
  if (duplicate !== undefined) return { ok: false, reason: `ambiguous: the member "${duplicate}" appears twice in one object` };
  return { ok: true, value: value as Record<string, unknown> };
}

type Frame = { object: true; names: Set<string>; expectName: boolean } | { object: false };

/**
 * Walks text that `JSON.parse` has already accepted and returns the first member name that
 * appears twice in the same object. Names are compared after unescaping (`"a"` and `"\u0061"`
 * are the same member), as a JSON parser sees them.
 */
export function findDuplicateMember(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push({ object: true, names: new Set(), expectName: true });
    else if (c === 0x5b /* [ */) stack.push({ object: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.object) top.expectName = true;
    } else if (c === 0x3a /* : */) {
      const top = stack.at(-1);
      if (top?.object) top.expectName = false;
    } else if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      const top = stack.at(-1);
      if (top?.object && top.expectName) {
        const name = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.names.has(name)) return name;
        top.names.add(name);
      }
    }
  }
  return undefined;
}
