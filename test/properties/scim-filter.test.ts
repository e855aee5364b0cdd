/**
 * Properties of SCIM filters: the pure parser/evaluator of mock-iam/scim/filter.ts on random text,
 * token soup and grammar-shaped filters (with their and/or/not semantics and the case-insensitivity
 * of attribute names and operators), and `GET /admin/v1/Users?filter=…` over HTTP: a ListResponse
 * or a 400 in the SCIM error shape, never a 5xx or a hang.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimError } from '../../common/errors.js';
import { usersResource } from '../../mock-iam/admin/users.js';
import { compileFilter, type FilterOptions } from '../../mock-iam/scim/filter.js';
import { clientToken, CUSTOM_ATTR_PATH, CUSTOM_USER, USER_SCHEMA, userBody } from '../admin/support.js';
import { startTestIam, type TestIam } from '../support/iam.js';
import { expectScimError, hostileJson, rawRequest, show, trickyText, wellFormed } from './support.js';

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

// ---------------------------------------------------------------------------------------------
// Grammar-shaped filters: an AST, printed in a chosen style.

type Value = string | number | boolean | null;
type Ast =
  | { kind: 'cmp'; attr: string; op: string; value: Value }
  | { kind: 'pr'; attr: string }
  | { kind: 'and' | 'or'; left: Ast; right: Ast }
  | { kind: 'not'; inner: Ast }
  | { kind: 'valuePath'; attr: string; inner: Ast };

/** Strings from a small pool, so comparisons hit the resources' values (in other letter cases too). */
const WORDS = ['alice', 'Alice', 'ALICE', 'bob', 'work', 'Work', 'home', 'a', '', 'alice@example.com', 'ALICE@EXAMPLE.COM', 'Api1Access', 'api1access', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z', 'abc123', 'ABC123', 'é', 'É', '"quoted"', 'back\\slash'];
const wordArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const numberArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -10, max: 10, noNaN: true }));

const ATTRS = ['userName', 'displayName', 'name.givenName', 'name.familyName', 'emails.value', 'emails.type', 'emails.primary', 'emails', 'name', 'active', 'id', 'title', 'meta.created', CUSTOM_ATTR_PATH, CUSTOM_USER, 'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'loginCount'];
const MULTI = ['emails', 'phoneNumbers'];
const SUBS = ['value', 'type', 'primary', 'display'];

const ORDERING = ['gt', 'ge', 'lt', 'le'];
/** A comparison whose operand type fits its operator (co/sw/ew strings; no ordering of booleans; null only with eq/ne). */
const comparison = (attrs: string[]): fc.Arbitrary<Ast> =>
  fc.oneof(
    fc.record({ kind: fc.constant('cmp' as const), attr: fc.constantFrom(...attrs), op: fc.constantFrom('eq', 'ne'), value: fc.oneof(wordArb, numberArb, fc.boolean(), fc.constant(null)) }),
    fc.record({ kind: fc.constant('cmp' as const), attr: fc.constantFrom(...attrs), op: fc.constantFrom('co', 'sw', 'ew'), value: wordArb }),
    fc.record({ kind: fc.constant('cmp' as const), attr: fc.constantFrom(...attrs), op: fc.constantFrom(...ORDERING), value: fc.oneof(wordArb, numberArb) }),
    fc.record({ kind: fc.constant('pr' as const), attr: fc.constantFrom(...attrs) }),
  );

const filterAst: fc.Arbitrary<Ast> = fc.letrec<{ node: Ast; sub: Ast }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    { weight: 4, arbitrary: comparison(ATTRS) },
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
    fc.record({ kind: fc.constant('not' as const), inner: tie('node') }),
    fc.record({ kind: fc.constant('valuePath' as const), attr: fc.constantFrom(...MULTI), inner: tie('sub') }),
  ),
  // Inside `attr[…]`: sub-attribute names only, and no nested value filter (RFC 7644 ABNF).
  sub: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { weight: 3, arbitrary: comparison(SUBS) },
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('sub'), right: tie('sub') }),
    fc.record({ kind: fc.constant('not' as const), inner: tie('sub') }),
  ),
})).node;

