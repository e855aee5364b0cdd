/**
 * The OCI request-signature verifier against what oci-common's own signer produces: first requests
 * signed in-process with `DefaultRequestSigner`, then every refusal, then what the real
 * oci-identitydomains / oci-apigateway clients put on the wire.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as common from 'oci-common';
import * as apigateway from 'oci-apigateway';
import * as identitydomains from 'oci-identitydomains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ociApiKeyMap, parseStackConfig } from '../../common/config.js';
import {
  EMPTY_BODY_SHA256,
  isOciSignature,
  ociKeyFingerprint,
  parseSignatureHeader,
  verifyOciSignature,
  type OciApiKey,
  type SignedRequestParts,
} from '../../common/oci-signature.js';

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaatenancy';
const USER = 'ocid1.user.oc1..aaaaaaaauser';
/** The instant the in-process requests are dated, so skews are exact. */
const NOW = Date.parse('Tue, 10 Mar 2026 12:00:00 GMT');
const NOW_HTTP = new Date(NOW).toUTCString();

interface TestKey {
  privateKeyPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
  keyId: string;
}

/** A key pair with its fingerprint computed as OCI documents it: `openssl rsa -pubout -outform DER | openssl md5 -c`. */
function makeKey(user = USER, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const md5 = createHash('md5').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  const fingerprint = md5.match(/../g)!.join(':');
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    fingerprint,
    keyId: `${TENANCY}/${user}/${fingerprint}`,
  };
}

function provider(key: TestKey, user = USER): common.SimpleAuthenticationDetailsProvider {
  return new common.SimpleAuthenticationDetailsProvider(TENANCY, user, key.fingerprint, key.privateKeyPem, null, common.Region.US_ASHBURN_1);
}

const key = makeKey();
const otherKey = makeKey();
const keys = new Map<string, OciApiKey>([[key.keyId, { keyId: key.keyId, publicKey: key.publicKey }]]);

/** Node's view of a fetch Headers object: lower-case names. */
function nodeHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

/**
 * Signs a request with oci-common's DefaultRequestSigner exactly as FetchHttpClient does, and returns
 * it as the server sees it: the target as WHATWG URL (fetch) writes it, node's lower-case headers.
 */
async function sdkSigned(method: common.Method, uri: string, body?: string, signingKey: TestKey = key, xDate: string | null = NOW_HTTP): Promise<SignedRequestParts> {
  const headers = new Headers({ 'content-type': 'application/json', 'opc-request-id': 'REQ1' });
  if (xDate) headers.set('x-date', xDate);
  await new common.DefaultRequestSigner(provider(signingKey)).signHttpRequest({ method, uri, headers, body });
  const url = new URL(uri);
  return { method, target: url.pathname + url.search, headers: nodeHeaders(headers), body: body === undefined ? undefined : Buffer.from(body, 'utf8') };
}

/** A hand-made signature over whatever header list a test wants (the SDK never makes a bad one). */
function handSigned(
  parts: Omit<SignedRequestParts, 'headers'> & { headers: Record<string, string> },
  headerList: string[],
  opts: { signingKey?: TestKey; keyId?: string; algorithm?: string; version?: string } = {},
): SignedRequestParts {
  const signingKey = opts.signingKey ?? key;
  const text = headerList
    .map((h) => (h === '(request-target)' ? `(request-target): ${parts.method.toLowerCase()} ${parts.target}` : `${h}: ${parts.headers[h]}`))
    .join('\n');
  const signature = cryptoSign('sha256', Buffer.from(text), signingKey.privateKey).toString('base64');
  const authorization =
    `Signature version="${opts.version ?? '1'}",keyId="${opts.keyId ?? signingKey.keyId}",algorithm="${opts.algorithm ?? 'rsa-sha256'}",` +
    `headers="${headerList.join(' ')}",signature="${signature}"`;
  return { ...parts, headers: { ...parts.headers, authorization } };
}

function withAuthorization(parts: SignedRequestParts, authorization: string | undefined): SignedRequestParts {
  return { ...parts, headers: { ...parts.headers, authorization } };
}

