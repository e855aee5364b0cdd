import { describe, expect, it } from 'vitest';
import type { models } from 'oci-apigateway';
import { parseRawQuery } from '../../gateway-emulator/pipeline/context-variables.js';
import type { GatewayRequest } from '../../gateway-emulator/pipeline/types.js';
import { validateRequest } from '../../gateway-emulator/pipeline/validate-request.js';

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  const rawQuery = overrides.rawQuery ?? 'page=2&my%20key=1';
  return {
    method: 'POST',
    path: '/test/1',
    rawQuery,
    query: parseRawQuery(rawQuery),
    headers: { 'x-api-key': ['k'], 'x-empty': [''], 'content-type': ['application/json; charset=utf-8'] },
    host: 'gw',
    clientIp: '127.0.0.1',
    body: Buffer.from('{"a":1}'),
    ...overrides,
  };
}

type Mode = 'ENFORCING' | 'PERMISSIVE' | 'DISABLED';
const headerPolicy = (names: Array<[string, boolean?]>, mode?: Mode): models.ApiSpecificationRouteRequestPolicies => ({
  headerValidations: {
    headers: names.map(([name, required]) => ({ name, ...(required !== undefined ? { required } : {}) })),
    ...(mode ? { validationMode: mode as models.HeaderValidationRequestPolicy.ValidationMode } : {}),
  },
});
const queryPolicy = (names: Array<[string, boolean?]>, mode?: Mode): models.ApiSpecificationRouteRequestPolicies => ({
  queryParameterValidations: {
    parameters: names.map(([name, required]) => ({ name, ...(required !== undefined ? { required } : {}) })),
    ...(mode ? { validationMode: mode as models.QueryParameterValidationRequestPolicy.ValidationMode } : {}),
  },
});
const bodyPolicy = (content: string[], required?: boolean, mode?: Mode): models.ApiSpecificationRouteRequestPolicies => ({
  bodyValidation: {
    content: Object.fromEntries(content.map((range) => [range, { validationType: 'NONE' }])),
    ...(required !== undefined ? { required } : {}),
    ...(mode ? { validationMode: mode as models.BodyValidationRequestPolicy.ValidationMode } : {}),
  },
});

it('no policies: passes with no checks', () => {
  expect(validateRequest(undefined, request())).toEqual({ passed: true, checks: [] });
  expect(validateRequest({}, request())).toEqual({ passed: true, checks: [] });
});

describe('header validation', () => {
  it('passes when every required header is present (case-insensitive; an empty value counts)', () => {
    expect(validateRequest(headerPolicy([['X-API-KEY', true], ['x-empty', true], ['x-optional', false], ['x-doc']]), request())).toEqual({
      passed: true,
      checks: [{ check: 'headerValidation', passed: true, message: 'Header validation passed: required header(s) X-API-KEY, x-empty present', expected: ['X-API-KEY', 'x-empty'], found: ['X-API-KEY', 'x-empty'] }],
    });
  });

  it('ENFORCING (the default) fails on a missing required header', () => {
    expect(validateRequest(headerPolicy([['x-api-key', true], ['x-tenant', true]]), request())).toEqual({
      passed: false,
      checks: [{ check: 'headerValidation', passed: false, message: 'Header validation failed: required header(s) x-tenant missing', expected: ['x-api-key', 'x-tenant'], found: ['x-api-key'] }],
    });
    expect(validateRequest(headerPolicy([['x-tenant', true]], 'ENFORCING'), request()).passed).toBe(false);
  });

  it('PERMISSIVE records the failure and passes', () => {
    expect(validateRequest(headerPolicy([['x-tenant', true]], 'PERMISSIVE'), request())).toEqual({
      passed: true,
      checks: [
        {
          check: 'headerValidation',
          passed: false,
          message: 'Header validation failed: required header(s) x-tenant missing (PERMISSIVE: recorded, not enforced)',
          expected: ['x-tenant'],
          found: [],
        },
      ],
    });
  });

  it('DISABLED checks nothing', () => {
    expect(validateRequest(headerPolicy([['x-tenant', true]], 'DISABLED'), request())).toEqual({ passed: true, checks: [] });
  });

  it('only optional headers listed: nothing to check', () => {
    expect(validateRequest(headerPolicy([['x-tenant', false], ['x-other']]), request())).toEqual({ passed: true, checks: [] });
  });
});

