/**
 * `/admin/v1/Users` (reference §4.2) and `PUT /admin/v1/UserPasswordChanger/{id}` (§4.3).
 * Core attributes are validated; the custom extension (`urn:…:idcs:extension:custom:User`) only
 * takes attributes defined in its schema; other Oracle extensions are kept as given.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { CUSTOM_USER_SCHEMA } from '../../common/config.js';
import { scim, ScimError } from '../../common/errors.js';
import { idcsGuid, ocid } from '../../common/ids.js';
import { admit, objectBody, existing, SCIM_JSON, type AdminDeps } from '../scim/collection-routes.js';
import { metaView, type IamContext, type ScimResourceType } from '../scim/resource-type.js';
import { hashPassword, scimUser, type SchemaAttribute, type User } from '../store.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PASSWORD_CHANGER_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:UserPasswordChanger';
const USERS_SCOPES = ['urn:opc:idm:t.users'];

const coreUser = z.object({
  userName: z.string().min(1, 'userName is required').max(255),
  password: z.string().min(1).max(1024).optional(),
  displayName: z.string().max(255).optional(),
  name: z
    .object({ givenName: z.string().optional(), familyName: z.string().optional(), formatted: z.string().optional(), middleName: z.string().optional() })
    .optional(),
  emails: z
    .array(
      z.object({
        value: z.string().min(1),
        type: z.enum(['work', 'home', 'other', 'recovery']).default('work'),
        primary: z.boolean().default(false),
        secondary: z.boolean().optional(),
        verified: z.boolean().optional(),
      }),
    )
    .default([]),
  active: z.boolean().default(true),
  timezone: z.string().optional(),
  locale: z.string().optional(),
  preferredLanguage: z.string().optional(),
});

/** SCIM core User attributes (RFC 7643 §4.1) the mock keeps and returns without interpreting them. */
const OTHER_CORE_ATTRIBUTES = new Set(['nickName', 'profileUrl', 'title', 'userType', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates', 'externalId']);

/** Attributes the view computes or the server owns; a body may carry them and they are ignored. */
const SERVER_OWNED = new Set(['id', 'ocid', 'meta', 'schemas', 'groups', 'idcsCreatedBy', 'idcsLastModifiedBy', 'domainOcid', 'compartmentOcid', 'tenancyOcid']);

function checkCustomAttributes(values: unknown, attributes: ReadonlyArray<SchemaAttribute>): Record<string, unknown> {
  if (values === undefined || values === null) return {};
  if (typeof values !== 'object' || Array.isArray(values)) throw scim.badRequest(`${CUSTOM_USER_SCHEMA} must be an object of attribute values`);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const def = attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (!def) {
      throw new ScimError(
        400,
        `Attribute "${name}" is not defined in schema ${CUSTOM_USER_SCHEMA}. Add it with PATCH /admin/v1/Schemas/${CUSTOM_USER_SCHEMA}.`,
        'error.common.validation.invalidAttribute',
        'invalidValue',
      );
    }
    if (value === null) continue;
    const values = def.multiValued ? value : [value];
    if (def.multiValued && !Array.isArray(value)) throw scim.badRequest(`Attribute "${def.name}" is multi-valued: give an array`);
    for (const v of values as unknown[]) {
      const ok =
        def.type === 'boolean' ? typeof v === 'boolean'
        : def.type === 'integer' ? Number.isInteger(v)
        : def.type === 'decimal' ? typeof v === 'number'
        : def.type === 'dateTime' ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
        : typeof v === 'string';
      if (!ok) throw scim.badRequest(`Attribute "${def.name}" takes ${def.multiValued ? 'an array of ' : ''}${def.type} values; got ${JSON.stringify(v)}`);
    }
    out[def.name] = value;
  }
  return out;
}

function parseUser(ctx: IamContext, body: Record<string, unknown>, current: User | undefined): Omit<User, 'meta' | 'grantedAppRoles'> {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(USER_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${USER_SCHEMA}"`);
  const parsed = coreUser.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || '(body)';
    throw issue.path[0] === 'userName' && body.userName === undefined
      ? scim.missingAttribute('Missing required attribute(s): userName')
      : scim.badRequest(`${path}: ${issue.message}`);
  }
  const user = parsed.data;
  if (user.emails.length > 0 && !user.emails.some((e) => e.primary)) {
    throw new ScimError(400, 'A primary email is required: mark one of emails with "primary": true.', 'error.identity.user.primaryEmailNotSpecified', 'invalidValue');
  }
  const clash = ctx.store.userByName(user.userName);
  if (clash && clash.id !== current?.id) throw scim.uniqueness(`A user with userName "${user.userName}" already exists.`);
  const custom = checkCustomAttributes(body[CUSTOM_USER_SCHEMA], ctx.store.customUserSchemaAttributes);
  const otherAttributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    // Own keys only: `constructor` or `toString` in a body is an unknown attribute, not an inherited one.
    if (Object.hasOwn(coreUser.shape, key) || key === CUSTOM_USER_SCHEMA || SERVER_OWNED.has(key)) continue;
    // Oracle's own extensions (URN keys) are kept as given; an unknown plain name is refused.
    if (!key.startsWith('urn:') && !OTHER_CORE_ATTRIBUTES.has(key)) {
      throw new ScimError(400, `Attribute "${key}" is not defined in schema ${USER_SCHEMA}.`, 'error.common.validation.invalidAttribute', 'invalidValue');
    }
    otherAttributes[key] = value;
  }
  const { password, ...rest } = user;
  return {
    ...rest,
    id: current?.id ?? idcsGuid(),
    ocid: current?.ocid ?? ocid('user'),
    // A replace without a password keeps the current one (IDCS never returns it to send back).
    passwordHash: password !== undefined ? hashPassword(password) : current?.passwordHash,
    [CUSTOM_USER_SCHEMA]: custom,
    otherAttributes,
  };
}

