/**
 * `/admin/v1/Apps` (reference §5.1): OAuth clients and resource servers, as IDCS's App resource.
 * The token service reads apps from the store on every request, so a create, a change or a
 * deletion here applies to the next token request.
 *
 * Rules (docs/fidelity.md, "Mock IAM: admin API — apps, app roles, grants"):
 * - required: `displayName` (unique), `basedOnTemplate.value` (`CustomWebAppTemplateId` for
 *   confidential/trusted apps, `CustomBrowserMobileTemplateId` for public ones; other templates are
 *   refused), and `clientType` for an OAuth client, `audience` for a resource server;
 * - `name` is the client_id: generated (32 hex) when absent, letters/digits/`_`, unique, immutable;
 * - new apps are inactive unless created with `active: true`;
 * - `clientSecret` is read-only: generated for confidential/trusted clients, ignored in bodies;
 * - `allowedScopes[].fqs` must be a resource server's audience + scope value;
 * - a change or deletion that would take away a scope other clients list in `allowedScopes` is
 *   refused (409) until those clients drop it;
 * - other IDCS App attributes are kept and returned as given; unknown attributes are refused.
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { GRANT_TYPES } from '../../common/config.js';
import { scim, ScimError } from '../../common/errors.js';
import { idcsGuid, ocid } from '../../common/ids.js';
import { IDCS_APP_ID, IDCS_APP_NAME } from '../app-roles.js';
import type { IamContext, ScimResourceType } from '../scim/resource-type.js';
import type { App } from '../store.js';
import { findKey } from '../scim/attribute-path.js';

export const APP_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:App';
/** IDCS's admin scope for Apps (Identity Domain Administrator and Application Administrator hold it). */
export const APPS_SCOPES = ['urn:opc:idm:t.app'];

/** The templates an OAuth app is based on, and the client types each allows (reference §5.1, [CLIENTAPP]). */
export const APP_TEMPLATES: Readonly<Record<string, ReadonlyArray<App['clientType']>>> = {
  CustomWebAppTemplateId: ['confidential', 'trusted'],
  CustomBrowserMobileTemplateId: ['public'],
};

const CLIENT_TYPES = ['confidential', 'public', 'trusted'] as const;
const ALLOWED_OPERATIONS = ['introspect', 'onBehalfOfUser'] as const;
const NAME_PATTERN = /^[A-Za-z0-9_]+$/;
const MAX_NAME = 255;
const MIN_EXPIRY = 60;
const MAX_EXPIRY = 31_536_000;

/** Attributes the harness reads and validates; everything else IDCS knows is kept as given. */
const MODELLED = [
  'displayName', 'name', 'description', 'active', 'basedOnTemplate', 'isOAuthClient', 'clientType', 'allowedGrants',
  'allowedScopes', 'allowedOperations', 'redirectUris', 'certificates', 'isOAuthResource', 'audience', 'secondaryAudiences',
  'scopes', 'accessTokenExpiry', 'refreshTokenExpiry',
] as const;

/** Read-only attributes of IDCS's App (the oci-identitydomains `App` model): ignored in a body (RFC 7644 §3.3, §3.5.1). */
const READ_ONLY = [
  'id', 'ocid', 'schemas', 'meta', 'idcsCreatedBy', 'idcsLastModifiedBy', 'idcsPreventedOperations', 'deleteInProgress',
  'idcsLastUpgradedInRelease', 'domainOcid', 'compartmentOcid', 'tenancyOcid', 'meterAsOPCService', 'clientSecret',
  'hashedClientSecret', 'migrated', 'infrastructure', 'isOPCService', 'callbackServiceUrl', 'isManagedApp', 'readyToUpgrade',
  'isDatabaseService', 'cloudControlProperties', 'editableAttributes', 'accounts', 'grants', 'grantedAppRoles', 'adminRoles',
  'userRoles',
] as const;

