/**
 * `/admin/v1/Grants` (reference §5.3): grants of IDCS admin app roles to apps and users. A grant
 * shows at once in the grantee's `grantedAppRoles` and in the scopes of its next
 * `urn:opc:idm:__myscopes__` token; deleting it takes the role away from the next token (tokens
 * already issued keep their scopes until they expire). Create, read, list, delete; a grant is
 * never changed in place (every attribute is immutable), so PUT and PATCH answer 405.
 */
import { scim, ScimError } from '../../common/errors.js';
import { APP_ROLES, IDCS_APP_ID, IDCS_APP_NAME } from '../app-roles.js';
import type { IamContext, ScimResourceType } from '../scim/resource-type.js';
import type { Grant } from '../store.js';

export const GRANT_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:Grant';
export const GRANTS_SCOPES = ['urn:opc:idm:t.grants'];

/** The grant mechanism an administrator uses for each grantee type (IDCS's `ADMINISTRATOR_TO_*`). */
const MECHANISM: Record<Grant['grantee']['type'], string> = { App: 'ADMINISTRATOR_TO_APP', User: 'ADMINISTRATOR_TO_USER' };
/** IDCS's other grant mechanisms and grantee types (oci-identitydomains `Grant` model), which this IAM does not serve. */
const OTHER_MECHANISMS = [
  'IMPORT_APPROLE_MEMBERS', 'ADMINISTRATOR_TO_DELEGATED_USER', 'ADMINISTRATOR_TO_GROUP', 'SERVICE_MANAGER_TO_USER', 'SERVICE_MANAGER_TO_APP',
  'OPC_INFRA_TO_APP', 'GROUP_MEMBERSHIP', 'IMPORT_GRANTS', 'SYNC_TO_USER', 'ACCESS_REQUEST', 'APP_ENTITLEMENT_COLLECTION',
  'ADMINISTRATOR_TO_DYNAMIC_RESOURCE_GROUP',
];
const OTHER_GRANTEE_TYPES = ['Group', 'DynamicResourceGroup'];

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An attribute of an object, matched case-insensitively (RFC 7643 §2.1). */
function attr(record: Body, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

function requiredText(value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') throw scim.missingAttribute(`Missing required attribute(s): ${path}`);
  if (typeof value !== 'string') throw scim.badRequest(`${path} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

function requiredObject(value: unknown, path: string, shape: string): Body {
  if (value === undefined || value === null) throw scim.missingAttribute(`Missing required attribute(s): ${path}`);
  if (!isObject(value)) throw scim.badRequest(`${path} must be an object ${shape}`);
  return value;
}

/** A body names something that does not exist: 400, the detail naming it. */
function unknownReference(detail: string): ScimError {
  return new ScimError(400, detail, 'error.common.validation.invalidReference', 'invalidValue');
}

function createGrant(ctx: IamContext, body: Body): Grant {
  const schemas = attr(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(GRANT_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${GRANT_SCHEMA}"`);

  const grantee = requiredObject(attr(body, 'grantee'), 'grantee', '{"type": "App" | "User", "value": "<id>"}');
  const type = requiredText(attr(grantee, 'type'), 'grantee.type');
  if (OTHER_GRANTEE_TYPES.includes(type)) throw scim.badRequest(`grantee.type "${type}" is not served by this IAM (it has no groups); use App or User`);
  if (type !== 'App' && type !== 'User') throw scim.badRequest(`grantee.type: "${type}" is not one of App, User`);
  const value = requiredText(attr(grantee, 'value'), 'grantee.value');
  if (type === 'App' && !ctx.store.apps.has(value)) {
    const byName = ctx.store.appByClientId(value);
    throw unknownReference(`grantee.value: there is no App with id "${value}"${byName ? ` ("${value}" is the name (client_id) of the App with id "${byName.id}"; grantee.value takes the id)` : ''}.`);
  }
  if (type === 'User' && !ctx.store.users.has(value)) {
    const byName = ctx.store.userByName(value);
    throw unknownReference(`grantee.value: there is no User with id "${value}"${byName ? ` ("${value}" is the userName of the User with id "${byName.id}"; grantee.value takes the id)` : ''}.`);
  }

  const app = attr(body, 'app');
  if (app !== undefined && app !== null) {
    const appValue = requiredText(attr(requiredObject(app, 'app', '{"value": "IDCSAppId"}'), 'value'), 'app.value');
    if (appValue !== IDCS_APP_ID) {
      throw unknownReference(`app.value: "${appValue}" defines no app roles here; the admin roles belong to app "${IDCS_APP_ID}" (see GET /admin/v1/AppRoles)`);
    }
  }

  const entitlement = requiredObject(attr(body, 'entitlement'), 'entitlement', '{"attributeName": "appRoles", "attributeValue": "<AppRole id>"}');
  const attributeName = requiredText(attr(entitlement, 'attributeName'), 'entitlement.attributeName');
  if (attributeName.toLowerCase() !== 'approles') throw scim.badRequest(`entitlement.attributeName: "${attributeName}" is not served by this IAM; grants here confer "appRoles"`);
  const roleId = requiredText(attr(entitlement, 'attributeValue'), 'entitlement.attributeValue');
  const role = APP_ROLES.find((r) => r.id === roleId);
  if (!role) {
    const byName = APP_ROLES.find((r) => r.displayName.toLowerCase() === roleId.toLowerCase());
    throw unknownReference(
      `entitlement.attributeValue: there is no AppRole with id "${roleId}"${byName ? ` ("${byName.displayName}" has the id "${byName.id}")` : ''}; GET /admin/v1/AppRoles lists them.`,
    );
  }

  const mechanism = requiredText(attr(body, 'grantMechanism'), 'grantMechanism');
  if (mechanism !== MECHANISM[type]) {
    throw scim.badRequest(
      OTHER_MECHANISMS.includes(mechanism) || Object.values(MECHANISM).includes(mechanism)
        ? `grantMechanism "${mechanism}" does not fit grantee.type "${type}"; an administrator grants to an ${type} with ${MECHANISM[type]}`
        : `grantMechanism: "${mechanism}" is not one of IDCS's grant mechanisms (an administrator grants with ${Object.values(MECHANISM).join(' or ')})`,
    );
  }

  const duplicate = [...ctx.store.grants.values()].find((g) => g.grantee.type === type && g.grantee.value === value && g.appRole.id === role.id);
  if (duplicate) throw scim.uniqueness(`The ${type} "${value}" already holds "${role.displayName}" through grant ${duplicate.id}.`);
  return ctx.store.addGrant({ type, value }, role, mechanism);
}

export const grantsResource: ScimResourceType<Grant> = {
  endpoint: 'Grants',
  resourceType: 'Grant',
  schema: GRANT_SCHEMA,
  scopes: { read: GRANTS_SCOPES, write: GRANTS_SCOPES },
  list: (ctx) => ctx.store.grants.values(),
  find: (ctx, id) => ctx.store.grants.get(id),
  meta: (grant) => grant.meta,
  id: (grant) => grant.id,
  view: (ctx, grant) => ({
    schemas: [GRANT_SCHEMA],
    id: grant.id,
    grantee: {
      type: grant.grantee.type,
      value: grant.grantee.value,
      $ref: `${ctx.baseUrl}/admin/v1/${grant.grantee.type === 'App' ? 'Apps' : 'Users'}/${encodeURIComponent(grant.grantee.value)}`,
    },
    app: { value: IDCS_APP_ID, display: IDCS_APP_NAME },
    entitlement: { attributeName: 'appRoles', attributeValue: grant.appRole.id },
    grantMechanism: grant.grantMechanism,
    isFulfilled: true,
  }),
  create: createGrant,
  remove: (ctx, grant) => {
    ctx.store.deleteGrant(grant.id);
  },
  caseExact: (path) =>
    ['id', 'grantee.value', 'grantee.type', 'app.value', 'entitlement.attributevalue', 'grantmechanism'].includes(path.toLowerCase()),
};
