/**
 * The gateway's deployments, in OCI API Gateway's Deployment model (REST 20190501): one store that
 * the control plane's REST API and the deployment files write, and the data plane reads through
 * `active()`. The store is the mechanism only (ids, etags, times, the path-prefix rule); who may
 * change what (a file's deployment through the API, an `if-match`) is the control plane's call.
 */
import { randomBytes } from 'node:crypto';
import type { models } from 'oci-apigateway';
import type { Clock } from '../../common/clock.js';
import type { DeploymentInput } from '../spec/validate.js';
import { deepFreeze } from '../../common/freeze.js';

/** Tags as the Deployment model carries them; kept and returned, never interpreted. */
export interface DeploymentTags {
  freeformTags?: Record<string, string>;
  definedTags?: Record<string, Record<string, unknown>>;
}

export interface Deployment extends DeploymentTags {
  /** `ocid1.apideployment.oc1..<random>` */
  id: string;
  displayName: string;
  gatewayId: string;
  compartmentId: string;
  pathPrefix: string;
  /** Deep-frozen: every reader shares it, so nobody may change it in place. */
  specification: models.ApiSpecification;
  lifecycleState: 'ACTIVE' | 'DELETED';
  /** `${gatewayDataPlaneUrl}${pathPrefix}`, worked out when read (the data plane's port is known only after it listens). */
  endpoint: string;
  /** RFC 3339, from the stack's clock. */
  timeCreated: string;
  timeUpdated: string;
  /** Changes with every write; `if-match` compares against it. */
  etag: string;
  /** Made through the REST API, or loaded from a deployment file named in the stack config. */
  source: 'api' | { file: string };
}

/**
 * The gateway a deployment is on when its creator names none. The harness has one data plane, so
 * every deployment is on it whatever `gatewayId` says; the OCID is kept only to answer in OCI's shape.
 */
export const DEFAULT_GATEWAY_ID = 'ocid1.apigateway.oc1..aaaaaaaaharnessgateway';
export const DEFAULT_COMPARTMENT_ID = 'ocid1.compartment.oc1..aaaaaaaaharnesscompartment';

export type DeploymentStoreErrorKind = 'not-found' | 'deleted' | 'conflict';

/** Why the store refused a write; the control plane turns it into OCI's error body. */
export class DeploymentStoreError extends Error {
  constructor(
    readonly kind: DeploymentStoreErrorKind,
    message: string,
    /** For `conflict`: the deployment that already serves the path prefix. */
    readonly conflictingId?: string,
  ) {
    super(message);
  }
}

type StoredDeployment = Omit<Deployment, 'endpoint'> & { readonly seq: number };

export class DeploymentStore {
  private readonly clock: Clock;
  private readonly endpointBase: () => string;
  /** Insertion order is creation order; DELETED deployments stay readable, as OCI keeps them visible. */
  private readonly deployments = new Map<string, StoredDeployment>();
  private readonly listeners = new Set<() => void>();
  private seq = 0;

  constructor(options: { clock: Clock; endpointBase: () => string }) {
    this.clock = options.clock;
    this.endpointBase = options.endpointBase;
  }

  /** Every deployment, DELETED ones included, in creation order. */
  list(): Deployment[] {
    return [...this.deployments.values()].map((d) => this.view(d));
  }

  get(id: string): Deployment | undefined {
    const stored = this.deployments.get(id);
    return stored && this.view(stored);
  }

  /** The routes view for the data plane: ACTIVE deployments, in creation order. */
  active(): Deployment[] {
    return [...this.deployments.values()].filter((d) => d.lifecycleState === 'ACTIVE').map((d) => this.view(d));
  }

