import { describe, expect, it } from 'vitest';
import { CUSTOM_USER_SCHEMA } from '../../common/config.js';
import { applicableCustomClaims, customClaimValue, parseUserExpression } from '../../mock-iam/oauth/custom-claims.js';
import type { CustomClaim } from '../../mock-iam/store.js';

const ORACLE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:oracle:idcs:extension:user:User';

describe('parseUserExpression', () => {
  it('$user.userName', () => {
    expect(parseUserExpression('$user.userName')).toEqual(['userName']);
    expect(parseUserExpression('  $user.displayName  ')).toEqual(['displayName']);
  });

  it('$(user.emails[0].value) and $user.emails.0.value give the same path', () => {
    expect(parseUserExpression('$(user.emails[0].value)')).toEqual(['emails', '0', 'value']);
    expect(parseUserExpression('$user.emails.0.value')).toEqual(['emails', '0', 'value']);
  });

  it('wildcards: $user.groups.*.display and $(user.groups[*].display)', () => {
    expect(parseUserExpression('$user.groups.*.display')).toEqual(['groups', '*', 'display']);
    expect(parseUserExpression('$(user.groups[*].display)')).toEqual(['groups', '*', 'display']);
  });

  it('the custom extension URN followed by . (documented form)', () => {
    expect(parseUserExpression(`$user.${CUSTOM_USER_SCHEMA}.MyAttr`)).toEqual([CUSTOM_USER_SCHEMA, 'MyAttr']);
    expect(parseUserExpression(`$(user.${CUSTOM_USER_SCHEMA}.MyAttr)`)).toEqual([CUSTOM_USER_SCHEMA, 'MyAttr']);
  });

  it('the custom extension URN followed by : (SCIM path form)', () => {
    expect(parseUserExpression(`$user.${CUSTOM_USER_SCHEMA}:MyAttr`)).toEqual([CUSTOM_USER_SCHEMA, 'MyAttr']);
  });

  it('the Oracle user extension and a multi-valued extension attribute', () => {
    expect(parseUserExpression(`$user.${ORACLE_USER_SCHEMA}.isFederatedUser`)).toEqual([ORACLE_USER_SCHEMA, 'isFederatedUser']);
    expect(parseUserExpression(`$user.${CUSTOM_USER_SCHEMA}.myjwtroles.*`)).toEqual([CUSTOM_USER_SCHEMA, 'myjwtroles', '*']);
    expect(parseUserExpression(`$user.${CUSTOM_USER_SCHEMA}`)).toEqual([CUSTOM_USER_SCHEMA]);
  });

  it('invalid forms give undefined', () => {
    for (const bad of [
      'user.userName',
      '$userName',
      '$group.displayName',
      '$(user.userName',
      '$user.emails..value',
      '$user.userName.',
      '$user.urn:lowercase:only.attr',
      'literal text',
      '',
    ]) {
      expect(parseUserExpression(bad), bad).toBeUndefined();
    }
  });

  // `$user.` names no attribute; an empty path would make the claim the whole SCIM user object.
  it('$user. and $(user.) with no attribute are invalid', () => {
    expect(parseUserExpression('$user.')).toBeUndefined();
    expect(parseUserExpression('$(user.)')).toBeUndefined();
    expect(customClaimValue({ value: '$user.', expression: true }, { userName: 'ada', id: 'x' })).toBeUndefined();
  });
});

