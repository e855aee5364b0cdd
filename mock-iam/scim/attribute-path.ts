/**
 * SCIM attribute paths (RFC 7644 §3.10 and the PATCH `path` of §3.5.2):
 *
 *   userName · name.givenName · emails · emails[type eq "work"] · emails[type eq "work"].value
 *   meta.lastModified · urn:ietf:params:scim:schemas:idcs:extension:custom:User:MichaelFischerTest1
 *   urn:ietf:params:scim:schemas:core:2.0:User:userName (= userName)
 *
 * THE URN RULE. A path that starts with `urn:` names an extension attribute: schema URN, a
 * colon, then the attribute (IDCS: `urn:…:custom:User:MyAttr`). Attribute names never contain
 * `:` (RFC 7643 §2.1 ATTRNAME), so the schema URN is everything before the LAST colon of the part
 * before any `[` — with two refinements:
 *   1. `options.knownSchemas`: when one of them (case-insensitive) is the path or a `:`-prefix of
 *      it, the longest such URN wins. Callers with a schema registry should pass it.
 *   2. Otherwise, a path whose last segment starts with an uppercase letter while the segment
 *      before it does not (`…:custom:User`, `…:enterprise:2.0:User`) is a bare schema URN, i.e.
 *      the whole extension object: in practice a schema URN ends with a capitalised resource
 *      name (`User`, `Group`), and the segment before that is lowercase or a version. So
 *      `…:custom:User:MichaelFischerTest1` (previous segment `User` is capitalised) is attribute
 *      `MichaelFischerTest1`, and `…:custom:User:nickName` is attribute `nickName`.
 * A core schema URN (`urn:ietf:params:scim:schemas:core:2.0:<Type>`, or `options.coreSchemas`)
 * is dropped: `urn:…:core:2.0:User:userName` is `userName`. Sub-attributes follow the attribute
 * after a dot (`urn:…:enterprise:2.0:User:manager.value`); dots inside the URN (`2.0`) are not
 * separators because they sit before the last colon.
 *
 * Resources keep extension attributes under the full URN key: `resource["urn:…:custom:User"]`.
 * Attribute names and URN keys are matched case-insensitively (RFC 7643 §2.1).
 */
import { ScimError } from '../../common/errors.js';

export const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:';
export const INVALID_PATH_MESSAGE_ID = 'error.common.validation.invalidPath';
/** Longest path text accepted (a PATCH value path carries a filter). */
export const MAX_PATH_LENGTH = 10_000;

/** RFC 7643 §2.1 ATTRNAME, plus `$ref` (RFC 7643 §2.4). */
const ATTR_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const CORE_SCHEMA = /^urn:ietf:params:scim:schemas:core:2\.0:[A-Za-z][A-Za-z0-9]*$/i;

export interface AttributePath {
  /** The text as given. */
  readonly text: string;
  /** Extension schema URN as written; undefined for core attributes. */
  readonly schema?: string;
  /** Top-level attribute; undefined when the path is a bare extension URN (the whole extension). */
  readonly attribute?: string;
  readonly subAttribute?: string;
  /** The filter text between `[` and `]` of a value path (`emails[type eq "work"]`). */
  readonly valueFilter?: string;
}

export interface AttributePathOptions {
  /** Schema URNs to recognise as prefixes before the URN rule's capitalisation heuristic. */
  readonly knownSchemas?: readonly string[];
  /** More URNs to treat as the resource's core schema (e.g. `urn:ietf:params:scim:schemas:oracle:idcs:App`). */
  readonly coreSchemas?: readonly string[];
}

export function invalidPath(detail: string): ScimError {
  return new ScimError(400, detail, INVALID_PATH_MESSAGE_ID, 'invalidPath');
}

export function isCoreSchema(urn: string, options: AttributePathOptions = {}): boolean {
  if (CORE_SCHEMA.test(urn)) return true;
  const lower = urn.toLowerCase();
  return (options.coreSchemas ?? []).some((s) => s.toLowerCase() === lower);
}

