/**
 * `urn:ietf:params:oauth:grant-type:jwt-bearer` with a user assertion (RFC 7523, IDCS "JWT
 * assertion"): the client signs a JWT whose `sub` is the user name with the key of a certificate
 * imported into the app, and gets a user token without the user's password.
 */
import { oauth } from '../../../common/errors.js';
import { verifyAppAssertion } from '../app-assertion.js';
import { activeUser, requireParam, userSignIn, type GrantHandler } from './grant-handler.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const jwtBearerGrant: GrantHandler = {
  grantType: JWT_BEARER,
  gtp: 'jwt',
  async resolve(ctx, client, form) {
    const assertion = requireParam(form, 'assertion', this.grantType);
    const check = await verifyAppAssertion(ctx, client, assertion, 'the user assertion');
    if (!check.ok) throw oauth.invalidGrant(check.reason);
    if (check.claims.iss !== client.name) throw oauth.invalidGrant(`the user assertion's iss "${String(check.claims.iss)}" is not the client_id "${client.name}"`);
    const user = activeUser(ctx, String(check.claims.sub), oauth.invalidGrant);
    return userSignIn(ctx, client, user, form, this.gtp);
  },
};