describe('query parameter validation', () => {
  it('names are case-sensitive and compared decoded', () => {
    expect(validateRequest(queryPolicy([['page', true], ['my key', true]]), request())).toEqual({
      passed: true,
      checks: [{ check: 'queryParameterValidation', passed: true, message: 'Query parameter validation passed: required parameter(s) page, my key present', expected: ['page', 'my key'], found: ['page', 'my key'] }],
    });
    expect(validateRequest(queryPolicy([['Page', true]]), request())).toEqual({
      passed: false,
      checks: [{ check: 'queryParameterValidation', passed: false, message: 'Query parameter validation failed: required parameter(s) Page missing', expected: ['Page'], found: [] }],
    });
  });

  it('a parameter without a value is present', () => {
    expect(validateRequest(queryPolicy([['flag', true]]), request({ rawQuery: 'flag' })).passed).toBe(true);
  });

  it('PERMISSIVE passes, DISABLED skips', () => {
    expect(validateRequest(queryPolicy([['q', true]], 'PERMISSIVE'), request()).passed).toBe(true);
    expect(validateRequest(queryPolicy([['q', true]], 'DISABLED'), request())).toEqual({ passed: true, checks: [] });
  });
});

describe('body validation', () => {
  it('required: a request without a body fails', () => {
    expect(validateRequest(bodyPolicy(['application/json'], true), request({ body: undefined }))).toEqual({
      passed: false,
      checks: [{ check: 'bodyValidation', passed: false, message: 'Body validation failed: the request body is required and the request has none', expected: 'a request body', found: 'no body' }],
    });
    expect(validateRequest(bodyPolicy(['application/json'], true), request({ body: Buffer.alloc(0) })).passed).toBe(false);
  });

  it('not required: no body passes without a media type check', () => {
    expect(validateRequest(bodyPolicy(['application/json']), request({ body: undefined, headers: {} }))).toEqual({
      passed: true,
      checks: [{ check: 'bodyValidation', passed: true, message: 'Body validation passed: no body, and none is required' }],
    });
  });

  it('the content type (parameters and case ignored) must fall in a listed media range', () => {
    expect(validateRequest(bodyPolicy(['application/json']), request({ headers: { 'content-type': ['Application/JSON; charset=utf-8'] } }))).toEqual({
      passed: true,
      checks: [
        {
          check: 'bodyValidation',
          passed: true,
          message: 'Body validation passed: the content type application/json matches application/json (validationType NONE)',
          expected: ['application/json'],
          found: 'application/json',
        },
      ],
    });
    expect(validateRequest(bodyPolicy(['application/json', 'text/*']), request({ headers: { 'content-type': ['application/xml'] } }))).toEqual({
      passed: false,
      checks: [
        {
          check: 'bodyValidation',
          passed: false,
          message: 'Body validation failed: the content type application/xml is not in the allowed media types [application/json, text/*]',
          expected: ['application/json', 'text/*'],
          found: 'application/xml',
        },
      ],
    });
  });

  it('the most specific media range applies', () => {
    const matched = (contentType: string) => validateRequest(bodyPolicy(['*/*', 'text/*', 'text/plain']), request({ headers: { 'content-type': [contentType] } })).checks[0]?.message;
    expect(matched('text/plain')).toBe('Body validation passed: the content type text/plain matches text/plain (validationType NONE)');
    expect(matched('text/csv')).toBe('Body validation passed: the content type text/csv matches text/* (validationType NONE)');
    expect(matched('image/png')).toBe('Body validation passed: the content type image/png matches */* (validationType NONE)');
  });

  it('a body without Content-Type is application/octet-stream', () => {
    expect(validateRequest(bodyPolicy(['application/json']), request({ headers: {} })).checks[0]?.found).toBe('application/octet-stream');
    expect(validateRequest(bodyPolicy(['application/*']), request({ headers: {} })).passed).toBe(true);
  });

  it('PERMISSIVE passes, DISABLED skips', () => {
    expect(validateRequest(bodyPolicy(['application/json'], true, 'PERMISSIVE'), request({ body: undefined })).passed).toBe(true);
    expect(validateRequest(bodyPolicy(['application/json'], true, 'DISABLED'), request({ body: undefined }))).toEqual({ passed: true, checks: [] });
  });
});

it('each policy has its own mode: one ENFORCING failure fails the request, PERMISSIVE ones do not', () => {
  const policies: models.ApiSpecificationRouteRequestPolicies = {
    ...headerPolicy([['x-tenant', true]], 'PERMISSIVE'),
    ...queryPolicy([['page', true]]),
    ...bodyPolicy(['text/plain'], false, 'ENFORCING'),
  };
  const result = validateRequest(policies, request());
  expect([result.passed, result.checks.map((c) => [c.check, c.passed])]).toEqual([
    false,
    [
      ['headerValidation', false],
      ['queryParameterValidation', true],
      ['bodyValidation', false],
    ],
  ]);
  const permissiveOnly = validateRequest({ ...policies, ...bodyPolicy(['application/json']) }, request());
  expect(permissiveOnly.passed).toBe(true);
});
