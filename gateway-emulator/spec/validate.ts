/**
 * Validates a deployment specification the way OCI API Gateway's control plane does before it
 * deploys one: shape and limits (`schemas.ts`), cross-field rules (`rules.ts`), the 2 MB size
 * (`size.ts`). Every problem is reported at once as `"<field path>: <reason>"`; the value that
 * comes back has OCI's defaults filled in and is typed with the oci-apigateway SDK's models.
 *
 * Neither function throws, whatever it is given: hostile input (deep nesting, huge arrays,
 * cycles, getters that throw, non-objects) becomes a problem, quickly.
 */
import type { models } from 'oci-apigateway';
import { LIMITS, MAX_JSON_DEPTH } from './limits.js';
import { describeValue, finishProblems, issueProblems } from './problems.js';
import { specificationRuleProblems } from './rules.js';
import { apiSpecification, deploymentEnvelope, DISCRIMINATOR_VALUES } from './schemas.js';
import { measureJson } from './size.js';

export interface DeploymentInput {
  pathPrefix: string;
  specification: models.ApiSpecification;
  displayName?: string;
  gatewayId?: string;
  compartmentId?: string;
}

/** Each problem is `"<field path>: <reason>"`, e.g. `specification.routes[2].requestPolicies.authorization.allowedScope: required for type ANY_OF`. */
export type SpecCheck<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unreadable(at: string, err: unknown): string {
  return `${at}: could not be read as JSON (${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'})`;
}

/** The size and depth problem of a value, or undefined when it is within OCI's limits. */
function sizeProblem(raw: unknown, at: string): string | undefined {
  const size = measureJson(raw, LIMITS.specificationBytes, MAX_JSON_DEPTH);
  if (size.ok) return undefined;
  switch (size.reason) {
    case 'too-large':
      return `${at}: larger than the 2 MB (${LIMITS.specificationBytes} bytes) of JSON OCI allows`;
    case 'too-deep':
      return `${at}: nested deeper than ${MAX_JSON_DEPTH} levels`;
    case 'not-json':
      return `${at}: is not JSON (found ${size.found})`;
  }
}

/**
 * Validates an ApiSpecification. `path` names it in problems (default `specification`).
 * On success the value carries OCI's defaults (methods ANY, timeouts 60/10/10, ENFORCING,
 * OVERWRITE, isAnonymousAccessAllowed false, maxClockSkewInSeconds 0, maxCacheDurationInHours 1,
 * ...) and the SDK's field names (a JWK's `key_ops` becomes `keyOps`; a MODIFY_RESPONSE policy's
 * `responseTransformations` / `headerTransformations` become `responseHeaderTransformations`).
 */
export function validateSpecification(raw: unknown, path = 'specification'): SpecCheck<models.ApiSpecification> {
  try {
    if (!isObject(raw)) return { ok: false, problems: [`${path}: expected an object; got ${describeValue(raw)}`] };
    const tooBig = sizeProblem(raw, path);
    if (tooBig) return { ok: false, problems: [tooBig] };
    const parsed = apiSpecification.safeParse(raw);
    const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => issueProblems(issue, raw, path, DISCRIMINATOR_VALUES));
    problems.push(...specificationRuleProblems(raw, path));
    if (problems.length > 0 || !parsed.success) return { ok: false, problems: finishProblems(problems, path) };
    // The schema's output is the SDK's model with defaults applied; its enums are OCI's strings.
    return { ok: true, value: parsed.data as unknown as models.ApiSpecification };
  } catch (err) {
    return { ok: false, problems: [unreadable(path, err)] };
  }
}

/**
 * Validates the body of `POST /20190501/deployments` (CreateDeploymentDetails: pathPrefix,
 * specification, displayName?, gatewayId?, compartmentId?, freeformTags?, definedTags?) or a
 * deployment file `{pathPrefix, specification, displayName?}`. Tags are accepted and dropped.
 */
export function validateDeployment(raw: unknown): SpecCheck<DeploymentInput> {
  try {
    if (!isObject(raw)) return { ok: false, problems: [`deployment: expected an object; got ${describeValue(raw)}`] };
    const envelope = deploymentEnvelope.safeParse(raw);
    const problems = envelope.success ? [] : envelope.error.issues.flatMap((issue) => issueProblems(issue, raw, '', DISCRIMINATOR_VALUES));
    let specification: models.ApiSpecification | undefined;
    if (raw.specification === undefined) problems.push('specification: required');
    else {
      const spec = validateSpecification(raw.specification, 'specification');
      if (spec.ok) specification = spec.value;
      else problems.push(...spec.problems);
    }
    if (problems.length > 0 || !envelope.success || !specification) return { ok: false, problems: finishProblems(problems, '') };
    const { pathPrefix, displayName, gatewayId, compartmentId } = envelope.data;
    return {
      ok: true,
      value: {
        pathPrefix,
        specification,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(gatewayId !== undefined ? { gatewayId } : {}),
        ...(compartmentId !== undefined ? { compartmentId } : {}),
      },
    };
  } catch (err) {
    return { ok: false, problems: [unreadable('deployment', err)] };
  }
}
