/**
 * The JSON the control plane answers with: the Deployment and DeploymentSummary models of OCI API
 * Gateway 20190501, fields in the SDK model's order. The harness's own bookkeeping (`etag` goes in
 * the header, `source` nowhere) stays out of the body so it reads like OCI's.
 */
import type { Deployment } from './deployment-store.js';
import { toWireSpecification } from '../spec/wire.js';

export interface DeploymentSummaryJson {
  id: string;
  gatewayId: string;
  displayName: string;
  compartmentId: string;
  pathPrefix: string;
  endpoint: string;
  timeCreated: string;
  timeUpdated: string;
  lifecycleState: Deployment['lifecycleState'];
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, unknown>>;
}

export type DeploymentJson = Omit<DeploymentSummaryJson, 'timeCreated' | 'timeUpdated' | 'lifecycleState' | 'freeformTags' | 'definedTags'> & {
  /** The specification as the REST API writes it (`key_ops`, not the SDK model's `keyOps`). */
  specification: unknown;
} & Pick<DeploymentSummaryJson, 'timeCreated' | 'timeUpdated' | 'lifecycleState' | 'freeformTags' | 'definedTags'>;

/** The Deployment: its summary plus the specification. */
export function deploymentJson(d: Deployment): DeploymentJson {
  return { ...deploymentSummaryJson(d), specification: toWireSpecification(d.specification) };
}

export function deploymentSummaryJson(d: Deployment): DeploymentSummaryJson {
  return {
    id: d.id,
    gatewayId: d.gatewayId,
    displayName: d.displayName,
    compartmentId: d.compartmentId,
    pathPrefix: d.pathPrefix,
    endpoint: d.endpoint,
    timeCreated: d.timeCreated,
    timeUpdated: d.timeUpdated,
    lifecycleState: d.lifecycleState,
    // OCI answers empty tag maps rather than leaving the fields out.
    freeformTags: d.freeformTags ?? {},
    definedTags: d.definedTags ?? {},
  };
}