export const usersResource: ScimResourceType<User> = {
  endpoint: 'Users',
  resourceType: 'User',
  schema: USER_SCHEMA,
  scopes: { read: USERS_SCOPES, write: USERS_SCOPES },
  list: (ctx) => ctx.store.users.values(),
  find: (ctx, id) => ctx.store.users.get(id),
  meta: (user) => user.meta,
  id: (user) => user.id,
  view: (_ctx, user) => {
    // The same attributes custom-claim expressions read (store.ts scimUser), plus `schemas`.
    const { [CUSTOM_USER_SCHEMA]: custom, ...attributes } = scimUser(user);
    const hasCustom = Object.keys(custom as object).length > 0;
    const extensionUrns = Object.keys(user.otherAttributes).filter((k) => k.startsWith('urn:'));
    return JSON.parse(
      JSON.stringify({
        schemas: [USER_SCHEMA, ...(hasCustom ? [CUSTOM_USER_SCHEMA] : []), ...extensionUrns],
        ...attributes,
        ...(hasCustom ? { [CUSTOM_USER_SCHEMA]: custom } : {}),
      }),
    );
  },
  create: (ctx, body) => ctx.store.putUser(parseUser(ctx, body, undefined)),
  replace: (ctx, current, body) => ctx.store.putUser(parseUser(ctx, body, current)),
  remove: (ctx, user) => {
    ctx.store.deleteUser(user.id);
  },
  // userName is caseExact false in IDCS's schema; ids and the password are exact.
  caseExact: (path) => ['id', 'ocid'].includes(path.toLowerCase()),
};

/** `PUT /admin/v1/UserPasswordChanger/{id}`: sets a user's password; the answer never carries it. */
export function userPasswordChangerRoutes(router: Router, deps: AdminDeps): void {
  router.put('/admin/v1/UserPasswordChanger/:id', async (http) => {
    const body = objectBody(await admit(http, deps, usersResource, 'write'));
    if (!Array.isArray(body.schemas) || !body.schemas.includes(PASSWORD_CHANGER_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${PASSWORD_CHANGER_SCHEMA}"`);
    if (typeof body.password !== 'string' || body.password === '') throw scim.missingAttribute('Missing required attribute(s): password');
    const user = existing(usersResource, deps.context, http.params.id!);
    const changed = deps.context.store.setPassword(user.id, body.password);
    http.type = SCIM_JSON;
    http.body = {
      schemas: [PASSWORD_CHANGER_SCHEMA],
      id: changed.id,
      ...(typeof body.bypassNotification === 'boolean' ? { bypassNotification: body.bypassNotification } : {}),
      meta: { ...metaView({ resourceType: 'UserPasswordChanger', endpoint: 'UserPasswordChanger' }, changed.meta, deps.context.baseUrl, changed.id) },
    };
  });
}