function reasonOf(parts: SignedRequestParts, nowMs = NOW, lookup: Parameters<typeof verifyOciSignature>[1] = keys): string {
  const result = verifyOciSignature(parts, lookup, nowMs);
  if (result.ok) throw new Error('expected a refusal, the request verified');
  expect(result.status).toBe(401);
  return result.reason;
}

const JSON_BODY = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjørn@example.com', name: { familyName: 'Ødegård' } });

describe('verifyOciSignature: requests signed by oci-common DefaultRequestSigner verify', () => {
  it('computes the fingerprint as OCI does', () => {
    expect(ociKeyFingerprint(key.publicKey)).toBe(key.fingerprint);
    expect(key.fingerprint).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
  });

  it('GET: signs x-date (request-target) host, and verifies', async () => {
    const req = await sdkSigned('GET', 'https://idcs-x.identity.oraclecloud.com/admin/v1/Users/abc?attributes=userName,emails&count=5');
    expect(req.headers.authorization).toMatch(/^Signature version="1",keyId="[^"]+",algorithm="rsa-sha256",headers="x-date \(request-target\) host",signature="[A-Za-z0-9+/=]+"$/);
    expect(req.headers.date).toBeDefined(); // sent, but not signed
    expect(verifyOciSignature(req, keys, NOW)).toEqual({ ok: true, keyId: key.keyId, tenancyId: TENANCY, userId: USER });
  });

  it('POST with a JSON body (non-ASCII): also signs Content-Type Content-Length x-content-sha256', async () => {
    const req = await sdkSigned('POST', 'https://idcs-x.identity.oraclecloud.com/admin/v1/Users', JSON_BODY);
    expect(req.headers.authorization).toContain('headers="x-date (request-target) host Content-Type Content-Length x-content-sha256"');
    expect(req.headers['content-length']).toBe(String(Buffer.byteLength(JSON_BODY)));
    expect(req.headers['x-content-sha256']).toBe(createHash('sha256').update(JSON_BODY).digest('base64'));
    expect(verifyOciSignature(req, keys, NOW)).toMatchObject({ ok: true });
  });

  it('POST without a body: the body headers are signed over the empty body', async () => {
    const req = await sdkSigned('POST', 'https://apigateway.us-ashburn-1.oci.oraclecloud.com/20190501/gateways/x/actions/changeCompartment');
    expect(req.headers['x-content-sha256']).toBe(EMPTY_BODY_SHA256);
    expect(req.headers['content-length']).toBe('0');
    expect(verifyOciSignature(req, keys, NOW)).toMatchObject({ ok: true });
    expect(verifyOciSignature({ ...req, body: Buffer.alloc(0) }, keys, NOW)).toMatchObject({ ok: true });
  });

  it('PUT and PATCH verify with the body headers; DELETE without them', async () => {
    const put = await sdkSigned('PUT', 'https://h.example/20190501/gateways/ocid1.apigateway.oc1..x', '{"displayName":"g"}');
    const patch = await sdkSigned('PATCH', 'https://h.example/admin/v1/Users/abc', '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}');
    const del = await sdkSigned('DELETE', 'https://h.example/admin/v1/Users/abc?forceDelete=true');
    expect(put.headers.authorization).toContain('Content-Length x-content-sha256"');
    expect(patch.headers.authorization).toContain('Content-Length x-content-sha256"');
    expect(del.headers.authorization).toContain('headers="x-date (request-target) host"');
    for (const req of [put, patch, del]) expect(verifyOciSignature(req, keys, NOW)).toMatchObject({ ok: true, userId: USER });
  });

  it('takes the keys as a lookup function too', async () => {
    const req = await sdkSigned('GET', 'https://h.example/admin/v1/Users');
    expect(verifyOciSignature(req, (id) => (id === key.keyId ? keys.get(id) : undefined), NOW)).toMatchObject({ ok: true });
  });

  it('accepts a date up to 300 s either way, by default and with another maxSkewSeconds', async () => {
    const req = await sdkSigned('GET', 'https://h.example/admin/v1/Users');
    expect(verifyOciSignature(req, keys, NOW + 300_000)).toMatchObject({ ok: true });
    expect(verifyOciSignature(req, keys, NOW - 300_000)).toMatchObject({ ok: true });
    expect(verifyOciSignature(req, keys, NOW + 60_000, { maxSkewSeconds: 30 })).toMatchObject({ ok: false, reason: expect.stringContaining('OCI allows 30 s') });
  });

  it('verifies a target the SDK signed as url.parse writes it and fetch sent as WHATWG URL does', async () => {
    // | { } ^ ` ' are escaped by url.parse only; non-ASCII in a raw query is escaped by WHATWG only.
    const req = await sdkSigned('GET', "https://h.example/admin/v1/Users/o'neil?filter=userName eq \"bjørn|b{c}^`d'€\"&count=2");
    expect(req.target).toBe("/admin/v1/Users/o'neil?filter=userName%20eq%20%22bj%C3%B8rn|b{c}^`d%27%E2%82%AC%22&count=2");
    expect(verifyOciSignature(req, keys, NOW)).toMatchObject({ ok: true });
    // A path param the SDK encoded itself stays encoded in both writings.
    const encoded = await sdkSigned('GET', `https://h.example/admin/v1/Users/${encodeURIComponent('bjørn €')}?attributes=userName`);
    expect(verifyOciSignature(encoded, keys, NOW)).toMatchObject({ ok: true });
  });

  it('parses parameters in any order, with whitespace, unknown ones and commas inside quotes', async () => {
    const req = await sdkSigned('GET', 'https://h.example/admin/v1/Users');
    const params = parseSignatureHeader(req.headers.authorization as string);
    if (typeof params === 'string') throw new Error(params);
    const reordered =
      `Signature  signature = "${params.get('signature')}" , headers="${params.get('headers')}",comment="a, b, \\",` +
      `algorithm="rsa-sha256",keyId="${params.get('keyId')}",version="1"`;
    expect(verifyOciSignature(withAuthorization(req, reordered), keys, NOW)).toMatchObject({ ok: true });
    expect(parseSignatureHeader(reordered)).toBeInstanceOf(Map);
    expect((parseSignatureHeader(reordered) as Map<string, string>).get('comment')).toBe('a, b, \\');
  });

  it('takes node headersDistinct arrays, joining repeated values', async () => {
    const req = await sdkSigned('GET', 'https://h.example/admin/v1/Users');
    const distinct = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, [v as string]]));
    expect(verifyOciSignature({ ...req, headers: distinct }, keys, NOW)).toMatchObject({ ok: true });
  });
});

