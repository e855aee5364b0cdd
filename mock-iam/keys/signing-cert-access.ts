/**
 * Who may read `/admin/v1/SigningCert/jwk`. Anyone, when the domain setting
 * `signingCertPublicAccess` ("Configure client access") is on; otherwise a bearer access token of
 * this domain whose scopes include `urn:opc:idm:t.security.client` (the free "Authenticated
 * Client" role, which every admin role also grants). Refusals are SCIM errors, as IDCS sends them.
 */
import { scim } from '../../common/errors.js';
import { SCOPE_SECURITY_CLIENT } from '../app-roles.js';
import type { IamContext } from '../iam-context.js';
import { bearerToken, checkOwnAccessToken } from '../oauth/own-token.js';

export function authorizeSigningCertRead(ctx: Pick<IamContext, 'settings' | 'keys' | 'clock' | 'store' | 'issuer'>, authorization: string | undefined): void {
  if (ctx.settings.signingCertPublicAccess) return;
  const token = bearerToken(authorization);
  if (!token) throw scim.unauthorized('the JWKS needs a bearer token unless the signingCertPublicAccess setting is on');
  const check = checkOwnAccessToken(ctx, token);
  if (!check.ok) throw scim.unauthorized(check.reason);
  if (!String(check.claims.scope ?? '').split(' ').includes(SCOPE_SECURITY_CLIENT)) {
    throw scim.forbidden(`the token lacks ${SCOPE_SECURITY_CLIENT}: request urn:opc:idm:__myscopes__ from a client granted the Authenticated Client role`);
  }
}
