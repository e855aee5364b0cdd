/**
 * `verifyClaims` as OCI documents it (reference §3.2 [C SDK, D-tokjson, D-tokcon; BLOG]):
 *
 * - A rule matches when the claim equals any one of `values`, compared as whole strings. Nothing
 *   is split or pattern-matched: `scope: "AnwendungReadA AnwendungWriteA"` does NOT equal
 *   `"AnwendungReadA"` (the blog's trap; use route `ANY_OF` to check one scope).
 * - `isRequired: true` with no values only checks that the claim is present.
 * - `isRequired: false` (the default [I]): an absent claim passes, a present one must match.
 * - A claim that is not a JSON string (number, boolean, array, object) never equals a configured
 *   value: "other data types are not supported" read strictly [I], a divergence risk listed in
 *   docs/fidelity.md. A `null` claim counts as absent [I].
 */
import type { models } from 'oci-apigateway';
import type { CheckResult } from './types.js';

const CHECK = 'authentication.verifyClaims';

/** One CheckResult per rule, in the rules' order. */
export function verifyClaims(claims: Record<string, unknown>, rules: models.JsonWebTokenClaim[]): CheckResult[] {
  return rules.map((rule) => verifyClaim(claims, rule));
}

export function verifyClaim(claims: Record<string, unknown>, rule: models.JsonWebTokenClaim): CheckResult {
  const { key } = rule;
  const values = rule.values ?? [];
  const isRequired = rule.isRequired ?? false;
  const value = Object.hasOwn(claims, key) ? claims[key] : undefined;
  const present = value !== undefined && value !== null;
  const expected = values.length > 0 ? values : isRequired ? 'present' : 'any value, or absent';
  const found = present ? value : null;

  if (!present) {
    return isRequired
      ? { check: CHECK, passed: false, message: `JWT token missing required claim '${key}'.`, expected, found }
      : { check: CHECK, passed: true, message: `Claim '${key}' is absent and not required.`, expected, found };
  }
  if (values.length === 0) return { check: CHECK, passed: true, message: `JWT token has claim '${key}'.`, expected, found };
  if (typeof value === 'string' && values.includes(value)) {
    return { check: CHECK, passed: true, message: `JWT token has an expected claim value for '${key}'.`, expected, found };
  }
  return { check: CHECK, passed: false, message: `JWT token does not have the expected claim value for '${key}'.`, expected, found };
}
