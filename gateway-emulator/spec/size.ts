/**
 * How big a value is as JSON, measured without serialising it: OCI refuses a specification over
 * 2 MB [C D-limits], and hostile input (a million routes, a cycle, 100 000 nested arrays) must be
 * refused before any schema walks it. The walk is iterative (no stack to overflow), stops at the
 * byte budget and at a depth cap, and never throws.
 */

export type JsonMeasure =
  | { ok: true; bytes: number }
  | { ok: false; reason: 'too-large'; bytes: number }
  | { ok: false; reason: 'too-deep'; depth: number }
  | { ok: false; reason: 'not-json'; found: string };

function stringBytes(s: string): number {
  // Quotes plus UTF-8 bytes; escapes add a little, which only matters at the very edge of the limit.
  return Buffer.byteLength(s, 'utf8') + 2;
}

/** Measures `value` as JSON.stringify would write it, up to `maxBytes` and `maxDepth`. */
export function measureJson(value: unknown, maxBytes: number, maxDepth: number): JsonMeasure {
  let bytes = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (depth > maxDepth) return { ok: false, reason: 'too-deep', depth };
    switch (typeof v) {
      case 'string':
        bytes += stringBytes(v);
        break;
      case 'number':
        bytes += Number.isFinite(v) ? String(v).length : 4;
        break;
      case 'boolean':
        bytes += v ? 4 : 5;
        break;
      case 'undefined':
        break;
      case 'bigint':
      case 'symbol':
      case 'function':
        return { ok: false, reason: 'not-json', found: `a ${typeof v}` };
      case 'object': {
        if (v === null) {
          bytes += 4;
          break;
        }
        if (Array.isArray(v)) {
          bytes += 2 + Math.max(0, v.length - 1);
          // A huge array is over budget by its commas alone; stop before pushing its elements.
          if (bytes > maxBytes) return { ok: false, reason: 'too-large', bytes };
          for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: depth + 1 });
        } else {
          const keys = Object.keys(v);
          bytes += 2 + Math.max(0, keys.length - 1);
          if (bytes > maxBytes) return { ok: false, reason: 'too-large', bytes };
          for (let i = keys.length - 1; i >= 0; i--) {
            const key = keys[i]!;
            bytes += stringBytes(key) + 1;
            stack.push({ value: (v as Record<string, unknown>)[key], depth: depth + 1 });
          }
        }
        break;
      }
    }
    if (bytes > maxBytes) return { ok: false, reason: 'too-large', bytes };
  }
  return { ok: true, bytes };
}
