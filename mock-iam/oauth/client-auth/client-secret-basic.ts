/**
 * `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`.
 * IDCS's docs tell callers to URL-encode both parts first (RFC 6749 §2.3.1), so a secret with
 * `+`, `=` or `:` survives; we decode them as form values (`+` is a space).
 */
import { oauth } from '../../../common/errors.js';
import type { IamStore, App } from '../../store.js';
import { secretsEqual } from '../../store.js';
import { findActiveClient } from './find-client.js';

function formDecode(text: string, part: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw oauth.invalidClient(`the ${part} in the Basic credentials is not valid URL encoding`, true);
  }
}

export function readBasicCredentials(authorization: string): { clientId: string; clientSecret: string } {
  const encoded = authorization.replace(/^basic\s+/i, '').trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw oauth.invalidClient('the Basic credentials are not base64', true);
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw oauth.invalidClient('the Basic credentials have no ":" between client id and secret', true);
  return { clientId: formDecode(decoded.slice(0, colon), 'client id'), clientSecret: formDecode(decoded.slice(colon + 1), 'client secret') };
}

/** Shared by Basic and post: the client exists, is an active OAuth client, and the secret matches. */
export function checkClientSecret(store: Pick<IamStore, 'appByClientId'>, clientId: string, secret: string, usedBasic: boolean): App {
  const client = findActiveClient(store, clientId, usedBasic);
  if (!client.clientSecret) throw oauth.invalidClient(`client "${clientId}" has no secret; authenticate with a client assertion`, usedBasic);
  if (!secretsEqual(secret, client.clientSecret)) throw oauth.invalidClient(`wrong client secret for client "${clientId}"`, usedBasic);
  return client;
}
