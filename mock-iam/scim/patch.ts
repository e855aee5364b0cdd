/**
 * SCIM PATCH (RFC 7644 §3.5.2) on a JSON resource, without a schema: `applyPatch` validates the
 * PatchOp message, applies its operations in order to a deep copy, and returns the copy (the
 * input is never mutated; an error in any operation discards them all).
 *
 * Paths: `attr`, `attr.sub`, `multi[filter]`, `multi[filter].sub`, extension paths
 * `urn:…:User:attr[.sub]` and a bare extension URN (the whole extension object); see
 * attribute-path.ts for the URN rule. Without a schema, an attribute counts as multi-valued
 * when its current value or the given value is an array (`options.multiValued` overrides).
 *
 * - add, no path: every key of the object `value` is applied as an add of that path (keys may be
 *   `name.givenName` or `urn:…:User:attr` too, and an extension URN key takes an object).
 * - add: single-valued → set; complex → the given sub-attributes are merged in; multi-valued →
 *   the values are appended, skipping equal ones (an element with the same `value` and `type`
 *   as an existing one is merged into it); `multi[filter]` merges the object into each match;
 *   `multi[filter].sub` sets the sub-attribute of each match.
 * - replace: like add, but a multi-valued attribute without filter is replaced as a whole and
 *   `multi[filter]` replaces each matching element.
 * - remove: the attribute (absent → nothing to do); `multi[filter]` removes the matching
 *   elements; `multi[filter].sub` that sub-attribute of each match. A `value` array on a remove of
 *   a multi-valued attribute removes those values (what Entra ID sends for group members).
 *   An attribute left empty (no elements, no sub-attributes) is removed; an extension object left
 *   empty is removed, and its URN leaves `schemas`. An extension created by add joins `schemas`.
 * - `null` as the value of add/replace unassigns the target (RFC 7643 §2.5: null ≡ unassigned).
 * - At most one element of a multi-valued attribute keeps `"primary": true`: the one this
 *   operation wrote wins; two written at once → invalidValue.
 * - `options.readOnly` (default `id`, `meta`) covers an attribute and everything under it
 *   (`meta` covers `meta.lastModified`); writing a different value or removing it → `mutability`.
 *   Writing the value it already has is accepted (a client echoing `id` back). `schemas` is not
 *   read-only: add may extend it. `options.immutable`: may be added when absent, never changed.
 *
 * Errors: 400 ScimError, detail `Operations[i]: …` naming the path; scimType invalidSyntax (the
 * message shape), invalidPath (a path that does not parse or does not fit the resource),
 * invalidFilter (the `[…]` of a path; RFC 7644 Table 9), noTarget (a filter that matches no value,
 * remove without path), invalidValue (missing or unusable `value`), mutability.
 */
import { ScimError } from '../../common/errors.js';
import {
  findKey,
  formatAttributePath,
  isPlainObject,
  parseAttributePath,
  type AttributePath,
  type AttributePathOptions,
} from './attribute-path.js';
import { compileFilter } from './filter.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const DEFAULT_READ_ONLY: readonly string[] = ['id', 'meta'];

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: string;
  readonly value?: unknown;
}

export interface PatchOptions extends AttributePathOptions {
  /** Read-only attribute paths (replaces the default `['id', 'meta']`). */
  readonly readOnly?: readonly string[];
  /** Immutable attribute paths: may be added when they have no value, never changed after. */
  readonly immutable?: readonly string[];
  /** caseExact for the value filters of paths (see filter.ts). */
  readonly caseExact?: (path: string) => boolean;
  /** Schema knowledge: whether an attribute (`emails`, `urn:…:User:attr`) is multi-valued. */
  readonly multiValued?: (path: string) => boolean;
}

export type PatchErrorType = 'invalidSyntax' | 'invalidPath' | 'invalidFilter' | 'noTarget' | 'invalidValue' | 'mutability';

/** IDCS-style message ids (`error.common.validation.<scimType>`; inferred, not observed). */
export const PATCH_MESSAGE_IDS: Record<PatchErrorType, string> = {
  invalidSyntax: 'error.common.validation.invalidSyntax',
  invalidPath: 'error.common.validation.invalidPath',
  invalidFilter: 'error.common.validation.invalidFilter',
  noTarget: 'error.common.validation.noTarget',
  invalidValue: 'error.common.validation.invalidValue',
  mutability: 'error.common.validation.mutability',
};

