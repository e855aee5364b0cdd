/**
 * Request validation policies of a route (`headerValidations`, `queryParameterValidations`,
 * `bodyValidation`; reference §1.10, D-valid).
 *
 * Each policy has a `validationMode`: ENFORCING (the default) refuses the request on a failed
 * check (OCI says "a 4xx"; the caller answers 400 [I]), PERMISSIVE records the failure and lets
 * the request through (OCI exposes it as a metric), DISABLED checks nothing. A PERMISSIVE failure
 * is a failed check in the trace, yet `passed` stays true: `passed` alone decides.
 */
import type { models } from 'oci-apigateway';
import { decodeQueryComponent, headerValues, queryPairs } from './context-variables.js';
import type { CheckResult, GatewayRequest } from './types.js';

type Mode = 'ENFORCING' | 'PERMISSIVE' | 'DISABLED';

export function validateRequest(
  policies: models.ApiSpecificationRouteRequestPolicies | undefined,
  request: GatewayRequest,
): { passed: boolean; checks: CheckResult[] } {
  // Most routes validate nothing: answer without building the recorder below.
  if (!policies?.headerValidations && !policies?.queryParameterValidations && !policies?.bodyValidation) return { passed: true, checks: [] };
  const checks: CheckResult[] = [];
  let passed = true;
  const record = (mode: Mode, result: CheckResult): void => {
    if (result.passed || mode === 'ENFORCING') checks.push(result);
    else checks.push({ ...result, message: `${result.message} (PERMISSIVE: recorded, not enforced)` });
    if (!result.passed && mode === 'ENFORCING') passed = false;
  };

  const headerPolicy = policies?.headerValidations;
  const headerMode = modeOf(headerPolicy?.validationMode);
  if (headerPolicy && headerMode !== 'DISABLED') {
    const required = (headerPolicy.headers ?? []).filter((h) => h.required === true).map((h) => h.name);
    if (required.length > 0) {
      // Header names are case-insensitive; a header sent with an empty value is still present.
      const present = required.filter((name) => headerValues(request.headers, name).length > 0);
      const missing = required.filter((name) => !present.includes(name));
      record(headerMode, {
        check: 'headerValidation',
        passed: missing.length === 0,
        message: missing.length === 0 ? `Header validation passed: required header(s) ${required.join(', ')} present` : `Header validation failed: required header(s) ${missing.join(', ')} missing`,
        expected: required,
        found: present,
      });
    }
  }

  const queryPolicy = policies?.queryParameterValidations;
  const queryMode = modeOf(queryPolicy?.validationMode);
  if (queryPolicy && queryMode !== 'DISABLED') {
    const required = (queryPolicy.parameters ?? []).filter((p) => p.required === true).map((p) => p.name);
    if (required.length > 0) {
      // Parameter names are case-sensitive, compared in their decoded form.
      const names = new Set(queryPairs(request).map(([name]) => decodeQueryComponent(name)));
      const present = required.filter((name) => names.has(name));
      const missing = required.filter((name) => !names.has(name));
      record(queryMode, {
        check: 'queryParameterValidation',
        passed: missing.length === 0,
        message:
          missing.length === 0
            ? `Query parameter validation passed: required parameter(s) ${required.join(', ')} present`
            : `Query parameter validation failed: required parameter(s) ${missing.join(', ')} missing`,
        expected: required,
        found: present,
      });
    }
  }

  const bodyPolicy = policies?.bodyValidation;
  const bodyMode = modeOf(bodyPolicy?.validationMode);
  if (bodyPolicy && bodyMode !== 'DISABLED') record(bodyMode, checkBody(bodyPolicy, request));

  return { passed, checks };
}

/**
 * `required`: the request must carry a non-empty body. `content`: a body's media type must fall
 * in one of the listed media ranges, the most specific one applying (`text/plain` over `text/*`
 * over `*\/*`); its `validationType` is `NONE`, the only one OCI has, so nothing further is
 * checked. A body without `Content-Type` is `application/octet-stream` (RFC 9110 §8.3).
 */
function checkBody(policy: models.BodyValidationRequestPolicy, request: GatewayRequest): CheckResult {
  const hasBody = request.body !== undefined && request.body.length > 0;
  if (!hasBody) {
    return policy.required === true
      ? { check: 'bodyValidation', passed: false, message: 'Body validation failed: the request body is required and the request has none', expected: 'a request body', found: 'no body' }
      : { check: 'bodyValidation', passed: true, message: 'Body validation passed: no body, and none is required' };
  }
  const ranges = Object.keys(policy.content ?? {});
  if (ranges.length === 0) return { check: 'bodyValidation', passed: true, message: 'Body validation passed: a body is present and no media type is listed' };
  const mediaType = mediaTypeOf(headerValues(request.headers, 'content-type')[0]);
  const range = mostSpecificRange(ranges, mediaType);
  if (range === undefined) {
    return {
      check: 'bodyValidation',
      passed: false,
      message: `Body validation failed: the content type ${mediaType} is not in the allowed media types [${ranges.join(', ')}]`,
      expected: ranges,
      found: mediaType,
    };
  }
  const validationType = policy.content[range]?.validationType ?? 'NONE';
  return {
    check: 'bodyValidation',
    passed: true,
    message: `Body validation passed: the content type ${mediaType} matches ${range} (validationType ${validationType}${validationType === 'NONE' ? '' : ', not emulated'})`,
    expected: ranges,
    found: mediaType,
  };
}

/** `Application/JSON; charset=utf-8` → `application/json`; none → `application/octet-stream`. */
function mediaTypeOf(contentType: string | undefined): string {
  const bare = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return bare === '' ? 'application/octet-stream' : bare;
}

function mostSpecificRange(ranges: ReadonlyArray<string>, mediaType: string): string | undefined {
  const [type] = mediaType.split('/');
  let best: string | undefined;
  let bestScore = -1;
  for (const range of ranges) {
    const lower = range.split(';')[0]!.trim().toLowerCase();
    const score = lower === mediaType ? 2 : lower === `${type}/*` ? 1 : lower === '*/*' ? 0 : -1;
    if (score > bestScore) {
      best = range;
      bestScore = score;
    }
  }
  return best;
}

function modeOf(mode: string | undefined): Mode {
  return mode === 'PERMISSIVE' || mode === 'DISABLED' ? mode : 'ENFORCING';
}
