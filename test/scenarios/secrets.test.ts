import { describe, expect, it } from 'vitest';
import { isSecretKey, maskSecrets, maskStep, maskValue, secretsIn } from '../../scenarios/runner/secrets.js';
import type { StepResult } from '../../scenarios/runner/types.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A compact JWS; the signature is random-looking text, never verified here. */
const jwt = (claims: Record<string, unknown>): string => `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc`;

const TOKEN = jwt({ sub: 'alice', aud: 'urn:test' });
const OTHER_TOKEN = jwt({ sub: 'bob' });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

describe('maskSecrets', () => {
  it('replaces every occurrence of a plain secret with ***', () => {
    expect(maskSecrets('secret=s3cr3t-value; again s3cr3t-value.', ['s3cr3t-value'])).toBe('secret=***; again ***.');
  });

  it('masks a JWT so a reader still sees a token was there, with its length', () => {
    const out = maskSecrets(`Authorization: Bearer ${TOKEN}`, [TOKEN]);
    expect(out).toBe(`Authorization: Bearer eyJ…(${TOKEN.length} chars)`);
    expect(out).not.toContain(TOKEN.slice(10, 30));
  });

  it('ignores secrets shorter than 4 characters and empty ones', () => {
    expect(maskSecrets('a cat and abc sat', ['a', 'abc', ''])).toBe('a cat and abc sat');
    expect(maskSecrets('code abcd here', ['abc', 'abcd'])).toBe('code *** here');
  });

  it('masks the longest secret first: a secret inside another leaves nothing of the longer one', () => {
    // Shortest-first would give "x ***efgh y" and leak the tail of the longer secret.
    expect(maskSecrets('x abcdefgh y', ['abcd', 'abcdefgh'])).toBe('x *** y');
    expect(maskSecrets('x abcdefgh y', ['abcdefgh', 'abcd'])).toBe('x *** y');
  });

  it('masks partly overlapping secrets as one span, no fragment of either left', () => {
    expect(maskSecrets('[abcdefghi]', ['abcdef', 'defghi'])).toBe('[***]');
  });

  it('keeps the JWT mask when a shorter secret lies inside the token', () => {
    const piece = TOKEN.slice(40, 60);
    expect(maskSecrets(`t=${TOKEN}`, [piece, TOKEN])).toBe(`t=eyJ…(${TOKEN.length} chars)`);
  });

  it('does not mask inside a mask it produced', () => {
    expect(maskSecrets(`${TOKEN} and chars`, [TOKEN, 'chars'])).toBe(`eyJ…(${TOKEN.length} chars) and ***`);
  });

  it('also finds the percent-encoded and JSON-escaped forms of a secret', () => {
    const secret = 'p@ss w/rd+"q"';
    expect(maskSecrets(`password=${encodeURIComponent(secret)}&x=1`, [secret])).toBe('password=***&x=1');
    expect(maskSecrets(JSON.stringify({ p: secret }), [secret])).toBe('{"p":"***"}');
  });

  it('returns the text as it is without secrets', () => {
    expect(maskSecrets('nothing to hide', [])).toBe('nothing to hide');
  });
});

