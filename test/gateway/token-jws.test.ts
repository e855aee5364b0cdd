/**
 * Reading a compact JWS (token-jws.ts): the header and payload are decoded through one buffer of
 * the process, so each parse must hand back values of its own, whatever is parsed after it.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES, parseCompactJws } from '../../gateway-emulator/pipeline/token-jws.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: object, payload: object, signature = 'c2ln') => `${b64(header)}.${b64(payload)}.${signature}`;

describe('parseCompactJws', () => {
  it('each parse keeps its own header, payload, signing input and signature', () => {
    const a = parseCompactJws(token({ alg: 'RS256', kid: 'A' }, { sub: 'alice', long: 'x'.repeat(900) }, 'QUFB'));
    const b = parseCompactJws(token({ alg: 'RS512', kid: 'B' }, { sub: 'bob' }, 'QkJC'));
    if (!a.ok || !b.ok) throw new Error('expected both to parse');
    expect(a.jws.header).toEqual({ alg: 'RS256', kid: 'A' });
    expect(a.jws.payload).toEqual({ sub: 'alice', long: 'x'.repeat(900) });
    expect(a.jws.signature.toString()).toBe('AAA');
    expect(a.jws.signingInput.toString()).toBe(`${b64({ alg: 'RS256', kid: 'A' })}.${b64({ sub: 'alice', long: 'x'.repeat(900) })}`);
    expect(b.jws.header).toEqual({ alg: 'RS512', kid: 'B' });
    expect(b.jws.payload).toEqual({ sub: 'bob' });
    expect(b.jws.signature.toString()).toBe('BBB');
  });

  it('reads a part longer than any token the gateway accepts (a direct caller) whole', () => {
    const big = { sub: 'big', pad: 'y'.repeat(2 * MAX_TOKEN_BYTES) };
    const parsed = parseCompactJws(token({ alg: 'RS256', kid: 'K' }, big));
    expect(parsed.ok && parsed.jws.payload).toEqual(big);
  });

  it('names the first part that is not base64url, header first', () => {
    expect(parseCompactJws('a+b.c/d.e=f')).toEqual({ ok: false, reason: 'the header is not base64url' });
    expect(parseCompactJws(`${b64({ alg: 'RS256' })}.c/d.e=f`)).toEqual({ ok: false, reason: 'the payload is not base64url' });
    expect(parseCompactJws(`${b64({ alg: 'RS256' })}.${b64({})}.e=f`)).toEqual({ ok: false, reason: 'the signature is not base64url' });
    expect(parseCompactJws(`${b64({ alg: 'RS256' })}.${b64({})}.abcde`)).toEqual({ ok: false, reason: 'the signature is not base64url' });
  });

  it('refuses invalid UTF-8 and duplicate members in either part', () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64url');
    expect(parseCompactJws(`${bad}.${b64({})}.c2ln`)).toEqual({ ok: false, reason: 'the header is not valid UTF-8' });
    expect(parseCompactJws(`${b64({ alg: 'RS256' })}.${Buffer.from('{"sub":1,"sub":2}').toString('base64url')}.c2ln`)).toEqual({
      ok: false,
      reason: 'the payload is ambiguous: the member "sub" appears twice in one object',
    });
  });
});
