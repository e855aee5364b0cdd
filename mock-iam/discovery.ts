/**
 * `/.well-known/openid-configuration` and `/.well-known/idcs-configuration` with the fields and
 * values of a real IDCS document (reference §3.2), the endpoints on this mock's own base URL.
 * The `issuer` is the configured issuer, *not* the host serving the document, as in IDCS.
 */
import type { IamContext } from './iam-context.js';

export function openidConfiguration(ctx: Pick<IamContext, 'issuer' | 'baseUrl'>): Record<string, unknown> {
  const at = (path: string) => `${ctx.baseUrl}${path}`;
  return {
    issuer: ctx.issuer,
    authorization_endpoint: at('/oauth2/v1/authorize'),
    token_endpoint: at('/oauth2/v1/token'),
    userinfo_endpoint: at('/oauth2/v1/userinfo'),
    revocation_endpoint: at('/oauth2/v1/revoke'),
    introspection_endpoint: at('/oauth2/v1/introspect'),
    end_session_endpoint: at('/oauth2/v1/userlogout'),
    secure_authorization_endpoint: at('/oauth2/v1/authorize'),
    secure_token_endpoint: at('/oauth2/v1/token'),
    secure_userinfo_endpoint: at('/oauth2/v1/userinfo'),
    secure_revocation_endpoint: at('/oauth2/v1/revoke'),
    secure_introspection_endpoint: at('/oauth2/v1/introspect'),
    secure_end_session_endpoint: at('/oauth2/v1/userlogout'),
    jwks_uri: at('/admin/v1/SigningCert/jwk'),
    scopes_supported: ['openid', 'profile', 'offline_access', 'email', 'address', 'phone', 'groups', 'get_groups', 'approles', 'get_approles'],
    response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    userinfo_signing_alg_values_supported: ['none'],
    claims_supported: ['aud', 'exp', 'iat', 'iss', 'jti', 'sub'],
    grant_types_supported: ['client_credentials', 'password', 'refresh_token', 'authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'tls_cert_auth'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    ui_locales_supported: ['en'],
    claims_parameter_supported: false,
    http_logout_supported: true,
    logout_session_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    idcs_id_token: 'supported',
    idcs_logout_v3: 'supported',
  };
}

/** IDCS wraps the same metadata under an `openid-configuration` member. */
export function idcsConfiguration(ctx: Pick<IamContext, 'issuer' | 'baseUrl'>): Record<string, unknown> {
  return { 'openid-configuration': openidConfiguration(ctx) };
}