describe('verifyOciSignature: refusals, each with its reason', () => {
  let get: SignedRequestParts;
  let post: SignedRequestParts;
  beforeAll(async () => {
    get = await sdkSigned('GET', 'https://h.example/admin/v1/Users/abc?attributes=userName');
    post = await sdkSigned('POST', 'https://h.example/admin/v1/Users', JSON_BODY);
  });

  it('unknown keyId', async () => {
    expect(reasonOf(get, NOW, new Map())).toBe(`unknown keyId "${key.keyId}"`);
  });

  it('a keyId that is not tenancy/user/fingerprint, and a security token', () => {
    expect(reasonOf(withAuthorization(get, String(get.headers.authorization).replace(/keyId="[^"]+"/, 'keyId="just-a-key"')))).toBe(
      'keyId "just-a-key" is not <tenancy OCID>/<user OCID>/<fingerprint>',
    );
    expect(reasonOf(withAuthorization(get, String(get.headers.authorization).replace(/keyId="[^"]+"/, 'keyId="ST$eyJhbGciOi"')))).toMatch(/security token/);
  });

  it('tampered body: x-content-sha256 no longer matches', () => {
    const tampered = { ...post, body: Buffer.from(JSON_BODY.replace('bjørn', 'admin')) };
    expect(reasonOf(tampered)).toMatch(/^x-content-sha256 does not match the body \(\d+ bytes, SHA-256 [A-Za-z0-9+/=]+\)$/);
  });

  it('tampered body with a recomputed x-content-sha256: the signature fails', () => {
    const body = Buffer.from(JSON_BODY.replace('bjørn', 'admin!'));
    const tampered = { ...post, body, headers: { ...post.headers, 'x-content-sha256': createHash('sha256').update(body).digest('base64') } };
    expect(reasonOf(tampered)).toMatch(new RegExp(`^the signature does not verify with key "${key.keyId}" \\(signing string: `));
  });

  it('tampered path, query or method', () => {
    for (const target of ['/admin/v1/Users/abd?attributes=userName', '/admin/v1/Users/abc?attributes=password', '/admin/v1/Users/abc']) {
      expect(reasonOf({ ...get, target })).toMatch(/^the signature does not verify with key /);
    }
    expect(reasonOf({ ...get, method: 'DELETE' })).toMatch(/^the signature does not verify with key /);
  });

  it('a signed header missing from the request', () => {
    const { host: _host, ...rest } = get.headers;
    expect(reasonOf({ ...get, headers: rest })).toBe('header "host" is signed but not in the request');
  });

  it('a required header left out of the signature', () => {
    const noSha = handSigned({ ...post, headers: post.headers as Record<string, string> }, ['x-date', '(request-target)', 'host', 'content-type', 'content-length']);
    expect(reasonOf(noSha)).toBe('header "x-content-sha256" is not signed (POST requests must sign (request-target), host, x-content-sha256, content-type, content-length and date or x-date)');
    const noHost = handSigned({ ...get, headers: get.headers as Record<string, string> }, ['x-date', '(request-target)']);
    expect(reasonOf(noHost)).toMatch(/^header "host" is not signed/);
    const noTarget = handSigned({ ...get, headers: get.headers as Record<string, string> }, ['x-date', 'host']);
    expect(reasonOf(noTarget)).toMatch(/^header "\(request-target\)" is not signed/);
    const noDate = handSigned({ ...get, headers: get.headers as Record<string, string> }, ['(request-target)', 'host']);
    expect(reasonOf(noDate)).toBe('neither date nor x-date is signed');
  });

  it('a hand-made signature over date instead of x-date verifies; the date is what is checked', () => {
    const headers = { host: 'h.example', date: NOW_HTTP };
    const req = handSigned({ method: 'GET', target: '/x', headers, body: undefined }, ['date', '(request-target)', 'host']);
    expect(verifyOciSignature(req, keys, NOW)).toMatchObject({ ok: true });
    expect(reasonOf(req, NOW + 400_000)).toBe('date is 400 s away from now (in the past; OCI allows 300 s)');
  });

  it('content-length that does not match the body', () => {
    const body = Buffer.from('{"a":1}');
    const headers = {
      host: 'h.example',
      'x-date': NOW_HTTP,
      'content-type': 'application/json',
      'content-length': '99',
      'x-content-sha256': createHash('sha256').update(body).digest('base64'),
    };
    const req = handSigned({ method: 'PUT', target: '/x', headers, body }, ['x-date', '(request-target)', 'host', 'content-type', 'content-length', 'x-content-sha256']);
    expect(reasonOf(req)).toBe('content-length "99" does not match the body (7 bytes)');
  });

  it('wrong algorithm, wrong or missing version', () => {
    const auth = String(get.headers.authorization);
    expect(reasonOf(withAuthorization(get, auth.replace('rsa-sha256', 'hmac-sha256')))).toBe('algorithm "hmac-sha256" is not supported; OCI signs with "rsa-sha256"');
    expect(reasonOf(withAuthorization(get, auth.replace('version="1"', 'version="2"')))).toBe('version "2" is not supported; OCI signatures are version="1"');
    expect(reasonOf(withAuthorization(get, auth.replace('version="1",', '')))).toBe('the Signature has no version="…" parameter');
  });

  it('bad base64 and a signature of the wrong length', () => {
    const auth = String(get.headers.authorization);
    expect(reasonOf(withAuthorization(get, auth.replace(/signature="[^"]+"/, 'signature="not*base64!"')))).toBe('signature is not base64');
    expect(reasonOf(withAuthorization(get, auth.replace(/signature="[^"]+"/, 'signature="AAAA"')))).toBe(
      `the signature is 3 bytes, an RSA-SHA256 signature with key "${key.keyId}" is 256`,
    );
    expect(reasonOf(withAuthorization(get, auth.replace(/signature="[^"]+"/, 'signature=""')))).toBe('signature is not base64');
  });

  it('a stale, a future and a malformed date', async () => {
    expect(reasonOf(get, NOW + 612_000)).toBe('x-date is 612 s away from now (in the past; OCI allows 300 s)');
    expect(reasonOf(get, NOW - 301_000)).toBe('x-date is 301 s away from now (in the future; OCI allows 300 s)');
    const isoDated = await sdkSigned('GET', 'https://h.example/x', undefined, key, new Date(NOW).toISOString());
    expect(reasonOf(isoDated)).toBe(`x-date "${new Date(NOW).toISOString()}" is not an HTTP date like "Tue, 15 Nov 1994 08:12:31 GMT"`);
  });

  it('a signature made with another key than the keyId names', async () => {
    const forged = await sdkSigned('GET', 'https://h.example/admin/v1/Users/abc?attributes=userName', undefined, otherKey);
    const claimed = withAuthorization(forged, String(forged.headers.authorization).replace(otherKey.fingerprint, key.fingerprint));
    expect(reasonOf(claimed)).toMatch(/^the signature does not verify with key "/);
    // And with its own keyId, the other key is simply unknown.
    expect(reasonOf(forged)).toBe(`unknown keyId "${otherKey.keyId}"`);
  });

  it('duplicate parameters, headers listed twice, pseudo-headers OCI does not use', () => {
    const auth = String(get.headers.authorization);
    expect(reasonOf(withAuthorization(get, `${auth},keyId="${key.keyId}"`))).toBe('Signature parameter "keyId" is given twice');
    expect(reasonOf(withAuthorization(get, auth.replace('headers="x-date', 'headers="host x-date')))).toBe('headers lists "host" twice');
    expect(reasonOf(withAuthorization(get, auth.replace('headers="x-date', 'headers="(created) x-date')))).toMatch(/^headers lists "\(created\)"; the only pseudo-header/);
  });

  it('a header sent twice that must be single', () => {
    const headers = { ...get.headers, host: ['h.example', 'evil.example'] };
    expect(reasonOf({ ...get, headers })).toBe('header "host" is sent 2 times');
  });

  it('no Authorization, or another scheme', () => {
    expect(reasonOf(withAuthorization(get, undefined))).toBe('no Authorization header');
    expect(reasonOf(withAuthorization(get, 'Bearer eyJ.x.y'))).toBe('the Authorization scheme is not Signature');
    expect(isOciSignature(String(get.headers.authorization))).toBe(true);
    expect(isOciSignature('signature keyId="x"')).toBe(true);
    expect(isOciSignature('Bearer abc')).toBe(false);
    expect(isOciSignature('Signature')).toBe(false);
    expect(isOciSignature(undefined)).toBe(false);
  });

  it('a lookup that throws is a refusal, not a crash', () => {
    const reason = reasonOf(get, NOW, () => {
      throw new Error('store offline');
    });
    expect(reason).toBe('the signature could not be checked: store offline');
  });

  it('garbage Authorization values: refused fast, never thrown', () => {
    const long = 'a'.repeat(1_000_000);
    const garbage = [
      '',
      ' ',
      'Signature',
      'Signature ',
      'Signature ,,,,',
      'Signature =',
      'Signature a',
      'Signature a=',
      'Signature a="',
      'Signature a=b',
      'Signature a="b"c="d"',
      'Signature a="b",',
      'Signature a="b",,c="d"',
      'Signature version="1",keyId="",algorithm="",headers="",signature=""',
      `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="",signature="AAAA"`,
      `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="   ",signature="AAAA"`,
      `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="\u0000 \uffff",signature="AAAA"`,
      `Signature version="1",keyId="__proto__",algorithm="rsa-sha256",headers="host",signature="AAAA"`,
      `Signature version="1",keyId="a/b/c",algorithm="rsa-sha256",headers="host",signature="AAAA"`,
      'Signature ' + 'a="b",'.repeat(2000),
      'Signature ' + 'a'.repeat(5000),
      'Signature ' + '"'.repeat(5000),
      'Signature ' + long,
      'Signature keyId="' + long + '"',
      `Signature version="1",keyId="${key.keyId}",algorithm="rsa-sha256",headers="${'x '.repeat(3000)}",signature="AAAA"`,
      '\u0000\u0001\u0002',
      'Signature \ud800',
    ];
    const started = performance.now();
    for (const authorization of garbage) {
      const result = verifyOciSignature(withAuthorization(get, authorization), keys, NOW);
      expect(result.ok, authorization.slice(0, 60)).toBe(false);
      if (!result.ok) {
        expect(result.reason.length).toBeGreaterThan(0);
        expect(result.reason.length).toBeLessThan(1000);
      }
    }
    const odd: SignedRequestParts[] = [
      { ...get, headers: { authorization: [] } },
      { ...get, headers: { authorization: ['Signature a="b"', 'Signature c="d"'] } },
      { ...get, method: '', target: '' },
      { ...get, headers: { ...get.headers, host: [] } },
    ];
    for (const req of odd) expect(verifyOciSignature(req, keys, NOW).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('config: ociApiKeys', () => {
  function configError(raw: unknown): ConfigError {
    try {
      parseStackConfig(raw, 't');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('defaults to none', () => {
    expect(parseStackConfig({}, 't').ociApiKeys).toEqual([]);
    expect(ociApiKeyMap(parseStackConfig({}, 't')).size).toBe(0);
  });

  it('parses into the map verifyOciSignature takes', async () => {
    const config = parseStackConfig({ ociApiKeys: [{ keyId: key.keyId, publicKey: key.publicKeyPem }] }, 't');
    const map = ociApiKeyMap(config);
    expect([...map.keys()]).toEqual([key.keyId]);
    expect(verifyOciSignature(await sdkSigned('GET', 'https://h.example/admin/v1/Users'), map, NOW)).toMatchObject({ ok: true });
  });

  it('accepts a PKCS#1 RSA PUBLIC KEY too', () => {
    const pkcs1 = key.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(parseStackConfig({ ociApiKeys: [{ keyId: key.keyId, publicKey: pkcs1 }] }, 't').ociApiKeys).toHaveLength(1);
  });

  it('names the field of a bad keyId or publicKey', () => {
    const problems = configError({
      ociApiKeys: [
        { keyId: `${TENANCY}/${USER}/${key.fingerprint.toUpperCase()}`, publicKey: key.publicKeyPem },
        { keyId: key.keyId, publicKey: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n' },
        { keyId: key.keyId, publicKey: key.privateKeyPem },
        { keyId: key.keyId, publicKey: 'ssh-rsa AAAA' },
        { keyId: key.keyId, publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) },
        { keyId: key.keyId, publicKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) },
        { keyId: key.keyId },
      ],
    }).problems;
    expect(problems).toHaveLength(7);
    expect(problems[0]).toMatch(/^ociApiKeys\[0\]\.keyId: <tenancy OCID>\/<user OCID>\/<fingerprint>/);
    expect(problems[1]).toMatch(/^ociApiKeys\[1\]\.publicKey: the PEM does not parse: /);
    expect(problems[2]).toBe('ociApiKeys[2].publicKey: this is a private key; give its public half (openssl rsa -pubout)');
    expect(problems[3]).toBe('ociApiKeys[3].publicKey: not a PEM public key (-----BEGIN PUBLIC KEY-----)');
    expect(problems[4]).toBe('ociApiKeys[4].publicKey: OCI API keys are RSA keys, this one is ec');
    expect(problems[5]).toBe('ociApiKeys[5].publicKey: OCI API keys have at least 2048 bits, this one has 1024');
    expect(problems[6]).toMatch(/^ociApiKeys\[6\]\.publicKey: /);
  });

  it('refuses a keyId twice and a fingerprint that is not the key\'s', () => {
    const problems = configError({
      ociApiKeys: [
        { keyId: key.keyId, publicKey: key.publicKeyPem },
        { keyId: key.keyId, publicKey: key.publicKeyPem },
        { keyId: `${TENANCY}/${USER}/${otherKey.fingerprint}`, publicKey: key.publicKeyPem },
      ],
    }).problems;
    expect(problems).toEqual([
      `ociApiKeys[1].keyId: "${key.keyId}" is already the keyId of ociApiKeys[0]`,
      `ociApiKeys[2].keyId: the fingerprint of publicKey is ${key.fingerprint}, not the one in the keyId`,
    ]);
  });
});

describe('what the real SDK clients send over HTTP verifies', () => {
  interface Captured {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: Buffer;
  }
  const captured: Captured[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        const status = req.method === 'POST' ? 201 : req.method === 'DELETE' ? 204 : 404;
        res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': 'X' });
        res.end(status === 204 ? undefined : status === 404 ? '{"code":"NotAuthorizedOrNotFound","message":"no"}' : '{"id":"new"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Runs one SDK call (its outcome does not matter) and returns what reached the server. */
  async function send(call: () => Promise<unknown>): Promise<Captured> {
    const before = captured.length;
    await call().catch(() => undefined);
    expect(captured.length).toBe(before + 1);
    return captured[captured.length - 1]!;
  }

  function verifyCaptured(c: Captured, nowMs = Date.now()) {
    return verifyOciSignature({ method: c.method, target: c.url, headers: c.headers, body: c.body.length ? c.body : undefined }, keys, nowMs);
  }

  it('oci-identitydomains: getUser, listUsers with a SCIM filter, createUser, patchUser, deleteUser', async () => {
    const client = new identitydomains.IdentityDomainsClient({ authenticationDetailsProvider: provider(key) });
    client.endpoint = endpoint;
    const getUser = await send(() => client.getUser({ userId: 'x' }));
    const list = await send(() => client.listUsers({ filter: 'userName eq "bjørn|b{1}" and active eq true', count: 2, attributes: 'userName,emails' }));
    const create = await send(() =>
      client.createUser({ user: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjørn', name: { familyName: 'Ødegård' } } }),
    );
    const patch = await send(() =>
      client.patchUser({ userId: 'x', patchOp: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], operations: [{ op: identitydomains.models.Operations.Op.Replace, path: 'active', value: false }] } }),
    );
    const del = await send(() => client.deleteUser({ userId: 'x', forceDelete: true }));

    expect(getUser).toMatchObject({ method: 'GET', url: '/admin/v1/Users/x' });
    expect(getUser.headers.authorization).toContain('headers="x-date (request-target) host"');
    expect(list.url).toMatch(/^\/admin\/v1\/Users\?filter=userName%20eq%20%22bj%C3%B8rn\|b\{1\}%22%20and%20active%20eq%20true&/);
    expect(create).toMatchObject({ method: 'POST', url: '/admin/v1/Users' });
    expect(create.headers.authorization).toContain('headers="x-date (request-target) host Content-Type Content-Length x-content-sha256"');
    expect(JSON.parse(create.body.toString('utf8'))).toMatchObject({ userName: 'bjørn' });
    expect(patch.method).toBe('PATCH');
    expect(del.method).toBe('DELETE');
    for (const c of [getUser, list, create, patch, del]) {
      expect(verifyCaptured(c), `${c.method} ${c.url}`).toEqual({ ok: true, keyId: key.keyId, tenancyId: TENANCY, userId: USER });
    }
    // The same bytes, an hour later, are refused.
    expect(verifyCaptured(create, Date.now() + 3_600_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/^x-date is 360\d s away from now \(in the past/) });
  });

  it('oci-apigateway: createGateway (POST) and getGateway (GET)', async () => {
    const client = new apigateway.GatewayClient({ authenticationDetailsProvider: provider(key) });
    client.endpoint = endpoint;
    const create = await send(() =>
      client.createGateway({ createGatewayDetails: { compartmentId: 'ocid1.compartment.oc1..c', endpointType: 'PUBLIC', subnetId: 'ocid1.subnet.oc1..s', displayName: 'g' } }),
    );
    const get = await send(() => client.getGateway({ gatewayId: 'ocid1.apigateway.oc1..g' }));
    expect(create).toMatchObject({ method: 'POST', url: '/20190501/gateways' });
    expect(get).toMatchObject({ method: 'GET', url: '/20190501/gateways/ocid1.apigateway.oc1..g' });
    for (const c of [create, get]) expect(verifyCaptured(c), `${c.method} ${c.url}`).toMatchObject({ ok: true, keyId: key.keyId });
  });
});
