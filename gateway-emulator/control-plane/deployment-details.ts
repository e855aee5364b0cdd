/**
 * Reads the bodies of CreateDeployment and UpdateDeployment (the SDK's CreateDeploymentDetails and
 * UpdateDeploymentDetails) into what the store takes, or into the list of problems the 400 names.
 * The specification itself is checked by `validateDeployment`, the one validator the deployment
 * files use too, so a spec is accepted or refused the same way whichever door it comes in by.
 */
import { validateDeployment, type DeploymentInput } from '../spec/validate.js';
import type { Deployment, DeploymentTags } from './deployment-store.js';

export type DetailsResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** The fields of CreateDeploymentDetails (oci-apigateway 2.139.1). */
const CREATE_FIELDS = new Set(['displayName', 'gatewayId', 'compartmentId', 'pathPrefix', 'specification', 'locks', 'freeformTags', 'definedTags']);
/** The fields `validateDeployment` reads (DeploymentInput). */
const DEPLOYMENT_FIELDS = new Set(['displayName', 'gatewayId', 'compartmentId', 'pathPrefix', 'specification']);
/** UpdateDeploymentDetails: the path prefix, gateway and compartment of a deployment cannot be changed by an update. */
const UPDATE_FIELDS = new Set(['displayName', 'specification', 'freeformTags', 'definedTags']);
/** Fields a client may send on create that the model has but a harness cannot honour. */
const UNSUPPORTED: Record<string, string> = {
  locks: 'resource locks are not supported by the harness; leave locks out',
};
const NOT_UPDATABLE: Record<string, string> = {
  pathPrefix: 'cannot be changed by an update (UpdateDeploymentDetails has no pathPrefix); create a new deployment',
  gatewayId: 'cannot be changed by an update (UpdateDeploymentDetails has no gatewayId)',
  compartmentId: 'cannot be changed by an update; OCI moves a deployment with ChangeDeploymentCompartment',
};

/** CreateDeploymentDetails → the store's input. */
export function createDeploymentDetails(body: unknown): DetailsResult<DeploymentInput & DeploymentTags> {
  if (!isRecord(body)) return { ok: false, problems: ['(body): must be a JSON object (CreateDeploymentDetails)'] };
  const problems: string[] = [];
  for (const key of Object.keys(body)) {
    if (!CREATE_FIELDS.has(key)) problems.push(`${key}: not a field of CreateDeploymentDetails`);
    else if (UNSUPPORTED[key] !== undefined && body[key] !== undefined && body[key] !== null) problems.push(`${key}: ${UNSUPPORTED[key]}`);
  }
  const tags = readTags(body, problems);
  // Only the deployment's own fields go to the validator: the others are named above already.
  const deployment = Object.fromEntries(Object.entries(body).filter(([key]) => DEPLOYMENT_FIELDS.has(key)));
  const validated = validateDeployment(deployment);
  if (!validated.ok) problems.push(...validated.problems);
  if (problems.length || !validated.ok) return { ok: false, problems };
  return { ok: true, value: { ...validated.value, ...tags } };
}

/**
 * UpdateDeploymentDetails → the fields to change. The specification is validated together with
 * the deployment's unchanged path prefix, so its problems carry the same field paths as on create.
 */
export function updateDeploymentDetails(body: unknown, current: Deployment): DetailsResult<Partial<DeploymentInput & DeploymentTags>> {
  if (!isRecord(body)) return { ok: false, problems: ['(body): must be a JSON object (UpdateDeploymentDetails)'] };
  const problems: string[] = [];
  for (const key of Object.keys(body)) {
    if (NOT_UPDATABLE[key] !== undefined) problems.push(`${key}: ${NOT_UPDATABLE[key]}`);
    else if (!UPDATE_FIELDS.has(key)) problems.push(`${key}: not a field of UpdateDeploymentDetails`);
  }
  const tags = readTags(body, problems);
  const validated = validateDeployment({
    pathPrefix: current.pathPrefix,
    gatewayId: current.gatewayId,
    compartmentId: current.compartmentId,
    displayName: body.displayName === undefined ? current.displayName : body.displayName,
    specification: body.specification === undefined ? current.specification : body.specification,
  });
  if (!validated.ok) problems.push(...validated.problems);
  if (problems.length || !validated.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      ...(body.displayName !== undefined ? { displayName: validated.value.displayName } : {}),
      ...(body.specification !== undefined ? { specification: validated.value.specification } : {}),
      ...tags,
    },
  };
}

/** `freeformTags` maps names to strings, `definedTags` namespaces to name → value maps (the SDK's types). */
function readTags(body: Record<string, unknown>, problems: string[]): DeploymentTags {
  const tags: DeploymentTags = {};
  const { freeformTags, definedTags } = body;
  if (freeformTags !== undefined && freeformTags !== null) {
    if (!isRecord(freeformTags)) problems.push('freeformTags: must be an object of tag names to string values');
    else {
      const bad = Object.entries(freeformTags).filter(([, v]) => typeof v !== 'string');
      for (const [name] of bad) problems.push(`freeformTags.${name}: must be a string`);
      if (!bad.length) tags.freeformTags = freeformTags as Record<string, string>;
    }
  }
  if (definedTags !== undefined && definedTags !== null) {
    if (!isRecord(definedTags)) problems.push('definedTags: must be an object of tag namespaces to objects of tags');
    else {
      const bad = Object.entries(definedTags).filter(([, v]) => !isRecord(v));
      for (const [namespace] of bad) problems.push(`definedTags.${namespace}: must be an object of tag names to values`);
      if (!bad.length) tags.definedTags = definedTags as Record<string, Record<string, unknown>>;
    }
  }
  return tags;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