function patchError(scimType: PatchErrorType, detail: string): ScimError {
  return new ScimError(400, detail, PATCH_MESSAGE_IDS[scimType], scimType);
}

const OPS = new Set<PatchOpName>(['add', 'replace', 'remove']);
const quote = (s: string) => JSON.stringify(s);

/** Validates a PatchOp message (RFC 7644 §3.5.2) and returns its operations. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw patchError('invalidSyntax', 'the PATCH body must be a JSON object (a PatchOp message)');
  const schemasKey = findKey(body, 'schemas');
  const schemas = schemasKey === undefined ? undefined : body[schemasKey];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw patchError('invalidSyntax', `"schemas" must be an array containing "${PATCH_OP_SCHEMA}"`);
  }
  const opsKey = findKey(body, 'Operations');
  const operations = opsKey === undefined ? undefined : body[opsKey];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw patchError('invalidSyntax', '"Operations" must be a non-empty array of {op, path, value}');
  }
  return operations.map((raw, i): PatchOperation => {
    const at = `Operations[${i}]`;
    if (!isPlainObject(raw)) throw patchError('invalidSyntax', `${at} must be an object {op, path, value}`);
    const opKey = findKey(raw, 'op');
    const op = opKey === undefined ? undefined : raw[opKey];
    const name = typeof op === 'string' ? op.toLowerCase() : undefined;
    if (name === undefined || !OPS.has(name as PatchOpName)) {
      throw patchError('invalidSyntax', `${at}: "op" must be "add", "replace" or "remove" (got ${op === undefined ? 'nothing' : JSON.stringify(op)})`);
    }
    const pathKey = findKey(raw, 'path');
    const path = pathKey === undefined ? undefined : raw[pathKey];
    if (path !== undefined && typeof path !== 'string') throw patchError('invalidPath', `${at}: "path" must be a string (got ${JSON.stringify(path)})`);
    const valueKey = findKey(raw, 'value');
    const value = valueKey === undefined ? undefined : raw[valueKey];
    if (name !== 'remove' && value === undefined) throw patchError('invalidValue', `${at}: "${name}" needs a "value"`);
    if (name === 'remove' && path === undefined) throw patchError('noTarget', `${at}: "remove" needs a "path" (RFC 7644 §3.5.2.2)`);
    return { op: name as PatchOpName, ...(path !== undefined ? { path } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

// ---------------------------------------------------------------------------------------------

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const clone = <T>(v: T): T => structuredClone(v);
const get = (record: Record<string, unknown>, name: string): unknown => {
  const key = findKey(record, name);
  return key === undefined ? undefined : record[key];
};
const set = (record: Record<string, unknown>, name: string, value: unknown): void => {
  record[findKey(record, name) ?? name] = value;
};
const unset = (record: Record<string, unknown>, name: string): void => {
  const key = findKey(record, name);
  if (key !== undefined) delete record[key];
};

/** Where an operation is, for messages: `Operations[1]: path "emails[…]"`. */
interface Where {
  readonly index: number;
  /** `path "…"` or `value attribute "…"` */
  readonly subject: string;
}
const prefix = (w: Where) => `Operations[${w.index}]: ${w.subject}`;

/** Drops a `urn:` schema from `schemas`, or adds it. */
function syncSchemas(root: Record<string, unknown>, urn: string, present: boolean): void {
  const key = findKey(root, 'schemas');
  const schemas = key === undefined ? undefined : root[key];
  if (!Array.isArray(schemas)) return;
  const lower = urn.toLowerCase();
  const has = schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lower);
  if (present && !has) schemas.push(urn);
  if (!present && has) root[key!] = schemas.filter((s) => !(typeof s === 'string' && s.toLowerCase() === lower));
}

class Patcher {
  private readonly readOnly: string[];
  private readonly immutable: string[];

  constructor(
    readonly root: Record<string, unknown>,
    private readonly options: PatchOptions,
  ) {
    const canonical = (p: string) => formatAttributePath(parseAttributePath(p, options)).toLowerCase();
    this.readOnly = (options.readOnly ?? DEFAULT_READ_ONLY).map(canonical);
    this.immutable = (options.immutable ?? []).map(canonical);
  }