describe('maskValue', () => {
  it('masks values under secret-named keys at any depth, case-insensitively', () => {
    const input = {
      client_secret: 'not-listed-anywhere',
      nested: [{ deeper: { Password: 'hunter22', clientSecret: 'cs-value', note: 'plain text' } }],
      headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: { access_token: TOKEN, refresh_token: 'refresh-xyz', id_token: OTHER_TOKEN, token_type: 'Bearer' },
      form: { assertion: 'assertion-value', client_assertion: OTHER_TOKEN },
    };
    expect(maskValue(input, [])).toEqual({
      client_secret: '***',
      nested: [{ deeper: { Password: '***', clientSecret: '***', note: 'plain text' } }],
      headers: { Authorization: `Bearer eyJ…(${TOKEN.length} chars)`, 'content-type': 'application/json' },
      body: { access_token: `eyJ…(${TOKEN.length} chars)`, refresh_token: '***', id_token: `eyJ…(${OTHER_TOKEN.length} chars)`, token_type: 'Bearer' },
      form: { assertion: '***', client_assertion: `eyJ…(${OTHER_TOKEN.length} chars)` },
    });
  });

  it('masks every string (and key) by value, keeps other values', () => {
    const out = maskValue({ message: 'bad secret topsecret1', list: ['topsecret1', 3, true, null], topsecret1: 1 }, ['topsecret1']);
    expect(out).toEqual({ message: 'bad secret ***', list: ['***', 3, true, null], '***': 1 });
  });

  it('copies an object under a secret-named key instead of hiding it (OCI route authorization policy)', () => {
    const policy = { authorization: { type: 'ANY_OF', allowedScope: ['read'], password: 'pw-inner' } };
    expect(maskValue(policy, [])).toEqual({ authorization: { type: 'ANY_OF', allowedScope: ['read'], password: '***' } });
  });

  it('masks numbers and array items under secret-named keys', () => {
    expect(maskValue({ password: 123456, authorization: ['Basic dTpw', 'x'] }, [])).toEqual({ password: '***', authorization: ['***', '***'] });
  });

  it('does not mutate its input', () => {
    const input = deepFreeze({ a: { client_secret: 'abcdef', text: 'abcdef here' }, list: [{ password: 'qwerty' }] });
    const before = structuredClone(input);
    const out = maskValue(input, ['abcdef']);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out.a).not.toBe(input.a);
  });
});

describe('secretsIn', () => {
  it('finds strings under secret-named keys at any depth and JWTs anywhere', () => {
    const found = secretsIn({
      request: { form: { client_secret: 'cs-1234', grant_type: 'client_credentials' } },
      steps: [{ headers: { authorization: `Bearer ${TOKEN}` } }, { body: { message: `rejected ${OTHER_TOKEN} (expired)` } }],
      users: [{ PASSWORD: 'pw-9876' }],
    });
    expect(found).toEqual(expect.arrayContaining(['cs-1234', `Bearer ${TOKEN}`, TOKEN, OTHER_TOKEN, 'pw-9876']));
    expect(found).not.toContain('client_credentials');
    expect(new Set(found).size).toBe(found.length);
  });

  it('finds the secret inside a Basic credential', () => {
    const basic = `Basic ${Buffer.from('my-client:the-client-secret').toString('base64')}`;
    expect(secretsIn({ Authorization: basic })).toEqual(expect.arrayContaining([basic, 'the-client-secret']));
    expect(secretsIn({ Authorization: basic })).not.toContain('my-client');
  });

  it('finds nothing in a value without secrets', () => {
    expect(secretsIn({ status: 200, body: { ok: true, name: 'eyJ is not a token' } })).toEqual([]);
  });
});

describe('maskStep', () => {
  it('masks parity differences at a secret-named path and anything the step itself reveals', () => {
    const step: StepResult = {
      id: 'token',
      kind: 'token',
      marker: 'needs-fixing',
      outcome: 'failed',
      durationMs: 5,
      action: 'POST /oauth2/v1/token',
      failures: [`expected 401, token ${TOKEN} was accepted`],
      observation: { status: 200, body: { access_token: TOKEN } },
      parity: {
        differences: [
          { path: '$.body.refresh_token', kind: 'changed', recorded: 'old-refresh-value', actual: 'new-refresh-value' },
          { path: '$.body.scope', kind: 'changed', recorded: 'a', actual: 'a b' },
        ],
        ignored: [],
      },
    };
    const input = deepFreeze(structuredClone(step));
    const masked = maskStep(input, []);
    const text = JSON.stringify(masked);
    for (const secret of [TOKEN, 'old-refresh-value', 'new-refresh-value']) expect(text).not.toContain(secret);
    expect(masked.failures[0]).toBe(`expected 401, token eyJ…(${TOKEN.length} chars) was accepted`);
    expect(masked.parity!.differences[1]).toEqual({ path: '$.body.scope', kind: 'changed', recorded: 'a', actual: 'a b' });
    expect(input).toEqual(step);
  });

  it('knows the secret-named keys', () => {
    expect(['client_secret', 'clientSecret', 'PASSWORD', 'Authorization', 'assertion'].every(isSecretKey)).toBe(true);
    expect(['accessToken', 'token_type', 'secretary'].some(isSecretKey)).toBe(false);
  });
});
