/**
 * `/admin/v1/CustomClaims` (reference §6): full CRUD + PATCH through the SCIM framework, the
 * feature switch of legacy IDCS (`iam.settings.customClaimsEnabled`), and the two token-time
 * rules the token service asks this module about (the only code outside `admin/` that calls in):
 *
 * - `customClaimsInForce`: the claims that take part in tokens (none while the feature is off);
 * - `refuseUnknownClaimScopes`: the [MOS] trip-up, a claim whose `scopes` holds a string that is
 *   no real scope makes token requests fail with `invalid_scope`.
 *
 * Choices IDCS leaves open are rows of docs/fidelity.md ("Mock IAM: admin API — schemas and
 * custom claims").
 */
import { scim, ScimError } from '../../common/errors.js';
import { idcsGuid } from '../../common/ids.js';
import { parseUserExpression } from '../oauth/custom-claims.js';
import type { IamContext, ScimResourceType } from '../scim/resource-type.js';
import type { CustomClaim } from '../store.js';

export const CUSTOM_CLAIM_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:CustomClaim';
/** Identity Domain Administrator only: no other admin role holds `t.settings` (app-roles.ts). */
const SETTINGS_SCOPES = ['urn:opc:idm:t.settings'];
/** Mock-specific: IDCS's own text, status and messageId for the switched-off feature are unknown. */
export const FEATURE_DISABLED_MESSAGE_ID = 'error.common.feature.notEnabled';
const NAME_MAX = 100;
const VALUE_MAX = 100;

/**
 * Every claim name the mock's tokens carry on their own (mock-iam/oauth/claims.ts, AT and IT),
 * plus `nbf` (JWT) and `groups` (reported reserved by IDCS). A custom claim may not take one: in a
 * token the standard claim would win and the custom one would silently vanish.
 */
export const STANDARD_CLAIMS: ReadonlySet<string> = new Set([
  // both tokens
  'iss', 'sub', 'sub_mappingattr', 'aud', 'iat', 'exp', 'jti', 'tok_type', 'sid', 'amr',
  'client_tenantname', 'tenant', 'user.tenant.name', 'tenant_iss', 'domain', 'domain_home', 'region_name',
  'user_id', 'user_ocid', 'user_displayname', 'user_tenantname', 'user_tz', 'user_lang', 'user_locale',
  // access token
  'sub_type', 'scope', 'client_id', 'client_name', 'client_guid', 'client_ocid', 'gtp', 'resource_app_id',
  'clientAppRoles', 'userAppRoles', 'user_isAdmin', 'onBehalfOfUser', 'sidle', 'idp_name', 'idp_guid', 'idp_type',
  // ID token
  'azp', 'at_hash', 'auth_time', 'session_exp', 'nonce',
  // reserved elsewhere
  'nbf', 'groups',
]);

const FIELDS = ['name', 'value', 'expression', 'mode', 'tokenType', 'allScopes', 'scopes'] as const;
type Field = (typeof FIELDS)[number];
/** Attributes a body may carry (a client echoing a GET back) that the server owns: ignored. */
const SERVER_OWNED = new Set(['id', 'meta', 'schemas', 'ocid', 'idcscreatedby', 'idcslastmodifiedby', 'domainocid', 'compartmentocid', 'tenancyocid']);
const MODES = ['always', 'request', 'never'] as const;
const TOKEN_TYPES = ['AT', 'IT', 'BOTH'] as const;

export function customClaimsDisabled(): ScimError {
  return new ScimError(
    400,
    'Custom claims are not enabled for this identity domain. Raise a service request with Oracle Support to enable the custom claims feature.',
    FEATURE_DISABLED_MESSAGE_ID,
    undefined,
    'iam.settings.customClaimsEnabled is false in the stack config (legacy IDCS: the feature needs a service request); every /admin/v1/CustomClaims call fails and no custom claim reaches a token',
  );
}

const invalid = (detail: string) => scim.badRequest(detail, 'error.common.validation.invalidValue');

/** The body's attributes by their canonical names (SCIM names are case-insensitive, RFC 7643 §2.1). */
function canonicalFields(body: Record<string, unknown>): Partial<Record<Field, unknown>> {
  const out: Partial<Record<Field, unknown>> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
    if (field) out[field] = value;
    else if (!SERVER_OWNED.has(key.toLowerCase())) {
      throw new ScimError(
        400,
        `Attribute "${key}" is not an attribute of ${CUSTOM_CLAIM_SCHEMA} (${FIELDS.join(', ')}).`,
        'error.common.validation.invalidAttribute',
        'invalidValue',
      );
    }
  }
  return out;
}

