import type { GrantHandler } from './grant-handler.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { jwtBearerGrant } from './jwt-bearer.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';

/** The grants the token endpoint serves, keyed by `grant_type`. */
export const GRANT_HANDLERS: ReadonlyMap<string, GrantHandler> = new Map(
  [clientCredentialsGrant, passwordGrant, refreshTokenGrant, jwtBearerGrant].map((h) => [h.grantType, h]),
);
