/**
 * Where a scenario runs: the local stack or a real identity domain and gateway. The steps only
 * ever talk to a target through this record, so the same file runs against both.
 */
import type { TargetKind } from '../types.js';

/** A deployment as a scenario writes it (OCI's CreateDeploymentDetails without gateway and compartment). */
export interface DeploymentRequest {
  pathPrefix: string;
  displayName?: string | undefined;
  specification: Record<string, unknown>;
}

/** What a step observes of a deployment once it is in force. */
export interface DeploymentView {
  id: string;
  lifecycleState: string;
  pathPrefix: string;
  specification: unknown;
}

/** A deployment in force, or the control plane's refusal (status and OCI error body) as a step may expect it. */
export type DeploymentOutcome = { ok: true; view: DeploymentView } | { ok: false; status: number; body: { code: string; message: string } };

export interface DeploymentApi {
  /** Creates the deployment and resolves once it is ACTIVE (OCI takes a minute or so). */
  create(request: DeploymentRequest): Promise<DeploymentOutcome>;
  /** Replaces the specification (and display name) and resolves once the update is in force. */
  update(id: string, request: Omit<DeploymentRequest, 'pathPrefix'>): Promise<DeploymentOutcome>;
  delete(id: string): Promise<void>;
}

export interface Target {
  kind: TargetKind;
  /** Where it runs, in words for reports and recordings; never a secret. */
  description: string;
  /** The identity domain's base URL (no trailing slash). */
  iamUrl: string;
  /** The gateway data plane's base URL (no trailing slash). */
  gatewayUrl: string;
  /** The confidential app whose client_credentials token (scope urn:opc:idm:__myscopes__) authorizes /admin/v1 calls. */
  adminClient: { id: string; secret: string };
  deployments: DeploymentApi;
  /** Local only: moves the stack's shared clock (the IAM's token times and the gateway's checks). */
  advanceClock?(seconds: number): Promise<void>;
  /** Local only: why the gateway decided as it did for a request id (its decision log). */
  gatewayReason?(requestId: string): string | undefined;
  close(): Promise<void>;
}

/** Thrown for a target that cannot be used, with what to do about it. */
export class TargetError extends Error {}
