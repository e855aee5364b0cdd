/**
 * `private_key_jwt`: a client assertion signed with the key of a certificate imported into the
 * app. `iss` and `sub` are the client_id; `aud` names this identity domain (reference §1.2).
 */
import { decodeJwt } from 'jose';
import { oauth } from '../../../common/errors.js';
import type { IamContext } from '../../iam-context.js';
import type { App } from '../../store.js';
import { verifyAppAssertion } from '../app-assertion.js';
import { findActiveClient } from './find-client.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function hasClientAssertion(form: URLSearchParams): boolean {
  return form.has('client_assertion') || form.has('client_assertion_type');
}

export async function authenticateByClientAssertion(
  ctx: Pick<IamContext, 'store' | 'issuer' | 'baseUrl' | 'identity' | 'clock'>,
  form: URLSearchParams,
): Promise<App> {
  const type = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  if (type !== CLIENT_ASSERTION_TYPE) throw oauth.invalidRequest(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
  if (!assertion) throw oauth.invalidRequest('client_assertion_type was sent without client_assertion');
  let iss: unknown;
  let sub: unknown;
  try {
    ({ iss, sub } = decodeJwt(assertion));
  } catch {
    throw oauth.invalidClient('the client assertion is not a JWT', false);
  }
  if (typeof iss !== 'string' || iss !== sub) throw oauth.invalidClient('the client assertion must have iss and sub both equal to the client_id', false);
  const formClientId = form.get('client_id');
  if (formClientId !== null && formClientId !== iss) throw oauth.invalidClient(`client_id "${formClientId}" differs from the client assertion's iss "${iss}"`, false);
  const client = findActiveClient(ctx.store, iss, false);
  const check = await verifyAppAssertion(ctx, client, assertion, 'the client assertion');
  if (!check.ok) throw oauth.invalidClient(check.reason, false);
  return client;
}
