/**
 * The claim sets of IDCS tokens, built in one place from a resolved grant (reference §2.2, §2.3).
 * Claim names and value types follow published IDCS tokens; `docs/fidelity.md` lists which ones
 * are documented by Oracle and which were only observed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IamContext } from '../iam-context.js';
import { scimUser, type App, type User } from '../store.js';
import { applicableCustomClaims, customClaimsInForce, customClaimValue, refuseUnknownClaimScopes, type TokenKind } from './custom-claims.js';
import { OIDC_SCOPES, type ScopeGrant } from './scopes.js';

/** The `gtp` claim: IDCS's short name for the grant that produced a token. */
export type GrantShortName = 'cc' | 'ro' | 'rt' | 'jwt';

export interface TokenSubject {
  client: App;
  user?: User | undefined;
  scope: ScopeGrant;
  gtp: GrantShortName;
  /** When the user authenticated (epoch seconds); a refresh keeps the original time. */
  authTime?: number | undefined;
  /** The SSO session the tokens belong to. */
  sessionId?: string | undefined;
}

/** IDCS's default SSO session length: ID tokens live as long as the session (480 minutes). */
export const SESSION_MINUTES = 480;

function tenantClaims(ctx: Pick<IamContext, 'identity'>) {
  const { tenant, region, domainUrl } = ctx.identity;
  return {
    client_tenantname: tenant,
    tenant,
    'user.tenant.name': tenant,
    tenant_iss: `${domainUrl}:443`,
    domain: 'Default',
    domain_home: region,
    region_name: region.replace(/-(\d+)$/, '-idcs-$1'),
  };
}

function userClaims(ctx: Pick<IamContext, 'identity'>, user: User) {
  return {
    user_id: user.id,
    user_ocid: user.ocid,
    user_displayname: user.displayName ?? user.userName,
    user_tenantname: ctx.identity.tenant,
    user_tz: user.timezone ?? 'America/Chicago',
    user_lang: user.preferredLanguage ?? 'en',
    user_locale: user.locale ?? 'en',
  };
}

function addCustomClaims(target: Record<string, unknown>, ctx: Pick<IamContext, 'store'>, kind: TokenKind, subject: TokenSubject): void {
  const scim = subject.user ? scimUser(subject.user) : undefined;
  // A claim's scopes match the granted resource FQS and OIDC scopes (Oracle's example uses `phone`).
  const granted = [...subject.scope.grantedFqs, ...subject.scope.scopes.filter((s) => OIDC_SCOPES.has(s))];
  for (const claim of applicableCustomClaims(customClaimsInForce(ctx), kind, granted)) {
    const value = customClaimValue(claim, scim);
    // A standard claim is never overwritten by a custom one.
    if (value !== undefined && !(claim.name in target)) target[claim.name] = value;
  }
}

export function accessTokenClaims(ctx: Pick<IamContext, 'issuer' | 'identity' | 'store'>, subject: TokenSubject, iat: number): Record<string, unknown> {
  // The [MOS] trip-up: a custom claim listing an unknown scope fails the request (before any token is made).
  refuseUnknownClaimScopes(ctx, subject);
  const { client, user, scope } = subject;
  const roles = scope.rolesUsed.length ? client.grantedAppRoles : [];
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: user ? user.userName : client.name,
    sub_mappingattr: 'userName',
    sub_type: user ? 'user' : 'client',
    aud: scope.audiences.length === 1 ? scope.audiences[0] : scope.audiences,
    scope: scope.scopes.join(' '),
    client_id: client.name,
    client_name: client.displayName,
    client_guid: client.id,
    client_ocid: client.ocid,
    ...tenantClaims(ctx),
    tok_type: 'AT',
    gtp: subject.gtp,
    jti: randomBytes(16).toString('hex'),
    iat,
    exp: iat + scope.expiresIn,
  };
  if (scope.resourceApps.length === 1) claims.resource_app_id = scope.resourceApps[0]!.id;
  if (roles.length) claims.clientAppRoles = roles.map((r) => r.displayName);
  if (user) {
    Object.assign(claims, userClaims(ctx, user), {
      sid: subject.sessionId,
      sidle: SESSION_MINUTES,
      amr: ['USERNAME_PASSWORD'],
      idp_name: 'UserNamePassword',
      idp_guid: 'UserNamePassword',
      idp_type: 'LOCAL',
    });
    if (user.grantedAppRoles.length) claims.userAppRoles = user.grantedAppRoles.map((r) => r.displayName);
    if (client.allowedOperations.includes('onBehalfOfUser')) claims.onBehalfOfUser = true;
  }
  // user_isAdmin appears only when true.
  if (scope.rolesUsed.some((r) => r.adminRole)) claims.user_isAdmin = true;
  addCustomClaims(claims, ctx, 'AT', subject);
  return claims;
}

/** `at_hash`: the left half of the SHA-256 of the access token, base64url (OIDC Core §3.1.3.6). */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export function idTokenClaims(
  ctx: Pick<IamContext, 'issuer' | 'identity' | 'store'>,
  subject: TokenSubject & { user: User },
  iat: number,
  accessToken: string,
  nonce?: string,
): Record<string, unknown> {
  const authTime = subject.authTime ?? iat;
  const sessionExp = authTime + SESSION_MINUTES * 60;
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    sub: subject.user.userName,
    sub_mappingattr: 'userName',
    // IDCS puts the client and the issuer in the ID token audience.
    aud: [subject.client.name, ctx.issuer],
    azp: subject.client.name,
    at_hash: atHash(accessToken),
    auth_time: authTime,
    iat,
    exp: sessionExp,
    session_exp: sessionExp,
    amr: ['USERNAME_PASSWORD'],
    sid: subject.sessionId,
    jti: randomBytes(16).toString('hex'),
    ...userClaims(ctx, subject.user),
    ...tenantClaims(ctx),
    tok_type: 'IT',
  };
  if (nonce) claims.nonce = nonce;
  addCustomClaims(claims, ctx, 'IT', subject);
  return claims;
}