  apply(operation: PatchOperation, index: number): void {
    if (operation.path === undefined) {
      const w: Where = { index, subject: 'the value' };
      if (!isPlainObject(operation.value)) {
        throw patchError('invalidValue', `${prefix(w)} of "${operation.op}" without "path" must be an object of attributes (got ${JSON.stringify(operation.value)})`);
      }
      for (const [key, value] of Object.entries(operation.value)) {
        const kw: Where = { index, subject: `value attribute ${quote(key)}` };
        const path = this.parse(key, kw);
        if (path.valueFilter !== undefined) throw patchError('invalidPath', `${prefix(kw)}: a value filter cannot be used as an attribute name`);
        this.applyAt(path, operation.op, value, kw);
      }
      return;
    }
    const w: Where = { index, subject: `path ${quote(operation.path)}` };
    this.applyAt(this.parse(operation.path, w), operation.op, operation.value, w);
  }

  private parse(text: string, w: Where, extra?: string): AttributePath {
    try {
      return parseAttributePath(text, extra ? { ...this.options, knownSchemas: [...(this.options.knownSchemas ?? []), extra] } : this.options);
    } catch (e) {
      if (e instanceof ScimError) throw patchError('invalidPath', `Operations[${w.index}]: ${e.detail}`);
      throw e;
    }
  }

  /** Throws `mutability` when the operation would change a read-only or immutable attribute. */
  private checkMutability(path: AttributePath, op: PatchOpName, value: unknown, current: unknown, w: Where): void {
    const label = formatAttributePath(path).toLowerCase();
    const covers = (entry: string) => label === entry || label.startsWith(`${entry}.`) || label.startsWith(`${entry}:`);
    const readOnly = this.readOnly.some(covers);
    const immutable = !readOnly && this.immutable.some(covers);
    if (!readOnly && !immutable) return;
    if (op === 'remove' ? current === undefined : path.valueFilter === undefined && deepEqual(current, value)) return;
    if (immutable && op === 'add' && current === undefined) return;
    const verb = op === 'remove' ? 'removed' : op === 'add' ? 'added to' : 'replaced';
    throw patchError('mutability', `${prefix(w)}: attribute "${formatAttributePath(path)}" is ${readOnly ? 'readOnly' : 'immutable'} and cannot be ${verb}`);
  }

  /** The value at a path without a filter (undefined when absent). */
  private current(path: AttributePath): unknown {
    let container: unknown = this.root;
    if (path.schema !== undefined) container = get(this.root, path.schema);
    if (path.attribute === undefined) return container ?? undefined;
    if (!isPlainObject(container)) return undefined;
    const value = get(container, path.attribute);
    if (path.subAttribute === undefined || value === undefined || value === null) return value ?? undefined;
    return isPlainObject(value) ? (get(value, path.subAttribute) ?? undefined) : undefined;
  }

  private applyAt(path: AttributePath, op: PatchOpName, value: unknown, w: Where): void {
    if (path.schema !== undefined && path.attribute === undefined) return this.applyToExtension(path.schema, op, value, w);
    if (path.valueFilter === undefined) this.checkMutability(path, op, value, this.current(path), w);
    else this.checkMutability(path, op, value, get(this.containerOf(path, w) ?? {}, path.attribute!), w);

    let container: Record<string, unknown>;
    if (path.schema === undefined) container = this.root;
    else {
      const existing = this.containerOf(path, w);
      if (existing === undefined) {
        if (path.valueFilter !== undefined) throw patchError('noTarget', `${prefix(w)} matches no value (the resource has no ${path.schema} attributes)`);
        if (op === 'remove' || value === null) return;
        container = {};
        this.root[path.schema] = container;
        syncSchemas(this.root, path.schema, true);
      } else container = existing;
    }
    this.applyToAttribute(container, path, op, value, w);
    if (path.schema !== undefined && Object.keys(container).length === 0) {
      unset(this.root, path.schema);
      syncSchemas(this.root, path.schema, false);
    }
  }

  /** The object holding the path's attribute: the resource or its extension object. */
  private containerOf(path: AttributePath, w: Where): Record<string, unknown> | undefined {
    if (path.schema === undefined) return this.root;
    const ext = get(this.root, path.schema);
    if (ext === undefined || ext === null) return undefined;
    if (!isPlainObject(ext)) throw patchError('invalidPath', `${prefix(w)}: the resource's "${path.schema}" is not an object of attributes`);
    return ext;
  }