describe('customClaimValue', () => {
  const user: Record<string, unknown> = {
    userName: 'ada',
    displayName: 'Ada',
    emails: [
      { value: 'ada@example.com', type: 'work' },
      { value: 'ada@home.example', type: 'home' },
    ],
    groups: [{ display: 'alpha' }, { display: 'beta' }, { value: 'no-display' }],
    nothing: null,
    [CUSTOM_USER_SCHEMA]: { MyAttr: 'Api1Access', roles: ['r1', 'r2'] },
  };
  const expr = (value: string) => ({ value, expression: true });

  it('a literal is its value, for users and clients', () => {
    expect(customClaimValue({ value: '$user.userName', expression: false }, user)).toBe('$user.userName');
    expect(customClaimValue({ value: 'fixed', expression: false }, undefined)).toBe('fixed');
  });

  it('an expression reads the user', () => {
    expect(customClaimValue(expr('$user.userName'), user)).toBe('ada');
    expect(customClaimValue(expr('$(user.emails[1].value)'), user)).toBe('ada@home.example');
    expect(customClaimValue(expr('$user.emails.0.type'), user)).toBe('work');
    expect(customClaimValue(expr(`$user.${CUSTOM_USER_SCHEMA}.MyAttr`), user)).toBe('Api1Access');
    expect(customClaimValue(expr(`$user.${CUSTOM_USER_SCHEMA}:MyAttr`), user)).toBe('Api1Access');
  });

  it('an expression gives undefined without a user', () => {
    expect(customClaimValue(expr('$user.userName'), undefined)).toBeUndefined();
  });

  it('a missing attribute, index or null gives undefined', () => {
    expect(customClaimValue(expr('$user.nickName'), user)).toBeUndefined();
    expect(customClaimValue(expr('$user.emails.5.value'), user)).toBeUndefined();
    expect(customClaimValue(expr('$user.emails.first.value'), user)).toBeUndefined();
    expect(customClaimValue(expr('$user.userName.length'), user)).toBeUndefined();
    expect(customClaimValue(expr('$user.nothing'), user)).toBeUndefined();
    expect(customClaimValue(expr(`$user.${CUSTOM_USER_SCHEMA}.Other`), user)).toBeUndefined();
    expect(customClaimValue(expr('not an expression'), user)).toBeUndefined();
  });

  it('a wildcard gives an array, skipping members without the attribute', () => {
    expect(customClaimValue(expr('$user.groups.*.display'), user)).toEqual(['alpha', 'beta']);
    expect(customClaimValue(expr('$(user.emails[*].value)'), user)).toEqual(['ada@example.com', 'ada@home.example']);
    expect(customClaimValue(expr(`$user.${CUSTOM_USER_SCHEMA}.roles.*`), user)).toEqual(['r1', 'r2']);
    expect(customClaimValue(expr('$user.userName.*'), user)).toBeUndefined();
  });

  it('attribute names match case-insensitively (SCIM)', () => {
    expect(customClaimValue(expr('$user.USERNAME'), user)).toBe('ada');
    expect(customClaimValue(expr('$user.Emails.0.Value'), user)).toBe('ada@example.com');
    expect(customClaimValue(expr(`$user.${CUSTOM_USER_SCHEMA}.myattr`), user)).toBe('Api1Access');
  });
});

describe('applicableCustomClaims', () => {
  let n = 0;
  const claim = (over: Partial<CustomClaim>): CustomClaim => ({
    id: `c${++n}`,
    meta: { created: '2030-01-01T00:00:00.000Z', lastModified: '2030-01-01T00:00:00.000Z', version: 1 },
    name: `claim${n}`,
    value: 'v',
    expression: false,
    mode: 'always',
    tokenType: 'AT',
    allScopes: false,
    scopes: [],
    ...over,
  });
  const names = (claims: CustomClaim[]) => claims.map((c) => c.name);

  it('only mode always is added; request and never are not', () => {
    const claims = [claim({ name: 'always', allScopes: true }), claim({ name: 'request', mode: 'request', allScopes: true }), claim({ name: 'never', mode: 'never', allScopes: true })];
    expect(names(applicableCustomClaims(claims, 'AT', []))).toEqual(['always']);
    expect(names(applicableCustomClaims(claims, 'IT', []))).toEqual([]);
  });

  it('tokenType AT, IT, BOTH', () => {
    const claims = [claim({ name: 'at', tokenType: 'AT', allScopes: true }), claim({ name: 'it', tokenType: 'IT', allScopes: true }), claim({ name: 'both', tokenType: 'BOTH', allScopes: true })];
    expect(names(applicableCustomClaims(claims, 'AT', ['x']))).toEqual(['at', 'both']);
    expect(names(applicableCustomClaims(claims, 'IT', ['x']))).toEqual(['it', 'both']);
  });

  it('allScopes matches any grant, even one without FQS; scopes need a granted FQS', () => {
    const claims = [
      claim({ name: 'all', allScopes: true }),
      claim({ name: 'read', scopes: ['anwendung1AnwendungReadA'] }),
      claim({ name: 'readOrWrite', scopes: ['anwendung1AnwendungWriteA', 'anwendung1AnwendungReadA'] }),
      claim({ name: 'write', scopes: ['anwendung1AnwendungWriteA'] }),
    ];
    expect(names(applicableCustomClaims(claims, 'AT', []))).toEqual(['all']);
    expect(names(applicableCustomClaims(claims, 'AT', ['anwendung1AnwendungReadA']))).toEqual(['all', 'read', 'readOrWrite']);
    // The short name is not the FQS.
    expect(names(applicableCustomClaims(claims, 'AT', ['AnwendungWriteA']))).toEqual(['all']);
  });
});
