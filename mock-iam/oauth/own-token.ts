/** Is this an access token this identity domain issued and still honours? */
import type { IamContext } from '../iam-context.js';
import { verifyOwnSignature } from './token-signer.js';

export type AccessTokenCheck = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

export function checkOwnAccessToken(ctx: Pick<IamContext, 'keys' | 'clock' | 'store' | 'issuer'>, token: string): AccessTokenCheck {
  const signed = verifyOwnSignature(ctx.keys, token);
  if (!signed.ok) return signed;
  const { claims } = signed;
  if (claims.iss !== ctx.issuer) return { ok: false, reason: `iss "${String(claims.iss)}" is not this identity domain's issuer "${ctx.issuer}"` };
  if (claims.tok_type !== 'AT') return { ok: false, reason: `tok_type "${String(claims.tok_type)}" is not an access token (AT)` };
  if (typeof claims.exp !== 'number' || claims.exp <= ctx.clock.nowSeconds()) return { ok: false, reason: `the access token expired at ${new Date(Number(claims.exp) * 1000).toISOString()}` };
  if (typeof claims.jti === 'string' && ctx.store.isRevoked(claims.jti)) return { ok: false, reason: 'the access token was revoked' };
  return { ok: true, claims };
}

/** The token of an `Authorization: Bearer` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}
