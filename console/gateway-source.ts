/**
 * Where the console reads the gateway: the running gateway itself when it is in this process
 * (`npm start`, `startHarness`), else its control plane over HTTP (one container per component:
 * `links.gatewayAdminUrl`), through the same `/20190501/deployments` and `/_harness/decisions` any
 * client reads.
 */
import { resolveGatewayAdminUrl, type StackConfig } from '../common/config.js';
import { deploymentJson, type DeploymentJson } from '../gateway-emulator/control-plane/deployment-json.js';
import type { DecisionLogEntry } from '../gateway-emulator/decision-log.js';
import type { RunningGateway } from '../gateway-emulator/gateway.js';

/** A deployment as the control plane answers it, plus where it came from when that is known. */
export type ConsoleDeployment = DeploymentJson & { source?: string };

export interface GatewaySource {
  /** `in-process`: read directly; `remote`: through the control plane at `controlPlaneUrl`. */
  readonly kind: 'in-process' | 'remote';
  readonly controlPlaneUrl: string;
  /** The data plane's base URL; for a remote gateway, worked out from a deployment's endpoint (unknown without one). */
  dataPlaneUrl(): Promise<string | undefined>;
  /** The ACTIVE deployments, in creation order. */
  deployments(): Promise<ConsoleDeployment[]>;
  /** The most recent decisions, newest first. */
  decisions(limit: number): Promise<DecisionLogEntry[]>;
}

/** The gateway of this process. */
export function localGateway(gateway: RunningGateway): GatewaySource {
  return {
    kind: 'in-process',
    controlPlaneUrl: gateway.controlPlane.url,
    dataPlaneUrl: async () => gateway.dataPlane.url,
    deployments: async () =>
      gateway.store.active().map((d) => ({ ...deploymentJson(d), source: d.source === 'api' ? 'the control plane (REST API, or the use-case deployments at start)' : `deployment file ${d.source.file.split(/[\\/]/).pop()}` })),
    decisions: async (limit) => gateway.log.recent(limit),
  };
}

/** A gateway in another process, through its control plane (unsigned requests: the harness's local convenience). */
export function remoteGateway(controlPlaneUrl: string, timeoutMs = 3_000): GatewaySource {
  const base = controlPlaneUrl.replace(/\/+$/, '');
  const get = async <T>(path: string): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      throw new Error(`the gateway's control plane at ${base} does not answer (${(err as Error).message}); start the gateway, or set links.gatewayAdminUrl to where it listens`);
    }
    if (!response.ok) throw new Error(`the gateway's control plane answered ${response.status} to GET ${path}: ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as T;
  };
  const deployments = async (): Promise<ConsoleDeployment[]> => {
    const list = await get<{ items: Array<{ id: string }> }>('/20190501/deployments?lifecycleState=ACTIVE&limit=1000&sortBy=timeCreated&sortOrder=ASC');
    return Promise.all(list.items.map((item) => get<DeploymentJson>(`/20190501/deployments/${encodeURIComponent(item.id)}`)));
  };
  return {
    kind: 'remote',
    controlPlaneUrl: base,
    dataPlaneUrl: async () => {
      const first = (await deployments()).find((d) => d.endpoint.endsWith(d.pathPrefix));
      return first?.endpoint.slice(0, first.endpoint.length - first.pathPrefix.length);
    },
    deployments,
    decisions: async (limit) => (await get<{ decisions: DecisionLogEntry[] }>(`/_harness/decisions?limit=${limit}`)).decisions,
  };
}

/**
 * The console's gateway for one process: the one this process runs (read when asked, since the
 * gateway starts after the IAM), else the control plane at `links.gatewayAdminUrl` (default
 * `http://HOST:GATEWAY_ADMIN_PORT`).
 */
export function consoleGateway(config: Pick<StackConfig, 'host' | 'links' | 'gateway'>, running: () => RunningGateway | undefined): () => GatewaySource {
  let remote: GatewaySource | undefined;
  let local: { gateway: RunningGateway; source: GatewaySource } | undefined;
  return () => {
    const gateway = running();
    if (gateway) {
      if (local?.gateway !== gateway) local = { gateway, source: localGateway(gateway) };
      return local.source;
    }
    return (remote ??= remoteGateway(resolveGatewayAdminUrl(config)));
  };
}
