/**
 * One handler per grant type behind one interface (navikt/mock-oauth2-server's design): a handler
 * turns an authenticated client and the token request's form into the subject of the tokens;
 * token-service.ts builds and signs them.
 */
import { randomBytes } from 'node:crypto';
import { oauth } from '../../../common/errors.js';
import type { IamContext } from '../../iam-context.js';
import type { App, User } from '../../store.js';
import type { GrantShortName, TokenSubject } from '../claims.js';
import { resolveScopes, splitScope } from '../scopes.js';

export interface GrantHandler {
  /** The `grant_type` form value, as in the App's `allowedGrants`. */
  readonly grantType: string;
  readonly gtp: GrantShortName;
  resolve(ctx: IamContext, client: App, form: URLSearchParams): Promise<TokenSubject>;
}

/** A required form parameter, or `invalid_request` naming it. */
export function requireParam(form: URLSearchParams, name: string, grantType: string): string {
  const value = form.get(name);
  if (value === null || value === '') throw oauth.invalidRequest(`${name} is required for grant_type ${grantType}`);
  return value;
}

/** A user who may get tokens: exists and is active. */
export function activeUser(ctx: Pick<IamContext, 'store'>, userName: string, failure: (reason: string) => Error): User {
  const user = ctx.store.userByName(userName);
  if (!user) throw failure(`no user "${userName}"`);
  if (!user.active) throw failure(`user "${userName}" is deactivated`);
  return user;
}

/** The subject of a fresh user sign-in: a new SSO session that starts now. */
export function userSignIn(ctx: IamContext, client: App, user: User, form: URLSearchParams, gtp: GrantShortName): TokenSubject {
  return {
    client,
    user,
    scope: resolveScopes(ctx, client, user, splitScope(form.get('scope'))),
    gtp,
    authTime: ctx.clock.nowSeconds(),
    sessionId: randomBytes(16).toString('hex'),
  };
}
