/**
 * `POST /oauth2/v1/token`: checks the form, authenticates the client, checks the grant is allowed
 * for it, hands the request to the grant's handler, and issues the tokens.
 */
import { oauth } from '../../common/errors.js';
import type { IamContext } from '../iam-context.js';
import { authenticateClient } from './client-auth/client-authentication.js';
import { GRANT_HANDLERS } from './grants/index.js';
import { issueTokens, type TokenResponse } from './token-service.js';

/** RFC 6749 §3.2: request parameters must not be included more than once. */
export function refuseRepeatedParams(form: URLSearchParams): void {
  const seen = new Set<string>();
  for (const name of form.keys()) {
    if (seen.has(name)) throw oauth.invalidRequest(`parameter "${name}" was sent more than once`);
    seen.add(name);
  }
}

export async function handleTokenRequest(ctx: IamContext, form: URLSearchParams, authorization: string | undefined): Promise<TokenResponse> {
  refuseRepeatedParams(form);
  const grantType = form.get('grant_type');
  if (!grantType) throw oauth.invalidRequest('grant_type is required');
  const { client } = await authenticateClient(ctx, form, authorization);
  const handler = GRANT_HANDLERS.get(grantType);
  if (!handler) throw oauth.unsupportedGrantType(grantType);
  if (!client.allowedGrants.includes(handler.grantType as (typeof client.allowedGrants)[number])) {
    throw oauth.unauthorizedClient(
      `client "${client.name}" is not allowed the ${grantType} grant (allowedGrants: ${client.allowedGrants.join(', ') || 'none'})`,
    );
  }
  return issueTokens(ctx, await handler.resolve(ctx, client, form));
}