/** The other attributes of IDCS's App: kept in `otherAttributes` and returned, not interpreted. */
const KEPT = [
  'tags', 'idTokenEncAlgo', 'delegatedServiceNames', 'appIcon', 'appThumbnail', 'isLoginTarget', 'showInMyApps', 'loginMechanism',
  'landingPageUrl', 'productLogoUrl', 'privacyPolicyUrl', 'termsOfServiceUrl', 'contactEmailAddress', 'productName', 'homePageUrl',
  'isFormFill', 'isRadiusApp', 'allUrlSchemesAllowed', 'logoutUri', 'postLogoutRedirectUris', 'clientIPChecking', 'isUnmanagedApp',
  'allowAccessControl', 'allowOffline', 'isMobileTarget', 'loginPageUrl', 'linkingCallbackUrl', 'logoutPageUrl', 'errorPageUrl',
  'isSamlServiceProvider', 'isWebTierPolicy', 'isKerberosRealm', 'icon', 'isAliasApp', 'serviceTypeURN', 'serviceTypeVersion',
  'isObligationCapable', 'trustScope', 'isEnterpriseApp', 'bypassConsent', 'disableKmsiTokenAuthentication', 'isMulticloudServiceApp',
  'radiusPolicy', 'appsNetworkPerimeters', 'termsOfUse', 'protectableSecondaryAudiences', 'idpPolicy', 'allowedTags', 'appSignonPolicy',
  'trustPolicies', 'signonPolicy', 'identityProviders', 'serviceParams', 'attrRenderingMetadata', 'samlServiceProvider', 'aliasApps',
  'asOPCService',
] as const;

const CANONICAL = new Map<string, string>([...MODELLED, ...READ_ONLY, ...KEPT].map((name) => [name.toLowerCase(), name]));
const READ_ONLY_SET = new Set<string>(READ_ONLY);
const KEPT_SET = new Set<string>(KEPT);

type Body = Record<string, unknown>;
type StoredApp = Omit<App, 'meta' | 'grantedAppRoles'>;

const quote = (s: string) => JSON.stringify(s);

/** 400 `mutability`: an immutable attribute was given a new value (RFC 7644 §3.5.1). */
function immutable(detail: string): ScimError {
  return new ScimError(400, detail, 'error.common.validation.mutability', 'mutability');
}

/** 409 for a change other apps depend on (not a uniqueness clash). */
function inUse(detail: string): ScimError {
  return new ScimError(409, detail, 'error.common.exception.resourceInUse');
}

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body with its attribute names in IDCS's letter case (SCIM names are case-insensitive, RFC 7643 §2.1). */
function canonicalBody(body: Body): Body {
  const isCoreUrn = (key: string) => key.toLowerCase() === APP_SCHEMA.toLowerCase();
  const out: Body = {};
  const add = (entries: Array<[string, unknown]>, overriding: boolean) => {
    const seen = new Set<string>();
    for (const [key, value] of entries) {
      const name = key.toLowerCase().startsWith('urn:') ? key : CANONICAL.get(key.toLowerCase());
      if (name === undefined) {
        throw new ScimError(400, `Attribute "${key}" is not defined in schema ${APP_SCHEMA}.`, 'error.common.validation.invalidAttribute', 'invalidSyntax');
      }
      if (seen.has(name) || (!overriding && Object.hasOwn(out, name))) throw scim.invalidSyntax(`Attribute "${name}" is given twice (as "${key}" and in another letter case).`);
      seen.add(name);
      out[name] = value;
    }
  };
  // Core attributes written under the App schema URN (`{"urn:…:idcs:App": {"description": …}}`,
  // what a PATCH path `urn:…:idcs:App:description` yields) are the App's own; they win over the
  // same attribute written plainly (the view a PATCH starts from has both).
  add(Object.entries(body).filter(([key, value]) => !(isCoreUrn(key) && isObject(value))), false);
  add(Object.entries(body).flatMap(([key, value]) => (isCoreUrn(key) && isObject(value) ? Object.entries(value) : [])), true);
  return out;
}

/** A sub-attribute of a complex value, matched case-insensitively. */
function sub(record: Body, name: string): unknown {
  const key = findKey(record, name);
  return key === undefined ? undefined : record[key];
}

const absent = (v: unknown) => v === undefined || v === null;

