/**
 * Strict JSON of a token's header and payload (token-json.ts): a member named twice in one object
 * is refused, at any depth and however the name is escaped, and nothing else is. The gateway
 * decides by counting (names written against members parsed); these properties hold that count to
 * the slow, name-by-name scan and to a model built from the generated structure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMemberNames, findDuplicateMember, parseJsonObject } from '../../gateway-emulator/pipeline/token-json.js';
import './support.js';

/** A JSON value written by hand, so one object may name a member twice (JSON.stringify never does). */
type Written =
  | { kind: 'object'; members: Array<{ name: string; escaped: boolean; value: Written }> }
  | { kind: 'array'; items: Written[] }
  | { kind: 'leaf'; value: unknown };

/** Few distinct names, so repeats are common; some hold quotes, backslashes and brackets. */
const name = fc.constantFrom('sub', 'aud', 'scope', 'a"b', 'back\\slash', 'ünï', '', 'x,y', '{', '[]');
const member = (value: fc.Arbitrary<Written>) => fc.record({ name, escaped: fc.boolean(), value });

const written: fc.Arbitrary<Written> = fc.letrec<{ value: Written }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), value: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('a "quoted" \\ value, {with} [brackets]')) }),
    fc.record({ kind: fc.constant('array' as const), items: fc.array(tie('value'), { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('object' as const), members: fc.array(member(tie('value')), { maxLength: 5 }) }),
  ),
})).value;

const topObject = fc.array(member(written), { maxLength: 6 }).map((members): Written => ({ kind: 'object', members }));

/** Every character as `\uXXXX`: the same name to a JSON parser, other text to a byte comparison. */
const escapedName = (text: string) => `"${[...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;

function write(value: Written): string {
  if (value.kind === 'leaf') return JSON.stringify(value.value);
  if (value.kind === 'array') return `[${value.items.map(write).join(' , ')}]`;
  return `{ ${value.members.map((m) => `${m.escaped ? escapedName(m.name) : JSON.stringify(m.name)} :${write(m.value)}`).join(',')} }`;
}

/** What the text must count and whether it names a member twice, from the structure itself. */
function model(value: Written): { names: number; duplicate: boolean } {
  if (value.kind === 'leaf') return { names: 0, duplicate: false };
  const inner = (value.kind === 'array' ? value.items : value.members.map((m) => m.value)).map(model);
  const names = inner.reduce((n, m) => n + m.names, value.kind === 'object' ? value.members.length : 0);
  const own = value.kind === 'object' && new Set(value.members.map((m) => m.name)).size !== value.members.length;
  return { names, duplicate: own || inner.some((m) => m.duplicate) };
}

describe('strict token JSON', () => {
  it('counts every member name, refuses exactly the texts that name a member twice in one object, and names it', () => {
    fc.assert(
      fc.property(topObject, (value) => {
        const text = write(value);
        const expected = model(value);
        expect(countMemberNames(text)).toBe(expected.names);
        const parsed = parseJsonObject(text);
        const duplicate = findDuplicateMember(text);
        expect(duplicate !== undefined).toBe(expected.duplicate);
        if (expected.duplicate) expect(parsed).toEqual({ ok: false, reason: `ambiguous: the member "${duplicate}" appears twice in one object` });
        else expect(parsed.ok).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('an escaped spelling of a name already present is the same member', () => {
    expect(parseJsonObject('{"sub":"a","\\u0073ub":"b"}')).toEqual({ ok: false, reason: 'ambiguous: the member "sub" appears twice in one object' });
    expect(parseJsonObject('{"a":{"x":1},"b":{"x":2}}').ok).toBe(true);
    expect(parseJsonObject('{"a":[{"x":1,"x":2}]}')).toEqual({ ok: false, reason: 'ambiguous: the member "x" appears twice in one object' });
    expect(countMemberNames('{"k\\\\":"v\\"","q":["{\\"","}"]}')).toBe(2);
  });
});
