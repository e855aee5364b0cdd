/**
 * JWTs an app signs with the private key of a certificate imported into it (App `certificates`):
 * client assertions (`private_key_jwt`) and user assertions (the jwt-bearer grant). The header's
 * `kid` names the certificate alias, or `x5t` its thumbprint (reference §1.2).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, decodeProtectedHeader, type JWTPayload } from 'jose';
import type { IamContext } from '../iam-context.js';
import type { App } from '../store.js';

interface CertificateKey {
  alias: string;
  x5t: string;
  key: KeyObject;
}

const certificateKeys = new WeakMap<App['certificates'][number], CertificateKey>();

function certificateKey(cert: App['certificates'][number]): CertificateKey {
  let found = certificateKeys.get(cert);
  if (!found) {
    const body = cert.x509Base64Certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    found = {
      alias: cert.certAlias,
      x5t: createHash('sha1').update(Buffer.from(body, 'base64')).digest('base64url'),
      key: createPublicKey(pem),
    };
    certificateKeys.set(cert, found);
  }
  return found;
}

/** The audiences an assertion to this IAM may name: the issuer and the domain's own URLs. */
export function assertionAudiences(ctx: Pick<IamContext, 'issuer' | 'baseUrl' | 'identity'>): string[] {
  const bases = [ctx.baseUrl, ctx.identity.domainUrl];
  return [...new Set([ctx.issuer, ...bases, ...bases.map((b) => `${b}/`), ...bases.map((b) => `${b}/oauth2/v1/token`)])];
}

export type AssertionCheck = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

export async function verifyAppAssertion(
  ctx: Pick<IamContext, 'issuer' | 'baseUrl' | 'identity' | 'clock'>,
  app: App,
  assertion: string,
  what: string,
): Promise<AssertionCheck> {
  let header;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return { ok: false, reason: `${what} is not a JWT` };
  }
  if (app.certificates.length === 0) return { ok: false, reason: `app "${app.name}" has no certificate to verify the ${what} with` };
  const keys = app.certificates.map(certificateKey);
  const candidates = header.kid ? keys.filter((k) => k.alias === header.kid) : header.x5t ? keys.filter((k) => k.x5t === header.x5t) : keys;
  if (candidates.length === 0) {
    return { ok: false, reason: `${what} names ${header.kid ? `kid "${header.kid}"` : `x5t "${header.x5t}"`}, which is no certificate alias of app "${app.name}"` };
  }
  let lastReason = '';
  for (const candidate of candidates) {
    try {
      const { payload } = await jwtVerify(assertion, candidate.key, {
        algorithms: ['RS256'],
        audience: assertionAudiences(ctx),
        currentDate: new Date(ctx.clock.nowMs()),
        requiredClaims: ['exp', 'sub', 'iss'],
      });
      return { ok: true, claims: payload };
    } catch (err) {
      lastReason =
        err instanceof joseErrors.JWTClaimValidationFailed
          ? `${what}: claim "${err.claim}" ${err.reason === 'check_failed' ? 'has the wrong value' : err.reason}${err.claim === 'aud' ? ` (expected one of ${assertionAudiences(ctx).join(', ')})` : ''}`
          : err instanceof joseErrors.JWTExpired
            ? `${what} has expired`
            : err instanceof joseErrors.JWSSignatureVerificationFailed
              ? `${what}: the signature does not verify with certificate "${candidate.alias}"`
              : `${what}: ${(err as Error).message}`;
    }
  }
  return { ok: false, reason: lastReason };
}