function text(value: unknown, path: string, required: true): string;
function text(value: unknown, path: string, required?: false): string | undefined;
function text(value: unknown, path: string, required = false): string | undefined {
  if (absent(value) || value === '') {
    if (required) throw scim.missingAttribute(`Missing required attribute(s): ${path}`);
    return undefined;
  }
  if (typeof value !== 'string') throw scim.badRequest(`${path} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

function flag(value: unknown, path: string): boolean | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'boolean') throw scim.badRequest(`${path} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (absent(value)) return [];
  if (!Array.isArray(value)) throw scim.badRequest(`${path} is multi-valued: give an array (got ${JSON.stringify(value)})`);
  return value;
}

function texts(value: unknown, path: string): string[] {
  return [...new Set(list(value, path).map((v, i) => text(v, `${path}[${i}]`, true)))];
}

function oneOf<T extends string>(value: string, allowed: ReadonlyArray<T>, path: string): T {
  if (!(allowed as ReadonlyArray<string>).includes(value)) throw scim.badRequest(`${path}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function expiry(value: unknown, path: string): number | undefined {
  if (absent(value)) return undefined;
  if (!Number.isInteger(value) || (value as number) < MIN_EXPIRY || (value as number) > MAX_EXPIRY) {
    throw scim.badRequest(`${path} must be a whole number of seconds from ${MIN_EXPIRY} to ${MAX_EXPIRY} (got ${JSON.stringify(value)})`);
  }
  return value as number;
}

/** A certificate as IDCS stores it: base64 DER. A PEM is accepted and stored without its armour. */
function certificate(value: unknown, path: string): { certAlias: string; x509Base64Certificate: string } {
  if (!isObject(value)) throw scim.badRequest(`${path} must be an object {certAlias, x509Base64Certificate}`);
  const certAlias = text(sub(value, 'certAlias'), `${path}.certAlias`, true);
  const given = text(sub(value, 'x509Base64Certificate'), `${path}.x509Base64Certificate`, true);
  const base64 = given.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  let parsed: X509Certificate | undefined;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    try {
      parsed = new X509Certificate(Buffer.from(base64, 'base64'));
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed) throw scim.badRequest(`${path}.x509Base64Certificate (alias "${certAlias}") is not an X.509 certificate in base64 DER or PEM`);
  return { certAlias, x509Base64Certificate: base64 };
}

/** Every FQS of the other apps' resource servers, with the app defining it. */
function otherScopes(ctx: IamContext, selfId: string | undefined): Map<string, App> {
  const out = new Map<string, App>();
  for (const { app, fqs } of ctx.store.resourceScopes()) if (app.id !== selfId) out.set(fqs, app);
  return out;
}

/** The FQS an app defines: audience glued to each scope value (reference §1.3). */
function ownFqs(app: Pick<StoredApp, 'isOAuthResource' | 'audience' | 'scopes'>): string[] {
  return app.isOAuthResource && app.audience ? app.scopes.map((s) => `${app.audience}${s.value}`) : [];
}

/** Apps (other than `selfId`) whose allowedScopes list one of `fqs`. */
function dependants(ctx: IamContext, fqs: ReadonlyArray<string>, selfId: string): string[] {
  const out: string[] = [];
  for (const app of ctx.store.apps.values()) {
    if (app.id === selfId) continue;
    const used = app.allowedScopes.filter((s) => fqs.includes(s.fqs)).map((s) => s.fqs);
    if (used.length) out.push(`"${app.displayName}" (id ${app.id}) lists ${used.map(quote).join(', ')}`);
  }
  return out;
}

/** Validates a create or replace body into the stored App shape. */
export function parseApp(ctx: IamContext, raw: Body, current: App | undefined): StoredApp {
  const schemas = raw.schemas ?? sub(raw, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(APP_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${APP_SCHEMA}"`);
  const body = canonicalBody(raw);

  const displayName = text(body.displayName, 'displayName', true);
  const sameDisplayName = [...ctx.store.apps.values()].find((a) => a.id !== current?.id && a.displayName.toLowerCase() === displayName.toLowerCase());
  if (sameDisplayName) throw scim.uniqueness(`An app with displayName "${displayName}" already exists (id ${sameDisplayName.id}).`);

  // basedOnTemplate: required on create, immutable after.
  let template: string;
  if (absent(body.basedOnTemplate)) {
    if (!current) throw scim.missingAttribute('Missing required attribute(s): basedOnTemplate.value');
    template = current.basedOnTemplate.value;
  } else {
    if (!isObject(body.basedOnTemplate)) throw scim.badRequest('basedOnTemplate must be an object {"value": "<template id>"}');
    template = text(sub(body.basedOnTemplate, 'value'), 'basedOnTemplate.value', true);
    if (current && template !== current.basedOnTemplate.value) {
      throw immutable(`basedOnTemplate.value is immutable: it is "${current.basedOnTemplate.value}", not "${template}"`);
    }
    if (!current && !Object.hasOwn(APP_TEMPLATES, template)) {
      throw scim.badRequest(`basedOnTemplate.value: "${template}" is not a template this IAM knows (${Object.keys(APP_TEMPLATES).join(', ')})`);
    }
  }

  // name: the OAuth client_id. Generated when absent, then immutable.
  let name: string;
  const givenName = text(body.name, 'name');
  if (current) {
    if (givenName !== undefined && givenName !== current.name) throw immutable(`name (the client_id) is immutable: it is "${current.name}", not "${givenName}"`);
    name = current.name;
  } else if (givenName === undefined) {
    name = idcsGuid();
  } else {
    if (!NAME_PATTERN.test(givenName) || givenName.length > MAX_NAME) {
      throw scim.badRequest(`name: "${givenName}" may hold only letters, digits and "_" (at most ${MAX_NAME})`);
    }
    const clash = [...ctx.store.apps.values()].find((a) => a.name.toLowerCase() === givenName.toLowerCase());
    if (clash) throw scim.uniqueness(`An app with name "${givenName}" already exists (id ${clash.id}).`);
    name = givenName;
  }

  const active = flag(body.active, 'active') ?? current?.active ?? false;
  const description = text(body.description, 'description');

  // Client side.
  const isOAuthClient = flag(body.isOAuthClient, 'isOAuthClient') ?? false;
  const givenType = text(body.clientType, 'clientType');
  if (isOAuthClient && givenType === undefined) throw scim.missingAttribute('Missing required attribute(s): clientType (an OAuth client is confidential, trusted or public)');
  const allowedTypes = APP_TEMPLATES[template] ?? CLIENT_TYPES;
  const clientType = givenType === undefined ? allowedTypes[0]! : oneOf(givenType, CLIENT_TYPES, 'clientType');
  if (!allowedTypes.includes(clientType)) {
    throw scim.badRequest(`clientType "${clientType}" does not go with basedOnTemplate "${template}" (it takes ${allowedTypes.join(' or ')})`);
  }
  const allowedGrants = texts(body.allowedGrants, 'allowedGrants').map((g, i) => oneOf(g, GRANT_TYPES, `allowedGrants[${i}]`));
  if (clientType === 'public' && allowedGrants.includes('client_credentials')) {
    throw scim.badRequest('allowedGrants: a public client cannot use client_credentials (RFC 6749 §4.4: confidential clients only)');
  }
  const allowedOperations = texts(body.allowedOperations, 'allowedOperations').map((o, i) => oneOf(o, ALLOWED_OPERATIONS, `allowedOperations[${i}]`));
  const redirectUris = texts(body.redirectUris, 'redirectUris');
  redirectUris.forEach((uri, i) => {
    if (!URL.canParse(uri)) throw scim.badRequest(`redirectUris[${i}]: "${uri}" is not an absolute URI`);
  });
  const certificates = list(body.certificates, 'certificates').map((c, i) => certificate(c, `certificates[${i}]`));
  const aliases = new Set<string>();
  for (const c of certificates) {
    if (aliases.has(c.certAlias.toLowerCase())) throw scim.badRequest(`certificates: certAlias "${c.certAlias}" is used twice`);
    aliases.add(c.certAlias.toLowerCase());
  }

  // Resource-server side.
  const isOAuthResource = flag(body.isOAuthResource, 'isOAuthResource') ?? false;
  const audience = text(body.audience, 'audience');
  if (isOAuthResource && audience === undefined) throw scim.missingAttribute('Missing required attribute(s): audience (a resource server, isOAuthResource: true, needs one)');
  const secondaryAudiences = texts(body.secondaryAudiences, 'secondaryAudiences');
  const scopes = list(body.scopes, 'scopes').map((s, i) => {
    const path = `scopes[${i}]`;
    if (!isObject(s)) throw scim.badRequest(`${path} must be an object {value, description, displayName, requiresConsent}`);
    const value = text(sub(s, 'value'), `${path}.value`, true);
    const scope: App['scopes'][number] = { value };
    const displayName = text(sub(s, 'displayName'), `${path}.displayName`);
    const description = text(sub(s, 'description'), `${path}.description`);
    const requiresConsent = flag(sub(s, 'requiresConsent'), `${path}.requiresConsent`);
    if (displayName !== undefined) scope.displayName = displayName;
    if (description !== undefined) scope.description = description;
    if (requiresConsent !== undefined) scope.requiresConsent = requiresConsent;
    return scope;
  });
  const values = new Set<string>();
  for (const s of scopes) {
    if (values.has(s.value)) throw scim.badRequest(`scopes: value "${s.value}" is defined twice`);
    values.add(s.value);
  }
  const accessTokenExpiry = expiry(body.accessTokenExpiry, 'accessTokenExpiry');
  const refreshTokenExpiry = expiry(body.refreshTokenExpiry, 'refreshTokenExpiry');

  const others = otherScopes(ctx, current?.id);
  if (isOAuthResource) {
    const sameAudience = [...ctx.store.apps.values()].find((a) => a.id !== current?.id && a.isOAuthResource && a.audience === audience);
    if (sameAudience) throw scim.uniqueness(`audience "${audience}" is already the audience of resource server "${sameAudience.displayName}" (id ${sameAudience.id}).`);
    for (const s of scopes) {
      const clash = others.get(`${audience}${s.value}`);
      if (clash) throw scim.uniqueness(`scope "${s.value}" gives the fully qualified scope "${audience}${s.value}", which app "${clash.displayName}" (id ${clash.id}) already defines.`);
    }
  }
  const mine = ownFqs({ isOAuthResource, audience, scopes });
  const allowedScopes = list(body.allowedScopes, 'allowedScopes').map((s, i) => {
    if (!isObject(s)) throw scim.badRequest(`allowedScopes[${i}] must be an object {"fqs": "<audience><scope>"}`);
    const fqs = text(sub(s, 'fqs'), `allowedScopes[${i}].fqs`, true);
    if (!others.has(fqs) && !mine.includes(fqs)) {
      throw scim.badRequest(`allowedScopes[${i}].fqs: "${fqs}" is no resource server's fully qualified scope (audience + scope value, no separator)`);
    }
    return fqs;
  });

  // A change must not take away a scope that other clients are allowed.
  if (current) {
    const removed = ownFqs(current).filter((f) => !mine.includes(f));
    const users = dependants(ctx, removed, current.id);
    if (users.length) throw inUse(`This change removes scopes that other apps list in allowedScopes: ${users.join('; ')}. Remove them there first.`);
  }

  const confidential = isOAuthClient && clientType !== 'public';
  const otherAttributes: Body = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('urn:') || KEPT_SET.has(key)) {
      if (value !== null && value !== undefined) otherAttributes[key] = value;
    } else if (!READ_ONLY_SET.has(key) && !(MODELLED as ReadonlyArray<string>).includes(key)) {
      throw scim.badRequest(`Attribute "${key}" cannot be set`);
    }
  }

  return {
    id: current?.id ?? idcsGuid(),
    ocid: current?.ocid ?? ocid('app'),
    name,
    displayName,
    ...(description !== undefined ? { description } : {}),
    active,
    basedOnTemplate: { value: template },
    isOAuthClient,
    clientType,
    // Read-only: generated for a confidential or trusted client, kept across changes.
    ...(confidential ? { clientSecret: current?.clientSecret ?? randomUUID() } : {}),
    allowedGrants,
    allowedScopes: [...new Set(allowedScopes)].map((fqs) => ({ fqs })),
    allowedOperations,
    certificates,
    redirectUris,
    isOAuthResource,
    ...(audience !== undefined ? { audience } : {}),
    secondaryAudiences,
    scopes,
    ...(accessTokenExpiry !== undefined ? { accessTokenExpiry } : {}),
    ...(refreshTokenExpiry !== undefined ? { refreshTokenExpiry } : {}),
    otherAttributes,
  };
}

