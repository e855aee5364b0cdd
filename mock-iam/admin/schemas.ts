/**
 * `/admin/v1/Schemas` (reference §4.4; Oracle page "Customizing User Schemas"): the core User
 * schema (static, RFC 7643 §7 form, the attributes this mock's Users support) and the tenant's
 * custom user extension `urn:ietf:params:scim:schemas:idcs:extension:custom:User`, whose
 * attributes live in the store and are changed by PUT of the whole schema or PATCH:
 *
 * - `add` on path `attributes`: each definition replaces the attribute of the same name, or is
 *   appended (Oracle: "If the name specified already exists, it's replaced automatically").
 * - `replace` on path `attributes`: each definition replaces the attribute of its name, which
 *   must exist ("If it doesn't exist, an error message appears").
 * - any other operation (`attributes[name eq "x"].idcsDisplayName`, `remove attributes[…]`) is
 *   plain SCIM PATCH on the schema's JSON.
 *
 * Whatever the method, the resulting attribute list goes through one check (`reviseAttributes`).
 * The schema's meta.resourceType differs per record (`Schema` / `TenantSchema`), which one
 * ScimResourceType cannot express, so the routes are written here with the framework's helpers.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { CUSTOM_USER_SCHEMA } from '../../common/config.js';
import { HARNESS_REASON_HEADER, scim, ScimError } from '../../common/errors.js';
import { headerSafe } from '../../common/http.js';
import { admit, existing, fullView, objectBody, send, SCIM_JSON, type AdminDeps } from '../scim/collection-routes.js';
import { listQueryFromParams, listQueryFromSearchRequest, listResponse, type ListQuery } from '../scim/list.js';
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA, type PatchOperation } from '../scim/patch.js';
import { etag, type IamContext, type ScimResourceType } from '../scim/resource-type.js';
import type { IamStore, Meta, SchemaAttribute } from '../store.js';
import { USER_SCHEMA } from './users.js';

export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const READ_SCOPES = ['urn:opc:idm:t.schemas', 'urn:opc:idm:t.users'];
const WRITE_SCOPES = ['urn:opc:idm:t.schemas'];

// --- records ---------------------------------------------------------------------------------

interface SchemaRecord {
  id: string;
  resourceType: 'Schema' | 'TenantSchema';
  meta: Meta;
}

/**
 * `meta` of the two schemas, per store: the store keeps the attributes but no schema meta, so it
 * lives here (created when first read; the version starts again at 1 after a restart).
 */
const metas = new WeakMap<IamStore, { core: Meta; custom: Meta }>();

function schemaMetas(store: IamStore): { core: Meta; custom: Meta } {
  let m = metas.get(store);
  if (!m) {
    const first = store.nextMeta();
    m = { core: first, custom: { ...first } };
    metas.set(store, m);
  }
  return m;
}

function records(ctx: IamContext): SchemaRecord[] {
  const m = schemaMetas(ctx.store);
  return [
    { id: USER_SCHEMA, resourceType: 'Schema', meta: m.core },
    { id: CUSTOM_USER_SCHEMA, resourceType: 'TenantSchema', meta: m.custom },
  ];
}

// --- the core User schema (RFC 7643 §7 / §8.7.1 form) ------------------------------------------

type Def = Record<string, unknown>;
const scimAttr = (name: string, type: string, description: string, extra: Def = {}): Def => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  ...(type === 'complex' || type === 'boolean' ? {} : { caseExact: false }),
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