function parseClaim(ctx: IamContext, body: Record<string, unknown>, current: CustomClaim | undefined): Omit<CustomClaim, 'meta'> {
  const schemas = Object.entries(body).find(([k]) => k.toLowerCase() === 'schemas')?.[1];
  if (!Array.isArray(schemas) || !schemas.includes(CUSTOM_CLAIM_SCHEMA)) throw scim.missingAttribute(`schemas must contain "${CUSTOM_CLAIM_SCHEMA}"`);
  const f = canonicalFields(body);

  const missing = (['name', 'value'] as const).filter((k) => f[k] === undefined || f[k] === null);
  if (missing.length) throw scim.missingAttribute(`Missing required attribute(s): ${missing.join(', ')}`);
  if (typeof f.name !== 'string' || f.name.length === 0 || f.name.length > NAME_MAX) {
    throw invalid(`name must be a string of 1 to ${NAME_MAX} characters (got ${JSON.stringify(f.name)}${typeof f.name === 'string' ? `, ${f.name.length} characters` : ''})`);
  }
  const name = f.name;
  if (STANDARD_CLAIMS.has(name)) {
    throw invalid(`name "${name}" is a standard claim of IDCS tokens; a custom claim must not clash with one (choose another name)`);
  }
  const clash = [...ctx.store.customClaims.values()].find((c) => c.id !== current?.id && c.name.toLowerCase() === name.toLowerCase());
  if (clash) throw scim.uniqueness(`A custom claim with name "${clash.name}" already exists (id ${clash.id}).`);

  const bool = (field: 'expression' | 'allScopes'): boolean => {
    const v = f[field];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw invalid(`${field} must be true or false (got ${JSON.stringify(v)})`);
    return v;
  };
  const expression = bool('expression');
  const allScopes = bool('allScopes');

  if (typeof f.value !== 'string' || f.value === '') throw invalid(`value must be a non-empty string (got ${JSON.stringify(f.value)})`);
  const value = f.value;
  if (expression) {
    if (!parseUserExpression(value)) {
      throw invalid(
        `value "${value}" is not a user expression: with "expression": true write $user.<attribute> or $(user.<attribute>), e.g. $user.urn:ietf:params:scim:schemas:idcs:extension:custom:User.MyAttr`,
      );
    }
  } else if (value.length > VALUE_MAX) {
    throw invalid(`value is ${value.length} characters long; a constant value may have at most ${VALUE_MAX} (only an expression's result is unlimited)`);
  }

  let mode: CustomClaim['mode'] = 'always';
  if (f.mode !== undefined && f.mode !== null) {
    const m = typeof f.mode === 'string' ? f.mode.toLowerCase() : undefined;
    if (!MODES.includes(m as (typeof MODES)[number])) throw invalid(`mode must be always, request or never (any letter case; got ${JSON.stringify(f.mode)})`);
    mode = m as CustomClaim['mode'];
  }
  let tokenType: CustomClaim['tokenType'] = 'AT';
  if (f.tokenType !== undefined && f.tokenType !== null) {
    if (!TOKEN_TYPES.includes(f.tokenType as (typeof TOKEN_TYPES)[number])) throw invalid(`tokenType must be AT, IT or BOTH (got ${JSON.stringify(f.tokenType)})`);
    tokenType = f.tokenType as CustomClaim['tokenType'];
  }

  let scopes: string[] = [];
  if (f.scopes !== undefined && f.scopes !== null) {
    if (!Array.isArray(f.scopes) || f.scopes.some((s) => typeof s !== 'string' || s.trim() === '')) {
      throw invalid(`scopes must be an array of fully qualified scopes (non-empty strings; got ${JSON.stringify(f.scopes)})`);
    }
    scopes = [...new Set(f.scopes as string[])];
  }
  if (!allScopes && scopes.length === 0) {
    throw invalid('Set "allScopes": true, or list at least one fully qualified scope in "scopes" (the claim would never be added otherwise).');
  }
  return { id: current?.id ?? idcsGuid(), name, value, expression, mode, tokenType, allScopes, scopes };
}

export const customClaimsResource: ScimResourceType<CustomClaim> = {
  endpoint: 'CustomClaims',
  resourceType: 'CustomClaim',
  schema: CUSTOM_CLAIM_SCHEMA,
  scopes: { read: SETTINGS_SCOPES, write: SETTINGS_SCOPES },
  list: (ctx) => ctx.store.customClaims.values(),
  find: (ctx, id) => ctx.store.customClaims.get(id),
  meta: (claim) => claim.meta,
  id: (claim) => claim.id,
  view: (_ctx, c) => ({
    schemas: [CUSTOM_CLAIM_SCHEMA],
    id: c.id,
    name: c.name,
    value: c.value,
    expression: c.expression,
    mode: c.mode,
    tokenType: c.tokenType,
    allScopes: c.allScopes,
    // IDCS's examples show `scopes` only on claims that have some.
    ...(c.scopes.length ? { scopes: [...c.scopes] } : {}),
  }),
  create: (ctx, body) => ctx.store.putCustomClaim(parseClaim(ctx, body, undefined)),
  replace: (ctx, current, body) => ctx.store.putCustomClaim(parseClaim(ctx, body, current)),
  remove: (ctx, claim) => {
    ctx.store.deleteCustomClaim(claim.id);
  },
  caseExact: (path) => path.toLowerCase() === 'id',
  guard: (ctx) => {
    if (!ctx.settings.customClaimsEnabled) throw customClaimsDisabled();
  },
};