interface Style {
  op: (s: string) => string;
  attr: (s: string) => string;
  ws: string;
}
const CANONICAL: Style = { op: (s) => s, attr: (s) => s, ws: ' ' };
const caseChange = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.toLowerCase(),
  (s) => s.replace(/[a-z]/gi, (c, i: number) => (i % 2 ? c.toUpperCase() : c.toLowerCase())),
);
const styleArb: fc.Arbitrary<Style> = fc.record({ op: caseChange, attr: caseChange, ws: fc.constantFrom(' ', '  ', '\t', ' \n ') });

/** Binary and `not` operands are always parenthesised, so the text means exactly the AST. */
function print(ast: Ast, s: Style): string {
  const w = s.ws;
  switch (ast.kind) {
    case 'cmp':
      return `${s.attr(ast.attr)}${w}${s.op(ast.op)}${w}${JSON.stringify(ast.value)}`;
    case 'pr':
      return `${s.attr(ast.attr)}${w}${s.op('pr')}`;
    case 'and':
    case 'or':
      return `(${print(ast.left, s)})${w}${s.op(ast.kind)}${w}(${print(ast.right, s)})`;
    case 'not':
      return `${s.op('not')}${w}(${print(ast.inner, s)})`;
    case 'valuePath':
      return `${s.attr(ast.attr)}[${print(ast.inner, s)}]`;
  }
}

// ---------------------------------------------------------------------------------------------
// Resources: users shaped like the admin API's views, their values drawn from the same pool.

const userArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      id: fc.constantFrom('abc123', 'ABC123', 'def456'),
      userName: wordArb,
      displayName: wordArb,
      name: fc.record({ givenName: wordArb, familyName: wordArb }, { requiredKeys: [] }),
      emails: fc.array(fc.record({ value: wordArb, type: fc.constantFrom('work', 'home', 'Work'), primary: fc.boolean() }, { requiredKeys: ['value'] }), { maxLength: 3 }),
      phoneNumbers: fc.array(fc.oneof(wordArb, fc.record({ value: wordArb, display: wordArb })), { maxLength: 2 }),
      active: fc.boolean(),
      title: fc.oneof(wordArb, fc.constant(null)),
      loginCount: numberArb,
      meta: fc.record({ created: fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z', '2023-12-31T23:59:59Z') }),
      [CUSTOM_USER]: fc.record({ MichaelFischerTest1: wordArb }, { requiredKeys: [] }),
    },
    { requiredKeys: ['id'] },
  )
  .map((u) => ({ schemas: [USER_SCHEMA, ...(u[CUSTOM_USER] ? [CUSTOM_USER] : [])], ...u }));

/** The options the Users endpoint compiles its filters with: its caseExact, the schemas its views declare. */
const USERS_OPTIONS: FilterOptions = { caseExact: usersResource.caseExact!, knownSchemas: [USER_SCHEMA, CUSTOM_USER] };

/** The filter's verdict on a resource, or `error` for the one evaluation error SCIM defines (ordering a boolean). */
function verdict(text: string, resource: unknown, options: FilterOptions = USERS_OPTIONS): boolean | 'error' {
  const predicate = compileFilter(text, options);
  try {
    return predicate(resource);
  } catch (e) {
    if (e instanceof ScimError && e.scimType === 'invalidFilter' && /boolean/.test(e.detail)) return 'error';
    throw e;
  }
}

function expectInvalidFilter(e: unknown, text: string): void {
  expect(e, `${JSON.stringify(text)} threw a non-SCIM error: ${String((e as Error)?.stack ?? e)}`).toBeInstanceOf(ScimError);
  const err = e as ScimError;
  expect(err.status, text).toBe(400);
  expect(err.scimType, `${text}: ${err.detail}`).toBe('invalidFilter');
  expect(err.detail, text).toMatch(/^Invalid filter: /);
}