/** `grantedAppRoles` as IDCS shows it on an App (and a User): read-only, derived from the grants. */
export function grantedAppRolesView(holder: Pick<App, 'grantedAppRoles'>): Array<Record<string, unknown>> {
  return holder.grantedAppRoles.map((role) => ({
    value: role.id,
    appId: IDCS_APP_ID,
    display: role.displayName,
    type: 'direct',
    appName: IDCS_APP_NAME,
    adminRole: role.adminRole,
  }));
}

function appView(ctx: IamContext, app: App): Record<string, unknown> {
  const definers = otherScopes(ctx, undefined);
  const extensionUrns = Object.keys(app.otherAttributes).filter((k) => k.startsWith('urn:'));
  return JSON.parse(
    JSON.stringify({
      schemas: [APP_SCHEMA, ...extensionUrns],
      id: app.id,
      ocid: app.ocid,
      ...app.otherAttributes,
      name: app.name,
      displayName: app.displayName,
      description: app.description,
      active: app.active,
      basedOnTemplate: { value: app.basedOnTemplate.value, wellKnownId: app.basedOnTemplate.value },
      isOAuthClient: app.isOAuthClient,
      clientType: app.clientType,
      clientSecret: app.clientSecret,
      allowedGrants: app.allowedGrants,
      allowedScopes: app.allowedScopes.map((s) => ({ fqs: s.fqs, idOfDefiningApp: definers.get(s.fqs)?.id, readOnly: false })),
      allowedOperations: app.allowedOperations,
      redirectUris: app.redirectUris,
      certificates: app.certificates.map((c) => ({
        certAlias: c.certAlias,
        x509Base64Certificate: c.x509Base64Certificate,
        x5t: createHash('sha1').update(Buffer.from(c.x509Base64Certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64')).digest('base64url'),
      })),
      isOAuthResource: app.isOAuthResource,
      audience: app.audience,
      secondaryAudiences: app.secondaryAudiences,
      scopes: app.scopes.map((s) => ({ ...s, fqs: app.audience === undefined ? undefined : `${app.audience}${s.value}` })),
      accessTokenExpiry: app.accessTokenExpiry,
      refreshTokenExpiry: app.refreshTokenExpiry,
      grantedAppRoles: grantedAppRolesView(app),
    }),
  );
}

const CASE_EXACT = new Set([
  'id', 'ocid', 'clientsecret', 'allowedgrants', 'allowedoperations', 'allowedscopes.fqs', 'allowedscopes.idofdefiningapp', 'scopes.value',
  'scopes.fqs', 'basedontemplate.value', 'grantedapproles.value', 'certificates.x5t',
]);

export const appsResource: ScimResourceType<App> = {
  readOnly: ['clientSecret', 'grantedAppRoles'],
  endpoint: 'Apps',
  resourceType: 'App',
  schema: APP_SCHEMA,
  scopes: { read: APPS_SCOPES, write: APPS_SCOPES },
  list: (ctx) => ctx.store.apps.values(),
  find: (ctx, id) => ctx.store.apps.get(id),
  meta: (app) => app.meta,
  id: (app) => app.id,
  view: appView,
  create: (ctx, body) => ctx.store.putApp(parseApp(ctx, body, undefined)),
  replace: (ctx, current, body) => ctx.store.putApp(parseApp(ctx, body, current)),
  remove: (ctx, app) => {
    const users = dependants(ctx, ownFqs(app), app.id);
    if (users.length) throw inUse(`App "${app.displayName}" defines scopes that other apps list in allowedScopes: ${users.join('; ')}. Remove them there first.`);
    ctx.store.deleteApp(app.id);
  },
  caseExact: (path) => CASE_EXACT.has(path.toLowerCase()),
};
