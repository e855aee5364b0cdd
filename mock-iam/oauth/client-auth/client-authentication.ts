/**
 * Client authentication at the token, introspection and revocation endpoints: exactly one of
 * HTTP Basic, `client_secret_post` or `private_key_jwt` (one file each), or a bare `client_id`
 * for a public client. Errors are `invalid_client` (401); Basic callers also get
 * `WWW-Authenticate: Basic`.
 */
import { oauth } from '../../../common/errors.js';
import type { IamContext } from '../../iam-context.js';
import type { App } from '../../store.js';
import { findActiveClient } from './find-client.js';
import { readBasicCredentials, checkClientSecret } from './client-secret-basic.js';
import { readPostCredentials } from './client-secret-post.js';
import { authenticateByClientAssertion, hasClientAssertion } from './private-key-jwt.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export interface AuthenticatedClient {
  client: App;
  method: ClientAuthMethod;
}

export async function authenticateClient(
  ctx: Pick<IamContext, 'store' | 'issuer' | 'baseUrl' | 'identity' | 'clock'>,
  form: URLSearchParams,
  authorization: string | undefined,
): Promise<AuthenticatedClient> {
  const basic = authorization !== undefined && /^basic\s/i.test(authorization);
  const post = form.has('client_secret');
  const assertion = hasClientAssertion(form);
  const used = [basic && 'HTTP Basic', post && 'client_secret', assertion && 'client_assertion'].filter(Boolean);
  if (used.length > 1) throw oauth.invalidRequest(`more than one client authentication method was used (${used.join(', ')}); use exactly one`);

  if (basic) {
    const { clientId, clientSecret } = readBasicCredentials(authorization!);
    const formClientId = form.get('client_id');
    if (formClientId !== null && formClientId !== clientId) throw oauth.invalidRequest(`client_id "${formClientId}" in the form differs from the one in the Authorization header`);
    return { client: checkClientSecret(ctx.store, clientId, clientSecret, true), method: 'client_secret_basic' };
  }
  if (post) {
    const { clientId, clientSecret } = readPostCredentials(form);
    return { client: checkClientSecret(ctx.store, clientId, clientSecret, false), method: 'client_secret_post' };
  }
  if (assertion) return { client: await authenticateByClientAssertion(ctx, form), method: 'private_key_jwt' };

  const clientId = form.get('client_id');
  if (!clientId) throw oauth.invalidClient('no client authentication: send HTTP Basic credentials, client_id + client_secret, or a client assertion', false);
  const client = findActiveClient(ctx.store, clientId, false);
  if (client.clientType !== 'public') throw oauth.invalidClient(`client "${clientId}" is ${client.clientType} and must authenticate (no secret or assertion was sent)`, false);
  return { client, method: 'none' };
}