  /** A bare extension URN: add/replace each attribute of the object, or remove the extension. */
  private applyToExtension(schema: string, op: PatchOpName, value: unknown, w: Where): void {
    if (op === 'remove' || value === null) {
      const ext = get(this.root, schema);
      if (ext === undefined) return;
      if (isPlainObject(ext)) {
        for (const key of Object.keys(ext)) this.checkMutability(this.parse(`${schema}:${key}`, w, schema), 'remove', undefined, ext[key], w);
      }
      unset(this.root, schema);
      syncSchemas(this.root, schema, false);
      return;
    }
    if (!isPlainObject(value)) throw patchError('invalidValue', `${prefix(w)}: the value of extension "${schema}" must be an object of its attributes (got ${JSON.stringify(value)})`);
    for (const [key, v] of Object.entries(value)) this.applyAt(this.parse(`${schema}:${key}`, w, schema), op, v, w);
  }

  private isMultiValued(label: string, current: unknown, value: unknown): boolean {
    return this.options.multiValued?.(label) ?? (Array.isArray(current) || Array.isArray(value));
  }

  private applyToAttribute(container: Record<string, unknown>, path: AttributePath, op: PatchOpName, value: unknown, w: Where): void {
    const attribute = path.attribute!;
    const label = formatAttributePath({ text: '', ...(path.schema !== undefined ? { schema: path.schema } : {}), attribute });
    const current = get(container, attribute);

    if (path.valueFilter !== undefined) return this.applyToMatches(container, path, label, op, value, w);

    if (path.subAttribute !== undefined) {
      const sub = path.subAttribute;
      if (Array.isArray(current)) {
        throw patchError(
          'invalidPath',
          `${prefix(w)}: "${label}" is multi-valued; select its elements with a value filter, e.g. ${label}[type eq "work"].${sub}`,
        );
      }
      if (current === undefined || current === null) {
        if (op === 'remove' || value === null) return;
        set(container, attribute, { [sub]: clone(value) });
        return;
      }
      if (!isPlainObject(current)) throw patchError('invalidPath', `${prefix(w)}: "${label}" is not a complex attribute, so it has no sub-attribute "${sub}"`);
      if (op === 'remove' || value === null) {
        unset(current, sub);
        if (Object.keys(current).length === 0) unset(container, attribute);
      } else set(current, sub, clone(value));
      return;
    }

    if (op === 'remove' && value !== undefined && Array.isArray(current)) {
      const doomed = Array.isArray(value) ? value : [value];
      const kept = current.filter((e) => !doomed.some((d) => sameValue(e, d)));
      if (kept.length === 0) unset(container, attribute);
      else set(container, attribute, kept);
      return;
    }
    if (op === 'remove' || value === null) {
      unset(container, attribute);
      return;
    }

    if (this.isMultiValued(label, current, value)) {
      const given = (Array.isArray(value) ? value : [value]).map(clone);
      if (op === 'replace') {
        if (given.length === 0) return unset(container, attribute);
        settlePrimary(given, new Set(given), label, w);
        set(container, attribute, given);
        return;
      }
      const list = Array.isArray(current) ? current : current === undefined ? [] : [current];
      const touched = new Set<unknown>();
      for (const item of given) {
        const same = list.find((e) => sameValue(e, item));
        if (same === undefined) {
          list.push(item);
          touched.add(item);
        } else if (isPlainObject(same) && isPlainObject(item)) {
          for (const [k, v] of Object.entries(item)) set(same, k, clone(v));
          touched.add(same);
        }
      }
      settlePrimary(list, touched, label, w);
      if (list.length > 0) set(container, attribute, list);
      return;
    }

    if (isPlainObject(current) && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const subPath = this.parse(`${formatAttributePath(path)}.${k}`, w, path.schema);
        this.checkMutability(subPath, op, v, get(current, k), w);
        if (v === null) unset(current, k);
        else set(current, k, clone(v));
      }
      if (Object.keys(current).length === 0) unset(container, attribute);
      return;
    }
    set(container, attribute, clone(value));
  }

  /** `multi[filter]` and `multi[filter].sub`. */
  private applyToMatches(container: Record<string, unknown>, path: AttributePath, label: string, op: PatchOpName, value: unknown, w: Where): void {
    const current = get(container, path.attribute!);
    let matches: (element: unknown) => boolean;
    try {
      const predicate = compileFilter(path.valueFilter!, {
        scope: label,
        ...(this.options.caseExact ? { caseExact: this.options.caseExact } : {}),
        ...(this.options.knownSchemas ? { knownSchemas: this.options.knownSchemas } : {}),
        ...(this.options.coreSchemas ? { coreSchemas: this.options.coreSchemas } : {}),
      });
      matches = (element) => predicate(isPlainObject(element) ? element : { value: element });
    } catch (e) {
      if (e instanceof ScimError) throw patchError('invalidFilter', `${prefix(w)}: value filter ${quote(path.valueFilter!)}: ${e.detail}`);
      throw e;
    }
    if (current === undefined || current === null) throw patchError('noTarget', `${prefix(w)} matches no value ("${label}" has no values)`);
    if (!Array.isArray(current)) throw patchError('invalidPath', `${prefix(w)}: "${label}" is not multi-valued, so a value filter cannot select from it`);
    const hits = current.filter(matches);
    if (hits.length === 0) throw patchError('noTarget', `${prefix(w)} matches no value`);

    const sub = path.subAttribute;
    if (sub !== undefined) {
      const bad = hits.find((e) => !isPlainObject(e));
      if (bad !== undefined) throw patchError('invalidPath', `${prefix(w)}: the values of "${label}" are not complex, so they have no sub-attribute "${sub}"`);
      for (const element of hits as Array<Record<string, unknown>>) {
        if (op === 'remove' || value === null) unset(element, sub);
        else set(element, sub, clone(value));
      }
      const list = current.filter((e) => !(isPlainObject(e) && Object.keys(e).length === 0));
      settlePrimary(list, new Set(hits), label, w);
      if (list.length === 0) unset(container, path.attribute!);
      else set(container, path.attribute!, list);
      return;
    }

    if (op === 'remove' || value === null) {
      const kept = current.filter((e) => !hits.includes(e));
      if (kept.length === 0) unset(container, path.attribute!);
      else set(container, path.attribute!, kept);
      return;
    }
    if (op === 'replace') {
      if (Array.isArray(value)) throw patchError('invalidValue', `${prefix(w)}: replaces each matching value with one value; got an array`);
      const touched = new Set<unknown>();
      const list = current.map((e) => {
        if (!hits.includes(e)) return e;
        const replacement = clone(value);
        touched.add(replacement);
        return replacement;
      });
      settlePrimary(list, touched, label, w);
      set(container, path.attribute!, list);
      return;
    }
    // add: merge the given sub-attributes into each match
    if (!isPlainObject(value) || hits.some((e) => !isPlainObject(e))) {
      throw patchError('invalidValue', `${prefix(w)}: "add" to matching values needs an object of sub-attributes and complex values (got ${JSON.stringify(value)})`);
    }
    for (const element of hits as Array<Record<string, unknown>>) for (const [k, v] of Object.entries(value)) set(element, k, clone(v));
    settlePrimary(current, new Set(hits), label, w);
  }
}