/** The object's own key for an attribute name: exact first, then case-insensitive. */
export function findKey(record: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(record, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(record).find((k) => k.toLowerCase() === lower);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const quote = (s: string) => JSON.stringify(s);

/** Splits `urn:…:Type:attr.sub`, `attr.sub` or `attr` (no brackets). */
function splitHead(
  text: string,
  head: string,
  options: AttributePathOptions,
): { schema?: string; attribute?: string; subAttribute?: string } {
  let schema: string | undefined;
  let rest: string | undefined = head;
  if (/^urn:/i.test(head)) {
    const lower = head.toLowerCase();
    const known = (options.knownSchemas ?? [])
      .filter((s) => {
        const l = s.toLowerCase();
        return lower === l || lower.startsWith(`${l}:`);
      })
      .sort((a, b) => b.length - a.length)[0];
    if (known !== undefined) {
      schema = head.slice(0, known.length);
      rest = head.length === known.length ? undefined : head.slice(known.length + 1);
    } else {
      const colon = head.lastIndexOf(':');
      const last = head.slice(colon + 1);
      const before = head.slice(0, colon);
      const previous = before.slice(before.lastIndexOf(':') + 1);
      if (/^[A-Z]/.test(last) && !/^[A-Z]/.test(previous)) {
        schema = head;
        rest = undefined;
      } else {
        schema = before;
        rest = last;
      }
    }
    const segments = schema.split(':');
    if (segments.length < 3 || segments.some((s) => s === '')) {
      throw invalidPath(`attribute path ${quote(text)}: "${schema}" is not a schema URN (urn:<namespace>:<name>, then ":" and the attribute)`);
    }
    if (isCoreSchema(schema, options)) {
      if (rest === undefined) throw invalidPath(`attribute path ${quote(text)} names the core schema, not an attribute`);
      schema = undefined;
    }
  }
  if (rest === undefined) return { schema };
  const parts = rest.split('.');
  if (parts.length > 2) {
    throw invalidPath(`attribute path ${quote(text)} has ${parts.length} levels; SCIM allows an attribute and one sub-attribute (attr.subAttr)`);
  }
  for (const part of parts) {
    if (!ATTR_NAME.test(part)) {
      throw invalidPath(`attribute path ${quote(text)}: ${quote(part)} is not a valid attribute name (a letter, then letters, digits, "_" or "-")`);
    }
  }
  return { ...(schema !== undefined ? { schema } : {}), attribute: parts[0]!, ...(parts[1] !== undefined ? { subAttribute: parts[1] } : {}) };
}

/** Index of the `]` closing the `[` at `open`, skipping quoted strings; throws on nesting. */
function closingBracket(text: string, open: number): number {
  let inString = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[') throw invalidPath(`attribute path ${quote(text)}: value filters cannot be nested (second "[" at position ${i + 1})`);
    else if (c === ']') return i;
  }
  throw invalidPath(`attribute path ${quote(text)}: the "[" at position ${open + 1} is never closed by "]"`);
}

const cache = new Map<string, AttributePath>();
const CACHE_LIMIT = 500;

/**
 * Parses an attribute path; throws a 400 `ScimError` with scimType `invalidPath`.
 * The value filter is kept as text (compile it with `compileFilter` from filter.ts).
 */
export function parseAttributePath(text: string, options: AttributePathOptions = {}): AttributePath {
  const cacheable = options.knownSchemas === undefined && options.coreSchemas === undefined;
  if (cacheable) {
    const hit = cache.get(text);
    if (hit) return hit;
  }
  if (typeof text !== 'string' || text.length === 0) throw invalidPath('attribute path is empty');
  if (text.length > MAX_PATH_LENGTH) throw invalidPath(`attribute path is ${text.length} characters long; the limit is ${MAX_PATH_LENGTH}`);
  const open = text.indexOf('[');
  let path: AttributePath;
  if (open < 0) {
    if (text.includes(']')) throw invalidPath(`attribute path ${quote(text)}: "]" without "["`);
    path = { text, ...splitHead(text, text, options) };
  } else {
    const head = splitHead(text, text.slice(0, open), options);
    if (head.attribute === undefined) throw invalidPath(`attribute path ${quote(text)}: a value filter needs an attribute before "["`);
    if (head.subAttribute !== undefined) {
      throw invalidPath(`attribute path ${quote(text)}: a value filter applies to a multi-valued attribute, not to sub-attribute "${head.subAttribute}"`);
    }
    const close = closingBracket(text, open);
    const valueFilter = text.slice(open + 1, close);
    if (valueFilter.trim() === '') throw invalidPath(`attribute path ${quote(text)}: the value filter is empty`);
    const after = text.slice(close + 1);
    let subAttribute: string | undefined;
    if (after !== '') {
      if (!after.startsWith('.') || !ATTR_NAME.test(after.slice(1))) {
        throw invalidPath(`attribute path ${quote(text)}: after "]" only ".subAttribute" may follow (got ${quote(after)})`);
      }
      subAttribute = after.slice(1);
    }
    path = { text, ...head, valueFilter, ...(subAttribute !== undefined ? { subAttribute } : {}) };
  }
  if (cacheable) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, path);
  }
  return path;
}

/**
 * The path as text without its value filter: `[urn:…:Type:]attr[.sub]` (a bare URN for a whole
 * extension). This is the form given to `caseExact`, `attributeType` and matched by `readOnly`.
 */
export function formatAttributePath(path: AttributePath): string {
  const head = path.schema !== undefined ? (path.attribute !== undefined ? `${path.schema}:${path.attribute}` : path.schema) : (path.attribute ?? '');
  return path.subAttribute !== undefined ? `${head}.${path.subAttribute}` : head;
}

/** Pushes a value, flattening one array level and dropping null/undefined. */
function collect(out: unknown[], value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push(v);
  } else out.push(value);
}

/**
 * The value(s) a path designates in a resource, for sorting and filtering: always an array,
 * empty when the attribute is absent or null. A multi-valued attribute gives its elements
 * (`emails` → the email objects), a sub-attribute of a multi-valued one gives each element's
 * sub-attribute (`emails.value` → every address), a single value gives `[value]`, a bare extension
 * URN gives `[extensionObject]`. Names and URN keys match case-insensitively. For a sort key take
 * the first element. A value path (`emails[type eq "work"]`) is not resolved here: throws invalidPath.
 */
export function resolvePath(resource: unknown, path: string | AttributePath, options: AttributePathOptions = {}): unknown[] {
  const p = typeof path === 'string' ? parseAttributePath(path, options) : path;
  if (p.valueFilter !== undefined) {
    throw invalidPath(`attribute path ${quote(p.text)}: a value filter cannot be used here; use a filter expression instead`);
  }
  if (!isPlainObject(resource)) return [];
  let container: unknown = resource;
  if (p.schema !== undefined) {
    const key = findKey(resource, p.schema);
    container = key === undefined ? undefined : resource[key];
    if (p.attribute === undefined) return container === undefined || container === null ? [] : [container];
  }
  if (!isPlainObject(container) || p.attribute === undefined) return [];
  const key = findKey(container, p.attribute);
  const value = key === undefined ? undefined : container[key];
  const out: unknown[] = [];
  if (p.subAttribute === undefined) {
    collect(out, value);
    return out;
  }
  for (const element of Array.isArray(value) ? value : [value]) {
    if (!isPlainObject(element)) continue;
    const subKey = findKey(element, p.subAttribute);
    if (subKey !== undefined) collect(out, element[subKey]);
  }
  return out;
}
