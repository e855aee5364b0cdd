/**
 * Who may call `/admin/v1/*`, as IDCS decides it: a bearer access token of this domain whose
 * scopes (from the caller's granted admin app roles, through `urn:opc:idm:__myscopes__`) include
 * one the endpoint needs; or a request signed the OCI way (what the OCI SDKs send) and verified
 * against an API key of the stack config, which acts as an Identity Domain Administrator.
 * No credentials or a bad one: SCIM 401. A valid token without the scope: SCIM 403.
 */
import { scim } from '../../common/errors.js';
import { isOciSignature, verifyOciSignature, type OciApiKey, type SignedRequestParts } from '../../common/oci-signature.js';
import type { IamContext } from '../iam-context.js';
import { bearerToken, checkOwnAccessToken } from '../oauth/own-token.js';

export type AdminCaller =
  | { kind: 'token'; clientId: string; subject: string; scopes: ReadonlySet<string> }
  | { kind: 'oci-signature'; keyId: string };

export function authenticateAdmin(
  ctx: Pick<IamContext, 'keys' | 'clock' | 'store' | 'issuer'> & { ociApiKeys: ReadonlyMap<string, OciApiKey> },
  request: SignedRequestParts,
): AdminCaller {
  const authorization = typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined;
  if (isOciSignature(authorization)) {
    const check = verifyOciSignature(request, ctx.ociApiKeys, ctx.clock.nowMs());
    if (!check.ok) throw scim.unauthorized(`OCI request signature refused: ${check.reason}`);
    return { kind: 'oci-signature', keyId: check.keyId };
  }
  const token = bearerToken(authorization);
  if (!token) {
    throw scim.unauthorized('no credentials: send Authorization: Bearer <access token> (client_credentials with scope urn:opc:idm:__myscopes__) or an OCI-signed request');
  }
  const check = checkOwnAccessToken(ctx, token);
  if (!check.ok) throw scim.unauthorized(check.reason);
  return {
    kind: 'token',
    clientId: String(check.claims.client_id),
    subject: String(check.claims.sub),
    scopes: new Set(String(check.claims.scope ?? '').split(' ')),
  };
}

/** Refuses a caller that holds none of the scopes the call needs. */
export function authorizeAdmin(caller: AdminCaller, anyOf: ReadonlyArray<string>, what: string): void {
  if (caller.kind === 'oci-signature') return;
  if (anyOf.some((s) => caller.scopes.has(s))) return;
  throw scim.forbidden(
    `${what} needs one of the scopes ${anyOf.join(', ')}; the token of "${caller.subject}" has ${[...caller.scopes].join(' ') || 'none'}. Grant the client an admin app role (POST /admin/v1/Grants) and request urn:opc:idm:__myscopes__`,
  );
}
