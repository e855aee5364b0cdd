/**
 * tools/token-inspection.ts (shared by the CLI and the web console): decoding, claim meanings,
 * dates with relative text, and the signature checked with jose against a JWKS object or URL —
 * including IDCS's JWKS, whose `key_ops: ["verify","encrypt"]` WebCrypto refuses as it is.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_CLAIM_MEANING, decodeCompactJws, formatDuration, inspectToken, relativeTime } from '../../tools/token-inspection.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const iat = NOW.getTime() / 1000 - 60;

let jwks: { keys: Array<Record<string, unknown>> };
let otherJwks: { keys: Array<Record<string, unknown>> };
let token: string;
let server: Server;
let jwksUrl: string;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  // As IDCS publishes it: key_ops verify+encrypt, use sig, a kid.
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'SIGNING_KEY', use: 'sig', key_ops: ['verify', 'encrypt'] }] };
  otherJwks = { keys: [{ ...(await exportJWK(other.publicKey)), kid: 'SIGNING_KEY' }] };
  token = await new SignJWT({ scope: 'AnwendungReadA AnwendungWriteA', sub_type: 'client', client_id: 'usecase1_client', APIGWMichael4: 'Api1Access', tok_type: 'AT' })
    .setProtectedHeader({ alg: 'RS256', kid: 'SIGNING_KEY', x5t: 'abc' })
    .setIssuer('https://identity.oraclecloud.com/')
    .setSubject('usecase1_client')
    .setAudience('anwendung1')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
  server = createServer((req, res) => {
    if (req.url === '/jwk') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 401;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwk`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('inspectToken', () => {
  it('decodes header and claims, explains IDCS claims, marks unknown ones as custom, dates with relative text', async () => {
    const inspection = await inspectToken(token, { now: NOW });
    expect(inspection.header).toEqual({ alg: 'RS256', kid: 'SIGNING_KEY', x5t: 'abc' });
    expect(inspection.claims.scope).toBe('AnwendungReadA AnwendungWriteA');
    const line = (name: string) => inspection.claimLines.find((l) => l.name === name)!;
    expect(line('iss').meaning).toMatch(/trailing slash/);
    expect(line('scope').meaning).toMatch(/verifyClaims on 'scope' compares this whole string/);
    expect(line('aud').meaning).toMatch(/audience/);
    expect(line('APIGWMichael4')).toEqual({ name: 'APIGWMichael4', value: 'Api1Access', meaning: CUSTOM_CLAIM_MEANING });
    expect(line('exp').time).toEqual({ iso: '2025-03-01T12:59:00.000Z', relative: 'expires in 59 min' });
    expect(line('iat').time).toEqual({ iso: '2025-03-01T11:59:00.000Z', relative: '1 min ago' });
    expect(line('sub').time).toBeUndefined();
    expect(inspection.headerLines.map((l) => l.name)).toEqual(['alg', 'kid', 'x5t']);
    expect(inspection.headerLines[1]!.meaning).toMatch(/key id/);
    expect(inspection.signature).toEqual({ checked: false, reason: 'no JWKS given' });
    // An hour later the same token reads as expired.
    const later = await inspectToken(token, { now: new Date(NOW.getTime() + 3_600_000) });
    expect(later.claimLines.find((l) => l.name === 'exp')!.time!.relative).toBe('expired 1 min ago');
  });

  it("checks the signature against a JWKS object (IDCS's key_ops included) and a JWKS URL", async () => {
    const byObject = await inspectToken(token, { jwks });
    expect(byObject.signature).toMatchObject({ checked: true, valid: true, kid: 'SIGNING_KEY' });
    expect(byObject.signature.reason).toBe('RS256 signature verified with the key "SIGNING_KEY" of the JWKS given');
    const byUrl = await inspectToken(token, { jwks: jwksUrl });
    expect(byUrl.signature).toEqual({ checked: true, valid: true, kid: 'SIGNING_KEY', reason: `RS256 signature verified with the key "SIGNING_KEY" of the JWKS at ${jwksUrl}` });
    // The JWKS is left as it was given.
    expect(jwks.keys[0]!.key_ops).toEqual(['verify', 'encrypt']);
  });

  it('an altered token, another key, an unknown kid or an alg the gateway refuses: checked and invalid', async () => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'AnwendungReadA' })).toString('base64url');
    const altered = await inspectToken(`${h}.${forgedClaims}.${s}`, { jwks });
    expect(altered.signature).toMatchObject({ checked: true, valid: false });
    expect(altered.signature.reason).toMatch(/does not verify .* the token was altered, or signed by another key/);
    expect((await inspectToken(token, { jwks: otherJwks })).signature).toMatchObject({ checked: true, valid: false });
    const noKid = await inspectToken(token, { jwks: { keys: [{ ...jwks.keys[0]!, kid: 'OTHER' }] } });
    expect(noKid.signature).toMatchObject({ checked: true, valid: false });
    expect(noKid.signature.reason).toContain('has no RS256 key with kid "SIGNING_KEY" (it has "OTHER")');
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${p}.${s}`;
    expect((await inspectToken(hs, { jwks })).signature).toEqual({ checked: true, valid: false, reason: 'the token\'s alg is "HS256"; OCI API Gateway accepts only RS256, RS384, RS512' });
  });

  it('a JWKS URL that fails leaves the signature unchecked, with the reason', async () => {
    const refused = await inspectToken(token, { jwks: jwksUrl.replace('/jwk', '/private') });
    expect(refused.signature.checked).toBe(false);
    expect(refused.signature.reason).toContain('answered HTTP 401 (the identity domain does not publish it without a token');
  });

  it('refuses anything but a compact JWS with a clear error; a pasted "Bearer ..." is fine', async () => {
    await expect(inspectToken('')).rejects.toThrow('not a JWT: the input is empty');
    await expect(inspectToken('abc')).rejects.toThrow('this has 1 part');
    await expect(inspectToken('a.b.c.d.e')).rejects.toThrow(/encrypted token \(JWE\)/);
    await expect(inspectToken('a!.b.c')).rejects.toThrow('the header (first part) is not base64url text');
    await expect(inspectToken(`${Buffer.from('[1]').toString('base64url')}.e30.c`)).rejects.toThrow('the header (first part) is not a JSON object');
    await expect(inspectToken('e30.bm90IGpzb24.c')).rejects.toThrow('the claims (second part) does not decode to JSON');
    expect(decodeCompactJws(`Bearer ${token}\n`).claims.sub).toBe('usecase1_client');
  });
});

describe('times', () => {
  it('durations and relative phrases', () => {
    expect(formatDuration(59_999)).toBe('59 s');
    expect(formatDuration(3_599_000)).toBe('59 min');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 days');
    expect(relativeTime('exp', 10_000, 0)).toBe('expires in 10 s');
    expect(relativeTime('exp', 0, 180_000)).toBe('expired 3 min ago');
    expect(relativeTime('nbf', 60_000, 0)).toBe('not valid for another 1 min');
    expect(relativeTime('iat', 0, 120_000)).toBe('2 min ago');
    expect(relativeTime('auth_time', 0, 0)).toBe('now');
  });
});
