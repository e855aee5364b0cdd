/** `password` (resource owner password credentials): a user token for a trusted client. */
import { OAuthError } from '../../../common/errors.js';
import { passwordMatches } from '../../store.js';
import { activeUser, requireParam, userSignIn, type GrantHandler } from './grant-handler.js';

const badCredentials = (reason: string) => new OAuthError('invalid_grant', 'Invalid username or password.', 400, reason);

export const passwordGrant: GrantHandler = {
  grantType: 'password',
  gtp: 'ro',
  async resolve(ctx, client, form) {
    const userName = requireParam(form, 'username', this.grantType);
    const password = requireParam(form, 'password', this.grantType);
    const user = activeUser(ctx, userName, badCredentials);
    if (!user.passwordHash) throw badCredentials(`user "${user.userName}" has no password set (PUT /admin/v1/UserPasswordChanger/${user.id})`);
    if (!passwordMatches(password, user.passwordHash)) throw badCredentials(`wrong password for user "${user.userName}"`);
    return userSignIn(ctx, client, user, form, this.gtp);
  },
};
