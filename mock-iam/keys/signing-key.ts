/**
 * One IDCS signing key: an RSA-2048 key pair with a self-signed X.509 certificate, and the views
 * IDCS derives from it (the JWK of `/admin/v1/SigningCert/jwk`, the JWT header of its tokens).
 *
 * node-forge makes the certificate only (Node has no X.509 builder); signing tokens uses
 * node:crypto with a cached KeyObject (see token-signer.ts).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateRsa = promisify(generateKeyPair);

/** What the key file keeps of a key. */
export interface StoredSigningKey {
  kid: string;
  privateKeyPem: string;
  certificatePem: string;
  createdAt: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Base64 DER of the certificate, as JWK `x5c` carries it. */
  readonly certificateDer: string;
  /** base64url SHA-1 and SHA-256 thumbprints of the certificate DER. */
  readonly x5t: string;
  readonly x5tS256: string;
  readonly stored: StoredSigningKey;
}

/** The JWK of one key in IDCS's shape: no `use`, `key_ops` (unless configured away), thumbprints and chain. */
export interface IdcsJwk {
  'x5t#S256': string;
  x5t: string;
  key_ops?: string[];
  e: string;
  kty: 'RSA';
  x5c: string[];
  alg: 'RS256';
  kid: string;
  n: string;
}

export async function generateSigningKey(kid: string, commonName: string, now: Date): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = `01${Buffer.from(kid).toString('hex').slice(0, 30)}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  // IDCS signing certificates are long-lived; ten years keeps ours valid for any test run.
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'oci-auth-harness' },
    { name: 'organizationalUnitName', value: kid },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return signingKeyFromStored({ kid, privateKeyPem, certificatePem: forge.pki.certificateToPem(cert), createdAt: now.toISOString() });
}

export function signingKeyFromStored(stored: StoredSigningKey): SigningKey {
  const privateKey = createPrivateKey(stored.privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const der = Buffer.from(
    stored.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
  const certKey = createPublicKey({ key: stored.certificatePem, format: 'pem' });
  if (!certKey.equals(publicKey)) throw new Error(`signing key ${stored.kid}: the certificate does not belong to the private key`);
  return {
    kid: stored.kid,
    createdAt: stored.createdAt,
    privateKey,
    publicKey,
    certificateDer: der.toString('base64'),
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    stored,
  };
}

export function toIdcsJwk(key: SigningKey, keyOps: ReadonlyArray<string>): IdcsJwk {
  const jwk = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  // Member order and key_ops follow a published IDCS JWKS response (spring-security#8988).
  return {
    'x5t#S256': key.x5tS256,
    x5t: key.x5t,
    ...(keyOps.length ? { key_ops: [...keyOps] } : {}),
    e: jwk.e,
    kty: 'RSA',
    x5c: [key.certificateDer],
    alg: 'RS256',
    kid: key.kid,
    n: jwk.n,
  };
}