/** Words a filter is made of, for token soup: valid pieces in invalid orders. */
const TOKENS = ['userName', 'emails', 'emails[', ']', '].value', '[', '(', ')', 'and', 'or', 'not', 'eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', '"x"', '"', '1', '-1.5e3', '1e999', 'true', 'false', 'null', 'type', 'value', CUSTOM_ATTR_PATH, 'urn:a:b', 'urn:', '.', ':', '\\', '"\\u00e9"', '"\\q"'];
const tokenSoup = fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: trickyText(6) }), { maxLength: 14 }).chain((parts) =>
  fc.array(fc.constantFrom(' ', '', '  '), { minLength: parts.length, maxLength: parts.length }).map((gaps) => parts.map((p, i) => `${p}${gaps[i]}`).join('')),
);
const anyFilterText = fc.oneof(
  { weight: 3, arbitrary: tokenSoup },
  { weight: 2, arbitrary: trickyText(60) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 2, arbitrary: filterAst.map((a) => print(a, CANONICAL)) },
  // Deep nesting, past the depth limit.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => `${'('.repeat(n)}userName pr${')'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => `${'not ('.repeat(n)}userName pr${')'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => Array.from({ length: n }, () => 'userName pr').join(' or ')) },
);

describe('properties: the SCIM filter parser and evaluator (pure)', () => {
  it('any text: a predicate, or a 400 invalidFilter ScimError; a predicate answers true/false on any resource', () => {
    fc.assert(
      fc.property(anyFilterText, fc.array(fc.oneof(userArb, hostileJson(3)), { maxLength: 3 }), (text, resources) => {
        let predicate: (r: unknown) => boolean;
        try {
          predicate = compileFilter(text, USERS_OPTIONS);
        } catch (e) {
          expectInvalidFilter(e, text);
          return;
        }
        for (const r of resources) {
          try {
            expect(typeof predicate(r)).toBe('boolean');
          } catch (e) {
            expectInvalidFilter(e, text);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every grammar-shaped filter compiles, in any letter case and spacing', () => {
    fc.assert(
      fc.property(filterAst, styleArb, (ast, style) => {
        const text = print(ast, style);
        try {
          compileFilter(text, USERS_OPTIONS);
        } catch (e) {
          throw new Error(`${JSON.stringify(text)} was refused: ${(e as ScimError).detail ?? e}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('and, or, not mean what they say; "and" binds tighter than "or"', () => {
    const atom = comparison(ATTRS).map((a) => print(a, CANONICAL));
    fc.assert(
      fc.property(filterAst, filterAst, atom, atom, atom, userArb, (a, b, x, y, z, user) => {
        const [pa, pb] = [print(a, CANONICAL), print(b, CANONICAL)];
        const [va, vb] = [verdict(pa, user), verdict(pb, user)];
        const [vx, vy, vz] = [verdict(x, user), verdict(y, user), verdict(z, user)];
        fc.pre(va !== 'error' && vb !== 'error' && vx !== 'error' && vy !== 'error' && vz !== 'error');
        expect(verdict(`not (${pa})`, user), pa).toBe(!va);
        expect(verdict(`(${pa}) and (${pb})`, user), `${pa} and ${pb}`).toBe(va && vb);
        expect(verdict(`(${pa}) or (${pb})`, user), `${pa} or ${pb}`).toBe(va || vb);
        expect(verdict(`${x} or ${y} and ${z}`, user), `${x} or ${y} and ${z}`).toBe(vx || (vy && vz));
        expect(verdict(`${x} and ${y} or ${z}`, user), `${x} and ${y} or ${z}`).toBe((vx && vy) || vz);
      }),
      { numRuns: 2000 },
    );
  });

  it('attribute names and operators are case-insensitive (RFC 7643 §2.1, RFC 7644 §3.4.2.2): any spelling, same verdict', () => {
    fc.assert(
      fc.property(filterAst, styleArb, fc.array(userArb, { minLength: 1, maxLength: 4 }), (ast, style, users) => {
        const canonical = print(ast, CANONICAL);
        const restyled = print(ast, style);
        for (const user of users) expect(verdict(restyled, user), `${restyled} vs ${canonical} on ${JSON.stringify(user)}`).toBe(verdict(canonical, user));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('properties: GET /admin/v1/Users?filter=… (HTTP)', () => {
  let iam: TestIam;
  let token: string;
  const list = (filter: string) =>
    rawRequest(iam.url, { path: `/admin/v1/Users?filter=${encodeURIComponent(filter)}&count=1000`, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    iam = await startTestIam();
    token = await clientToken(iam);
    for (const [name, extra] of [
      ['alice', { displayName: 'Alice', title: 'work' }],
      ['ALICE.two', { emails: [{ value: 'alice@example.com', type: 'home', primary: true }, { value: 'a@b.c', type: 'work' }] }],
      ['bob', { name: { givenName: 'Bob' }, [CUSTOM_USER]: { MichaelFischerTest1: 'api1access' } }],
    ] as const) {
      const res = await rawRequest(iam.url, {
        method: 'POST',
        path: '/admin/v1/Users',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(userBody(name, extra)),
      });
      expect(res.status, show(res)).toBe(201);
    }
  });
  afterAll(() => iam?.stop());

  const expectListOrInvalid = (res: Awaited<ReturnType<typeof list>>): 'list' | 'invalid' => {
    if (res.status === 200) {
      expect(res.json?.schemas, show(res)).toEqual([LIST_RESPONSE]);
      expect(res.json.totalResults, show(res)).toBe(res.json.Resources.length);
      return 'list';
    }
    expectScimError(res);
    expect(res.status, show(res)).toBe(400);
    expect(res.json.scimType, show(res)).toBe('invalidFilter');
    return 'invalid';
  };

  it('any filter text: a ListResponse or 400 invalidFilter in the SCIM shape, never a 5xx or a hang', async () => {
    const seen = { list: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(anyFilterText.filter(wellFormed), async (filter) => {
        const res = await list(filter);
        if (res.status === 431) {
          // Node's own limit on the request head (16 KiB by default, the bearer token included), before any route runs.
          expect(encodeURIComponent(filter).length + token.length, show(res)).toBeGreaterThan(16 * 1024 - 200);
          return;
        }
        seen[expectListOrInvalid(res)]++;
      }),
      { numRuns: 250 },
    );
    expect(seen.list).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
    const control = await list('userName eq "alice"');
    expect(control.status, show(control)).toBe(200);
    expect(control.json.Resources.map((u: { userName: string }) => u.userName)).toEqual(['alice']);
  });

  it('a grammar-shaped filter answers the same users in any letter case and spacing as the pure evaluator says', async () => {
    const all = await list('userName pr');
    expect(all.status, show(all)).toBe(200);
    const views = all.json.Resources as Array<Record<string, unknown>>;
    await fc.assert(
      fc.asyncProperty(filterAst, styleArb, async (ast, style) => {
        const text = print(ast, style);
        const res = await list(text);
        if (expectListOrInvalid(res) === 'invalid') {
          // The one refusal a well-formed filter can get: ordering a boolean attribute (RFC 7644 §3.4.2.2).
          expect(res.json.detail, `${text} → ${show(res)}`).toMatch(/boolean/);
          return;
        }
        const expected = views.filter((v) => verdict(print(ast, CANONICAL), v) === true).map((v) => v.id);
        expect((res.json.Resources as Array<{ id: string }>).map((u) => u.id).sort(), text).toEqual(expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});