/** The attributes POST/PUT /admin/v1/Users accepts (users.ts), described as SCIM does. */
const CORE_USER_ATTRIBUTES: Def[] = [
  scimAttr('userName', 'string', 'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.', {
    required: true,
    uniqueness: 'server',
  }),
  scimAttr('name', 'complex', "The components of the user's real name.", {
    subAttributes: [
      scimAttr('formatted', 'string', "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
      scimAttr('familyName', 'string', 'The family name of the User, or last name in most Western languages.'),
      scimAttr('givenName', 'string', 'The given name of the User, or first name in most Western languages.'),
      scimAttr('middleName', 'string', 'The middle name(s) of the User.'),
    ],
  }),
  scimAttr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  scimAttr('emails', 'complex', 'Email addresses for the user. A primary email is required.', {
    multiValued: true,
    subAttributes: [
      scimAttr('value', 'string', 'Email address for the User.'),
      scimAttr('type', 'string', "A label indicating the attribute's function.", { canonicalValues: ['work', 'home', 'other', 'recovery'] }),
      scimAttr('primary', 'boolean', 'A Boolean value indicating the preferred email address.'),
      scimAttr('secondary', 'boolean', 'A Boolean value indicating a secondary email address.'),
      scimAttr('verified', 'boolean', 'A Boolean value indicating whether the email address is verified.'),
    ],
  }),
  scimAttr('active', 'boolean', "A Boolean value indicating the User's administrative status."),
  scimAttr('password', 'string', "The User's cleartext password. Set on create or through UserPasswordChanger; never returned.", {
    caseExact: true,
    mutability: 'writeOnly',
    returned: 'never',
  }),
  scimAttr('timezone', 'string', "The User's time zone in the 'Olson' time zone database format, e.g. 'America/Los_Angeles'."),
  scimAttr('locale', 'string', "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
  scimAttr('preferredLanguage', 'string', "Indicates the User's preferred written or spoken language."),
];

// --- custom attribute definitions ----------------------------------------------------------------

const TYPES = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference'] as const;
const MUTABILITY = ['readWrite', 'readOnly', 'immutable', 'writeOnly'] as const;
const RETURNED = ['always', 'default', 'request', 'never'] as const;
const UNIQUENESS = ['none', 'server', 'global'] as const;
const SENSITIVE = ['encrypt', 'hash', 'hash_sc', 'checksum', 'none'] as const;
/** Oracle: "You can't update the following properties. Any attempt to update these properties is ignored." */
const IMMUTABLE = ['type', 'multiValued', 'required', 'caseExact', 'uniqueness', 'idcsSearchable', 'idcsSensitive'] as const;
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_]*$/;
const NAME_MAX = 100;
const STRING_COLUMNS = { VC_40: 40, VC_4K: 4000 } as const;

type Kind = 'boolean' | 'string' | 'enum' | 'integer' | 'strings' | 'json';
/** The fields of a definition, in the order a view lists them, with how each is checked. */
const FIELDS: ReadonlyArray<[name: string, kind: Kind, values?: readonly string[]]> = [
  ['name', 'string'],
  ['type', 'enum', TYPES],
  ['multiValued', 'boolean'],
  ['description', 'string'],
  ['required', 'boolean'],
  ['caseExact', 'boolean'],
  ['mutability', 'enum', MUTABILITY],
  ['returned', 'enum', RETURNED],
  ['uniqueness', 'enum', UNIQUENESS],
  ['canonicalValues', 'strings'],
  ['referenceTypes', 'strings'],
  ['idcsDisplayName', 'string'],
  ['idcsSearchable', 'boolean'],
  ['idcsSensitive', 'enum', SENSITIVE],
  ['idcsValuePersisted', 'boolean'],
  ['idcsAuditable', 'boolean'],
  ['idcsMinLength', 'integer'],
  ['idcsMaxLength', 'integer'],
  ['idcsCsvAttributeName', 'string'],
  ['idcsCsvAttributeNameMappings', 'json'],
];
/** What a definition that does not say gets (observed in Oracle's example responses where shown). */
const DEFAULTS: Def = {
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: true,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  idcsSearchable: false,
  idcsValuePersisted: true,
};
/** Server-owned: a body may echo it back; it is ignored. */
const TARGET = 'idcsTargetAttributeName';

const quote = (s: string) => JSON.stringify(s);
const lower = (s: string) => s.toLowerCase();

function badDefinition(at: string, detail: string): ScimError {
  return scim.badRequest(`${at}: ${detail}`, 'error.common.validation.invalidValue');
}

/** Validates one definition as given: canonical field names and enum values, only given fields. */
function parseDefinition(raw: unknown, at: string): Def {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badDefinition(at, `an attribute definition must be an object (got ${JSON.stringify(raw)})`);
  const out: Def = {};
  for (const [key, value] of Object.entries(raw as Def)) {
    if (lower(key) === lower(TARGET)) continue;
    const field = FIELDS.find(([f]) => lower(f) === lower(key));
    if (!field) {
      if (lower(key) === 'subattributes') throw badDefinition(at, 'complex attributes (subAttributes) are not supported by this mock; define simple attributes');
      throw badDefinition(at, `${quote(key)} is not a field of an attribute definition (${FIELDS.map(([f]) => f).join(', ')})`);
    }
    const [name, kind, values] = field;
    if (value === null) continue;
    const wrong = (what: string) => badDefinition(at, `${name} must be ${what} (got ${JSON.stringify(value)})`);
    switch (kind) {
      case 'boolean':
        if (typeof value !== 'boolean') throw wrong('true or false');
        out[name] = value;
        break;
      case 'string':
        if (typeof value !== 'string') throw wrong('a string');
        out[name] = value;
        break;
      case 'integer':
        if (!Number.isInteger(value)) throw wrong('a whole number');
        out[name] = value;
        break;
      case 'strings':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw wrong('an array of strings');
        out[name] = [...value];
        break;
      case 'enum': {
        const match = typeof value === 'string' ? values!.find((v) => lower(v) === lower(value)) : undefined;
        if (match === undefined) {
          if (name === 'type' && typeof value === 'string' && lower(value) === 'complex') {
            throw badDefinition(at, 'type "complex" is not supported by this mock; use string, boolean, integer, decimal, dateTime or reference');
          }
          throw wrong(`one of ${values!.join(', ')}`);
        }
        out[name] = match;
        break;
      }
      case 'json':
        out[name] = structuredClone(value);
        break;
    }
  }
  if (typeof out.name !== 'string') throw scim.missingAttribute(`${at}: Missing required attribute(s): name`);
  const name = out.name;
  if (!NAME_SHAPE.test(name) || name.length > NAME_MAX) {
    throw badDefinition(at, `name ${quote(name)} must start with a letter, then letters, digits or "_", at most ${NAME_MAX} characters`);
  }
  if (out.idcsMinLength !== undefined && (out.idcsMinLength as number) < 1) throw badDefinition(at, `idcsMinLength can't be less than 1 (got ${String(out.idcsMinLength)})`);
  if (out.idcsMaxLength !== undefined && (out.idcsMaxLength as number) < 2) throw badDefinition(at, `idcsMaxLength can't be less than 2 (got ${String(out.idcsMaxLength)})`);
  return out;
}

/** Defaults filled in, fields in view order, the target column last. */
function complete(def: Def): Def {
  const merged: Def = { ...DEFAULTS, ...def };
  if (merged.idcsDisplayName === undefined) merged.idcsDisplayName = merged.name;
  const out: Def = {};
  for (const [f] of FIELDS) if (merged[f] !== undefined) out[f] = merged[f];
  if (typeof merged[TARGET] === 'string') out[TARGET] = merged[TARGET];
  return out;
}

/** `I_VC_40` (indexed, `idcsSearchable`) / `U_VC_4K` (not indexed): Oracle's examples; other types invented. */
function column(def: Def): string {
  const max = def.idcsMaxLength as number | undefined;
  const col =
    def.type === 'string' ? (max !== undefined && max <= STRING_COLUMNS.VC_40 ? 'VC_40' : 'VC_4K')
    : def.type === 'reference' ? 'VC_4K'
    : def.type === 'integer' ? 'NUM'
    : def.type === 'decimal' ? 'DEC'
    : def.type === 'boolean' ? 'BOOL'
    : 'TS';
  return `${def.idcsSearchable === true ? 'I' : 'U'}_${col}`;
}

function columnLimit(target: string): number | undefined {
  return target.includes('_VC_40_') ? STRING_COLUMNS.VC_40 : target.includes('_VC_4K_') ? STRING_COLUMNS.VC_4K : undefined;
}

/** Gives every definition without a target column the next free `<column>_IFLEX_<n>`; keeps the others. */
function assignTargets(defs: Def[], alsoUsed: ReadonlyArray<Def> = []): Def[] {
  const next = new Map<string, number>();
  for (const d of [...alsoUsed, ...defs]) {
    const m = typeof d[TARGET] === 'string' ? /^(.*)_IFLEX_(\d+)$/.exec(d[TARGET] as string) : null;
    if (m) next.set(m[1]!, Math.max(next.get(m[1]!) ?? 1, Number(m[2]) + 1));
  }
  return defs.map((d) => {
    if (typeof d[TARGET] === 'string') return d;
    const col = column(d);
    const n = next.get(col) ?? 1;
    next.set(col, n + 1);
    return { ...d, [TARGET]: `${col}_IFLEX_${n}` };
  });
}

/** The custom schema's attributes as served: complete definitions with their target columns. */
export function customAttributes(store: IamStore): Def[] {
  return assignTargets(store.customUserSchemaAttributes.map((a) => complete(a)));
}

interface Revision {
  attributes: SchemaAttribute[];
  /** Changes of immutable fields that were ignored, for the x-harness-reason header. */
  ignored: string[];
}

/**
 * The one check of every change: the new list of definitions against the current one.
 * Same name (case-insensitive) = the same attribute: its definition is replaced, except the
 * immutable fields, which keep their value (a different one is ignored, as IDCS does).
 */
function reviseAttributes(ctx: IamContext, given: unknown): Revision {
  if (given !== undefined && given !== null && !Array.isArray(given)) throw badDefinition('attributes', `must be an array of attribute definitions (got ${JSON.stringify(given)})`);
  const previous = customAttributes(ctx.store);
  const ignored: string[] = [];
  const names = new Map<string, number>();
  const displayNames = new Map<string, number>();
  const revised = ((given ?? []) as unknown[]).map((raw, i) => {
    const at = `attributes[${i}]`;
    const def = parseDefinition(raw, at);
    const twin = names.get(lower(def.name as string));
    if (twin !== undefined) throw scim.uniqueness(`${at}: an attribute named ${quote(def.name as string)} is already defined (attributes[${twin}]); names are unique within the schema, ignoring case`);
    names.set(lower(def.name as string), i);
    const before = previous.find((p) => lower(p.name as string) === lower(def.name as string));
    // Names ignore case; an existing attribute keeps its spelling (user values are stored under it).
    const name = (before?.name ?? def.name) as string;
    let full: Def;
    if (before) {
      full = complete({ ...def, name, [TARGET]: before[TARGET] });
      for (const f of IMMUTABLE) {
        const kept = before[f] ?? (f === 'idcsSensitive' ? 'none' : undefined);
        if (def[f] !== undefined && def[f] !== kept) ignored.push(`${name}.${f} (kept ${JSON.stringify(before[f] ?? null)}, ignored ${JSON.stringify(def[f])})`);
        if (before[f] === undefined) delete full[f];
        else full[f] = before[f];
      }
      const limit = columnLimit(before[TARGET] as string);
      for (const f of ['idcsMinLength', 'idcsMaxLength'] as const) {
        if (limit !== undefined && typeof full[f] === 'number' && (full[f] as number) > limit) {
          throw badDefinition(at, `${f} ${String(full[f])} is over the limit ${limit} of the column ${String(before[TARGET])} allocated to ${quote(name)}`);
        }
      }
    } else {
      full = complete(def);
      if (full.type === 'string' && typeof full.idcsMaxLength === 'number' && (full.idcsMaxLength as number) > STRING_COLUMNS.VC_4K) {
        throw badDefinition(at, `idcsMaxLength ${String(full.idcsMaxLength)} is over the largest string column (${STRING_COLUMNS.VC_4K})`);
      }
    }
    if (typeof full.idcsMinLength === 'number' && typeof full.idcsMaxLength === 'number' && full.idcsMinLength > full.idcsMaxLength) {
      throw badDefinition(at, `idcsMinLength ${full.idcsMinLength} is greater than idcsMaxLength ${full.idcsMaxLength}`);
    }
    const display = lower(full.idcsDisplayName as string);
    const displayTwin = displayNames.get(display);
    if (displayTwin !== undefined) {
      throw scim.uniqueness(`${at}: idcsDisplayName ${quote(full.idcsDisplayName as string)} is already the display name of attributes[${displayTwin}]; display names are unique within the schema`);
    }
    displayNames.set(display, i);
    return full;
  });

  // Oracle: a remove fails when data has been provisioned for the attribute.
  for (const gone of previous.filter((p) => !names.has(lower(p.name as string)))) {
    const holders = [...ctx.store.users.values()].filter((u) => {
      const values = u[CUSTOM_USER_SCHEMA] ?? {};
      return Object.entries(values).some(([k, v]) => lower(k) === lower(gone.name as string) && v !== null && v !== undefined);
    });
    if (holders.length) {
      throw new ScimError(
        409,
        `Attribute ${quote(gone.name as string)} cannot be removed from ${CUSTOM_USER_SCHEMA}: ${holders.length} user(s) have a value for it (${holders
          .slice(0, 3)
          .map((u) => u.userName)
          .join(', ')}${holders.length > 3 ? ', …' : ''}). Remove the values first (PATCH /admin/v1/Users/{id} with {"op":"remove","path":"${CUSTOM_USER_SCHEMA}:${gone.name as string}"}).`,
        'error.idcs.schema.attributeHasValues',
      );
    }
  }
  return { attributes: assignTargets(revised, previous) as SchemaAttribute[], ignored };
}

// --- the resource type -----------------------------------------------------------------------------

function isCustom(record: SchemaRecord): boolean {
  return record.id === CUSTOM_USER_SCHEMA;
}

export const schemasResource: ScimResourceType<SchemaRecord> = {
  endpoint: 'Schemas',
  resourceType: 'Schema',
  schema: SCHEMA_SCHEMA,
  scopes: { read: READ_SCOPES, write: WRITE_SCOPES },
  list: (ctx) => records(ctx),
  // URNs compare case-insensitively (RFC 8141 for the NID; IDCS matches schema ids so too).
  find: (ctx, id) => records(ctx).find((r) => lower(r.id) === lower(id)),
  meta: (r) => r.meta,
  id: (r) => r.id,
  view: (ctx, r) => {
    if (!isCustom(r)) {
      return { schemas: [SCHEMA_SCHEMA], id: r.id, name: 'User', description: 'User Account', attributes: structuredClone(CORE_USER_ATTRIBUTES) };
    }
    const attributes = customAttributes(ctx.store);
    return {
      schemas: [SCHEMA_SCHEMA],
      id: r.id,
      name: 'CustomUser',
      description: 'Custom User',
      idcsResourceTypes: ['User'],
      // Oracle's empty custom schema has no `attributes` member at all.
      ...(attributes.length ? { attributes } : {}),
    };
  },
  caseExact: (path) => path.toLowerCase() === 'id',
};

/** The type as `send`/`fullView` see one record: its own meta.resourceType. */
function typeOf(record: SchemaRecord): ScimResourceType<SchemaRecord> {
  return { ...schemasResource, resourceType: record.resourceType };
}

function writable(record: SchemaRecord, method: string): void {
  if (!isCustom(record)) {
    throw scim.methodNotAllowed(`${method} is not supported on schema ${record.id}: it is defined by SCIM and IDCS. Only ${CUSTOM_USER_SCHEMA} takes PUT and PATCH.`);
  }
}

function checkIfMatch(http: Context, record: SchemaRecord): void {
  const wanted = http.get('if-match');
  if (wanted && wanted !== '*' && !wanted.split(',').map((s) => s.trim()).includes(etag(record.meta))) {
    throw scim.preconditionFailed(`If-Match ${wanted} does not match the current version ${etag(record.meta)}`);
  }
}

/** Stores a revision and bumps the custom schema's meta. */
function commit(ctx: IamContext, revision: Revision): SchemaRecord {
  ctx.store.setCustomUserSchemaAttributes(revision.attributes);
  const m = schemaMetas(ctx.store);
  m.custom = ctx.store.nextMeta(m.custom);
  return records(ctx).find(isCustom)!;
}

/** PUT: the body is the whole schema; only `attributes` is the caller's (id, name, meta are the server's). */
export function replaceCustomSchema(ctx: IamContext, body: Record<string, unknown>): Revision {
  const schemas = Object.entries(body).find(([k]) => lower(k) === 'schemas')?.[1];
  if (!Array.isArray(schemas) || !schemas.includes(SCHEMA_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${SCHEMA_SCHEMA}"`);
  return reviseAttributes(ctx, Object.entries(body).find(([k]) => lower(k) === 'attributes')?.[1]);
}

const isAttributesPath = (op: PatchOperation) => op.path !== undefined && lower(op.path.trim()) === 'attributes';

/** PATCH: IDCS's name-keyed add/replace on `attributes`, plain SCIM PATCH for everything else. */
export function patchCustomSchema(ctx: IamContext, view: Record<string, unknown>, body: unknown): Revision {
  const operations = parsePatchRequest(body);
  let working = structuredClone(view);
  operations.forEach((op, index) => {
    const at = `Operations[${index}]`;
    if ((op.op === 'add' || op.op === 'replace') && isAttributesPath(op)) {
      const items = Array.isArray(op.value) ? op.value : [op.value];
      const list = [...((working.attributes as Def[] | undefined) ?? [])];
      const given = new Map<string, number>();
      items.forEach((item, j) => {
        const name = typeof item === 'object' && item !== null && !Array.isArray(item) ? Object.entries(item as Def).find(([k]) => lower(k) === 'name')?.[1] : undefined;
        if (typeof name !== 'string') throw scim.missingAttribute(`${at}: value[${j}]: Missing required attribute(s): name`);
        // The same name twice in one value is a duplicate, not a replace.
        if (given.has(lower(name))) throw scim.uniqueness(`${at}: value[${j}]: the attribute ${quote(name)} is already given as value[${given.get(lower(name))}]`);
        given.set(lower(name), j);
        const k = list.findIndex((d) => typeof d.name === 'string' && lower(d.name) === lower(name));
        if (k >= 0) list[k] = item as Def;
        else if (op.op === 'add') list.push(item as Def);
        else {
          throw new ScimError(400, `${at}: "replace" on attributes: the schema has no attribute ${quote(name)} (use "add" to create it)`, 'error.common.validation.noTarget', 'noTarget');
        }
      });
      working = { ...working, attributes: list };
      return;
    }
    try {
      working = applyPatch(working, { schemas: [PATCH_OP_SCHEMA], Operations: [op] }, { readOnly: ['id', 'meta', 'schemas', 'name', 'idcsResourceTypes'] });
    } catch (e) {
      // One operation at a time: put its real index back into the detail.
      if (e instanceof ScimError) throw new ScimError(e.status, e.detail.replace(/^Operations\[0\]/, at), e.messageId, e.scimType, e.reason.replace(/^Operations\[0\]/, at));
      throw e;
    }
  });
  return reviseAttributes(ctx, working.attributes);
}

// --- routes --------------------------------------------------------------------------------------

function sendRevised(http: Context, ctx: IamContext, revision: Revision): void {
  const record = commit(ctx, revision);
  if (revision.ignored.length) {
    http.set(HARNESS_REASON_HEADER, headerSafe(`immutable after creation, change ignored as IDCS does: ${revision.ignored.join('; ')}`));
  }
  send(http, typeOf(record), ctx, record, 200);
}

export function schemaRoutes(router: Router, deps: AdminDeps): void {
  const base = '/admin/v1/Schemas';
  const ctx = deps.context;
  const list = (http: Context, query: ListQuery) => {
    http.type = SCIM_JSON;
    http.body = listResponse(records(ctx).map((r) => fullView(typeOf(r), ctx, r)), query, schemasResource.caseExact);
  };

  router.get(base, async (http) => {
    await admit(http, deps, schemasResource, 'read');
    list(http, listQueryFromParams(new URLSearchParams(http.querystring)));
  });
  router.post(`${base}/.search`, async (http) => {
    list(http, listQueryFromSearchRequest(await admit(http, deps, schemasResource, 'read')));
  });
  router.post(base, async (http) => {
    await admit(http, deps, schemasResource, 'write');
    throw scim.methodNotAllowed(`POST is not supported on ${base}: the schemas are fixed; add attributes to ${CUSTOM_USER_SCHEMA} with PATCH or PUT`);
  });
  router.get(`${base}/:id`, async (http) => {
    await admit(http, deps, schemasResource, 'read');
    const record = existing(schemasResource, ctx, http.params.id!);
    if (http.get('if-none-match') === etag(record.meta)) {
      http.status = 304;
      return;
    }
    send(http, typeOf(record), ctx, record, 200);
  });
  router.put(`${base}/:id`, async (http) => {
    const body = objectBody(await admit(http, deps, schemasResource, 'write'));
    const record = existing(schemasResource, ctx, http.params.id!);
    writable(record, 'PUT');
    checkIfMatch(http, record);
    sendRevised(http, ctx, replaceCustomSchema(ctx, body));
  });
  router.patch(`${base}/:id`, async (http) => {
    const body = await admit(http, deps, schemasResource, 'write');
    const record = existing(schemasResource, ctx, http.params.id!);
    writable(record, 'PATCH');
    checkIfMatch(http, record);
    sendRevised(http, ctx, patchCustomSchema(ctx, fullView(typeOf(record), ctx, record), body));
  });
  router.delete(`${base}/:id`, async (http) => {
    await admit(http, deps, schemasResource, 'write');
    const record = existing(schemasResource, ctx, http.params.id!);
    throw scim.methodNotAllowed(`DELETE is not supported on schema ${record.id}; remove attributes of ${CUSTOM_USER_SCHEMA} with PATCH or PUT instead`);
  });
}
