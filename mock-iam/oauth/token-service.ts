/** Builds, signs and records the tokens of a resolved grant: the token endpoint's response body. */
import { randomBytes } from 'node:crypto';
import type { IamContext } from '../iam-context.js';
import { accessTokenClaims, idTokenClaims, SESSION_MINUTES, type TokenSubject } from './claims.js';
import { signJwt } from './token-signer.js';

/** The token response as IDCS sends it: no `scope` member (reference §1.4). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
}

export async function issueTokens(ctx: IamContext, subject: TokenSubject): Promise<TokenResponse> {
  const iat = ctx.clock.nowSeconds();
  const key = ctx.keys.active;
  const accessToken = await signJwt(key, accessTokenClaims(ctx, subject, iat));
  const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: subject.scope.expiresIn };
  if (subject.scope.offline) {
    const refreshToken = `AQAg${randomBytes(48).toString('base64url')}`;
    ctx.store.saveRefreshToken(refreshToken, {
      clientId: subject.client.name,
      userId: subject.user?.id,
      scope: subject.scope.requested,
      expiresAt: iat + (subject.client.refreshTokenExpiry ?? ctx.refreshTokenExpiry),
      authTime: subject.authTime,
      sessionId: subject.sessionId,
    });
    response.refresh_token = refreshToken;
  }
  // The ID token lives as long as the SSO session; a refresh after the session ended gets none.
  if (subject.scope.idToken && subject.user && (subject.authTime ?? iat) + SESSION_MINUTES * 60 > iat) {
    response.id_token = await signJwt(key, idTokenClaims(ctx, { ...subject, user: subject.user }, iat, accessToken));
  }
  return response;
}