  /** A new ACTIVE deployment (OCI passes through CREATING; locally there is nothing to wait for). */
  create(input: DeploymentInput & DeploymentTags, source: Deployment['source'] = 'api'): Deployment {
    const gatewayId = input.gatewayId ?? DEFAULT_GATEWAY_ID;
    this.assertPrefixFree(input.pathPrefix, undefined);
    const now = this.now();
    const id = `ocid1.apideployment.oc1..aaaaaaaa${randomBytes(26).toString('hex').slice(0, 52)}`;
    const stored: StoredDeployment = {
      id,
      displayName: input.displayName ?? defaultDisplayName(now),
      gatewayId,
      compartmentId: input.compartmentId ?? DEFAULT_COMPARTMENT_ID,
      pathPrefix: input.pathPrefix,
      specification: frozenCopy(input.specification),
      lifecycleState: 'ACTIVE',
      timeCreated: now,
      timeUpdated: now,
      etag: newEtag(),
      source: typeof source === 'string' ? source : { file: source.file },
      ...tagsOf(input),
      seq: ++this.seq,
    };
    this.deployments.set(id, stored);
    this.changed();
    return this.view(stored);
  }

  /** Changes the given fields of an ACTIVE deployment; a new etag and `timeUpdated` every time. */
  update(id: string, input: Partial<DeploymentInput & DeploymentTags>): Deployment {
    const current = this.deployments.get(id);
    if (!current) throw new DeploymentStoreError('not-found', `no deployment ${id}`);
    if (current.lifecycleState !== 'ACTIVE') throw new DeploymentStoreError('deleted', `deployment ${id} is ${current.lifecycleState}`);
    if (input.pathPrefix !== undefined && input.pathPrefix !== current.pathPrefix) this.assertPrefixFree(input.pathPrefix, id);
    const next: StoredDeployment = {
      ...current,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.gatewayId !== undefined ? { gatewayId: input.gatewayId } : {}),
      ...(input.compartmentId !== undefined ? { compartmentId: input.compartmentId } : {}),
      ...(input.pathPrefix !== undefined ? { pathPrefix: input.pathPrefix } : {}),
      ...(input.specification !== undefined ? { specification: frozenCopy(input.specification) } : {}),
      ...tagsOf(input),
      timeUpdated: this.now(),
      etag: newEtag(),
    };
    this.deployments.set(id, next);
    this.changed();
    return this.view(next);
  }

  /** Marks a deployment DELETED (it stays readable); false when there is none or it already is. */
  delete(id: string): boolean {
    const current = this.deployments.get(id);
    if (!current || current.lifecycleState === 'DELETED') return false;
    this.deployments.set(id, { ...current, lifecycleState: 'DELETED', timeUpdated: this.now(), etag: newEtag() });
    this.changed();
    return true;
  }

  /** Called after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * One data plane answers for every deployment, so two ACTIVE deployments with the same path
   * prefix could not both be reached, whatever their `gatewayId`: the second one is refused.
   */
  private assertPrefixFree(pathPrefix: string, exceptId: string | undefined): void {
    for (const d of this.deployments.values()) {
      if (d.id !== exceptId && d.lifecycleState === 'ACTIVE' && d.pathPrefix === pathPrefix) {
        throw new DeploymentStoreError('conflict', `the path prefix ${pathPrefix} is already used by the active deployment ${d.id} ("${d.displayName}")`, d.id);
      }
    }
  }

  private view(stored: StoredDeployment): Deployment {
    const { seq: _seq, ...deployment } = stored;
    return { ...deployment, endpoint: `${this.endpointBase()}${stored.pathPrefix}` };
  }

  private now(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) {
      // One broken listener must not stop the others from hearing of the change, nor undo the write.
      try {
        listener();
      } catch (err) {
        console.error(`deployment store listener failed: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
}

/** OCI names an unnamed deployment after its creation time (the console's `deployment<yyyymmddhhmmss>`). */
function defaultDisplayName(isoTime: string): string {
  return `deployment${isoTime.replace(/[-:T]/g, '').slice(0, 14)}`;
}

function newEtag(): string {
  return randomBytes(32).toString('hex');
}

function tagsOf(input: DeploymentTags): DeploymentTags {
  return {
    ...(input.freeformTags !== undefined ? { freeformTags: frozenCopy(input.freeformTags) } : {}),
    ...(input.definedTags !== undefined ? { definedTags: frozenCopy(input.definedTags) } : {}),
  };
}

/** A deep copy, deep-frozen: the caller keeps no handle on the stored value, readers cannot change it. */
function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}
