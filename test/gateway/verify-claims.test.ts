/**
 * `verifyClaims` (reference §3.2): whole-string equality with any of `values`, `isRequired`
 * defaulting to false, presence-only rules, and non-string claims failing [I].
 */
import { describe, expect, it } from 'vitest';
import { verifyClaims } from '../../gateway-emulator/pipeline/verify-claims.js';

const CHECK = 'authentication.verifyClaims';

describe('verifyClaims', () => {
  it("the blog's trap: a multi-scope string does not equal one of its scopes", () => {
    const [result] = verifyClaims({ scope: 'AnwendungReadA AnwendungWriteA' }, [{ key: 'scope', values: ['AnwendungReadA'], isRequired: true }]);
    expect(result).toEqual({
      check: CHECK,
      passed: false,
      message: "JWT token does not have the expected claim value for 'scope'.",
      expected: ['AnwendungReadA'],
      found: 'AnwendungReadA AnwendungWriteA',
    });
    // Only the whole string, scopes in the same order, matches.
    expect(verifyClaims({ scope: 'AnwendungReadA AnwendungWriteA' }, [{ key: 'scope', values: ['AnwendungReadA AnwendungWriteA'] }])[0]!.passed).toBe(true);
    expect(verifyClaims({ scope: 'AnwendungReadA AnwendungWriteA' }, [{ key: 'scope', values: ['AnwendungWriteA AnwendungReadA'] }])[0]!.passed).toBe(false);
  });

  it('matches when the claim equals any one of the values', () => {
    expect(verifyClaims({ APIGWMichael4: 'Api1Access' }, [{ key: 'APIGWMichael4', values: ['Api2Access', 'Api1Access'], isRequired: true }])).toEqual([
      { check: CHECK, passed: true, message: "JWT token has an expected claim value for 'APIGWMichael4'.", expected: ['Api2Access', 'Api1Access'], found: 'Api1Access' },
    ]);
  });

  it('compares case-sensitively and without trimming', () => {
    expect(verifyClaims({ sub: 'Alice' }, [{ key: 'sub', values: ['alice'] }])[0]!.passed).toBe(false);
    expect(verifyClaims({ sub: 'alice ' }, [{ key: 'sub', values: ['alice'] }])[0]!.passed).toBe(false);
  });

  it('a required claim that is absent fails with the missing-claim message', () => {
    expect(verifyClaims({}, [{ key: 'APIGWMichael4', values: ['Api1Access'], isRequired: true }])).toEqual([
      { check: CHECK, passed: false, message: "JWT token missing required claim 'APIGWMichael4'.", expected: ['Api1Access'], found: null },
    ]);
  });

  it('isRequired defaults to false: an absent claim passes, a present one must match', () => {
    expect(verifyClaims({}, [{ key: 'dept', values: ['sales'] }])).toEqual([
      { check: CHECK, passed: true, message: "Claim 'dept' is absent and not required.", expected: ['sales'], found: null },
    ]);
    expect(verifyClaims({ dept: 'hr' }, [{ key: 'dept', values: ['sales'] }])[0]).toMatchObject({ passed: false, message: "JWT token does not have the expected claim value for 'dept'.", found: 'hr' });
  });

  it('isRequired with no values only checks presence', () => {
    expect(verifyClaims({ sub: 'x' }, [{ key: 'sub', isRequired: true }])).toEqual([{ check: CHECK, passed: true, message: "JWT token has claim 'sub'.", expected: 'present', found: 'x' }]);
    expect(verifyClaims({ sub: 'x' }, [{ key: 'sub', values: [], isRequired: true }])[0]!.passed).toBe(true);
    expect(verifyClaims({}, [{ key: 'sub', values: [], isRequired: true }])[0]).toMatchObject({ passed: false, message: "JWT token missing required claim 'sub'.", expected: 'present' });
    // A present claim of any type satisfies presence.
    expect(verifyClaims({ amr: ['PWD'] }, [{ key: 'amr', isRequired: true }])[0]!.passed).toBe(true);
  });

  it('a null claim counts as absent', () => {
    expect(verifyClaims({ sub: null }, [{ key: 'sub', isRequired: true }])[0]).toMatchObject({ passed: false, message: "JWT token missing required claim 'sub'.", found: null });
  });

  it('non-string claims never equal a configured value [I]', () => {
    const rules = (key: string, value: string) => [{ key, values: [value], isRequired: true }];
    expect(verifyClaims({ n: 42 }, rules('n', '42'))[0]).toMatchObject({ passed: false, found: 42 });
    expect(verifyClaims({ b: true }, rules('b', 'true'))[0]).toMatchObject({ passed: false, found: true });
    expect(verifyClaims({ a: ['x'] }, rules('a', 'x'))[0]).toMatchObject({ passed: false, found: ['x'] });
    expect(verifyClaims({ o: { x: 'y' } }, rules('o', '[object Object]'))[0]!.passed).toBe(false);
  });

  it('does not read inherited properties as claims', () => {
    expect(verifyClaims({}, [{ key: 'toString', isRequired: true }])[0]!.passed).toBe(false);
    expect(verifyClaims({}, [{ key: 'constructor', isRequired: true }])[0]!.passed).toBe(false);
  });

  it('returns one entry per rule, in order', () => {
    const results = verifyClaims({ a: '1', b: '2' }, [
      { key: 'a', values: ['1'] },
      { key: 'b', values: ['3'] },
      { key: 'c', isRequired: true },
    ]);
    expect(results.map((r) => [r.passed, r.message])).toEqual([
      [true, "JWT token has an expected claim value for 'a'."],
      [false, "JWT token does not have the expected claim value for 'b'."],
      [false, "JWT token missing required claim 'c'."],
    ]);
    expect(verifyClaims({ a: '1' }, [])).toEqual([]);
  });
});
