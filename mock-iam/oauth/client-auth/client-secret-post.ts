/** `client_secret_post`: `client_id` and `client_secret` as form fields. */
import { oauth } from '../../../common/errors.js';

export function readPostCredentials(form: URLSearchParams): { clientId: string; clientSecret: string } {
  const clientId = form.get('client_id');
  if (!clientId) throw oauth.invalidClient('client_secret was sent without client_id', false);
  return { clientId, clientSecret: form.get('client_secret') ?? '' };
}
