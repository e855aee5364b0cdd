/** An OCI API signing key pair made for a test, with its fingerprint and keyId as OCI forms them. */
import { createHash, generateKeyPairSync } from 'node:crypto';

export interface TestApiKey {
  privateKeyPem: string;
  publicKeyPem: string;
  /** MD5 of the DER public key, colon-separated hex (what `~/.oci/config` holds). */
  fingerprint: string;
  /** `<tenancy>/<user>/<fingerprint>`, as in the Signature header and the stack config's `ociApiKeys`. */
  keyId: string;
}

export function makeApiKey(tenancy: string, user: string): TestApiKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').match(/../g)!.join(':');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    fingerprint,
    keyId: `${tenancy}/${user}/${fingerprint}`,
  };
}