/** Equal values, or complex values with the same `value` (and `type`, when either has one). */
function sameValue(a: unknown, b: unknown): boolean {
  if (deepEqual(a, b)) return true;
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const va = get(a, 'value');
  if (va === undefined || !deepEqual(va, get(b, 'value'))) return false;
  return deepEqual(get(a, 'type'), get(b, 'type'));
}

/** Keeps at most one `"primary": true`: the one this operation wrote. */
function settlePrimary(list: unknown[], touched: Set<unknown>, label: string, w: Where): void {
  const primaries = list.filter((e) => isPlainObject(e) && get(e, 'primary') === true) as Array<Record<string, unknown>>;
  if (primaries.length <= 1) return;
  const mine = primaries.filter((e) => touched.has(e));
  if (mine.length !== 1) throw patchError('invalidValue', `${prefix(w)}: more than one value of "${label}" would have "primary": true`);
  for (const e of primaries) if (e !== mine[0]) set(e, 'primary', false);
}

/**
 * Applies a SCIM PatchOp request body to a resource and returns the patched copy; `resource` is
 * not mutated. Throws a 400 ScimError (see the module comment) and applies nothing on error.
 * The result is typed as the input plus any attributes (a patch may add some); it is not
 * schema-validated: validate it as a PUT body.
 */
export function applyPatch<T extends object>(resource: T, body: unknown, options: PatchOptions = {}): T & Record<string, unknown> {
  const operations = parsePatchRequest(body);
  const root = clone(resource) as unknown as Record<string, unknown>;
  const patcher = new Patcher(root, options);
  operations.forEach((operation, index) => patcher.apply(operation, index));
  return root as T & Record<string, unknown>;
}
