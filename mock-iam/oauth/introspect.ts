/**
 * `POST /oauth2/v1/introspect` (RFC 7662). The caller authenticates as at the token endpoint and
 * needs `allowedOperations: ["introspect"]`. Active tokens answer with their claims.
 */
import { oauth } from '../../common/errors.js';
import type { IamContext } from '../iam-context.js';
import { authenticateClient } from './client-auth/client-authentication.js';
import { checkOwnAccessToken } from './own-token.js';
import { refuseRepeatedParams } from './token-endpoint.js';

export async function handleIntrospection(ctx: IamContext, form: URLSearchParams, authorization: string | undefined): Promise<Record<string, unknown>> {
  refuseRepeatedParams(form);
  const { client } = await authenticateClient(ctx, form, authorization);
  if (!client.allowedOperations.includes('introspect')) {
    throw oauth.invalidClient(`client "${client.name}" may not introspect tokens (add "introspect" to its allowedOperations)`, false);
  }
  const token = form.get('token');
  if (!token) throw oauth.invalidRequest('token is required');
  const hint = form.get('token_type_hint');
  if (hint !== 'access_token') {
    const refresh = ctx.store.refreshToken(token);
    if (refresh) return { active: true, token_type: 'refresh_token', client_id: refresh.clientId, scope: refresh.scope.join(' '), exp: refresh.expiresAt };
  }
  const check = checkOwnAccessToken(ctx, token);
  if (!check.ok) return { active: false };
  return { active: true, token_type: 'Bearer', ...check.claims };
}
