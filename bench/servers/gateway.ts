/**
 * Cases (c)–(e) of the gateway bench: the gateway emulator (`startGateway`, data and control
 * plane on ephemeral ports, no deployment files), in its own process.
 *
 * Commands (servers/protocol.ts):
 * - `deploy {backendUrl, jwksUri, issuer}`: creates `/open` (route `/1`, no authentication) and the
 *   blog's use case 1 `/test` (JWT_AUTHENTICATION, REMOTE_JWKS at `jwksUri`, route `/1` with
 *   ANY_OF `AnwendungReadA`), both to `${backendUrl}/anwendung1/1`; answers their paths.
 * - `deploy-limited {rate}`: `/limited-ip` and `/limited-total` (route `/r`, a stock 200), with
 *   `rateLimiting` at `rate` requests per second keyed by CLIENT_IP and TOTAL; answers their paths.
 * - `memory {gc?}`: `process.memoryUsage()` of this process; with `gc: true` and `--expose-gc`,
 *   after a full garbage collection (so the heap figure is what is live, not what awaits collection).
 * - `caches`: the verified-token cache's and the JWKS cache's counters.
 */
import { ControllableClock } from '../../common/clock.js';
import { DEFAULT_CONFIG_FILE, loadStackConfig } from '../../common/config.js';
import { startGateway } from '../../gateway-emulator/gateway.js';
import { blogUseCase1WithScope } from '../../gateway-emulator/spec/examples.js';
import { validateDeployment, type DeploymentInput } from '../../gateway-emulator/spec/validate.js';
import { emit, serveCommands } from './protocol.js';

// An empty environment: GATEWAY_PORT and friends of the calling shell must not move the bench's ports.
const config = loadStackConfig(DEFAULT_CONFIG_FILE, {});
const gateway = await startGateway(
  { ...config.gateway, port: 0, adminPort: 0, deployments: [], useCaseDeployments: false, explainRefusals: false },
  { host: '127.0.0.1', clock: new ControllableClock(), ociApiKeys: new Map() },
);

function deploy(raw: DeploymentInput): string {
  const checked = validateDeployment(raw);
  if (!checked.ok) throw new Error(`bench deployment ${raw.pathPrefix} is invalid: ${checked.problems.join('; ')}`);
  const created = gateway.store.create({ ...checked.value, displayName: `bench ${raw.pathPrefix}` });
  return `${created.pathPrefix}${created.specification.routes?.[0]?.path ?? ""}`;
}

serveCommands((command) => {
  switch (command.cmd) {
    case 'deploy': {
      const backend = `${String(command.backendUrl)}/anwendung1/1`;
      const open = deploy({
        pathPrefix: '/open',
        specification: { routes: [{ path: '/1', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: backend } }] },
      } as unknown as DeploymentInput);
      const jwt = deploy(blogUseCase1WithScope(String(command.jwksUri), backend, String(command.issuer)));
      return { open, jwt };
    }
    case 'deploy-limited': {
      const rate = Number(command.rate);
      const limited = (pathPrefix: string, rateKey: 'CLIENT_IP' | 'TOTAL') =>
        deploy({
          pathPrefix,
          specification: {
            requestPolicies: { rateLimiting: { rateInRequestsPerSecond: rate, rateKey } },
            routes: [{ path: '/r', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }],
          },
        } as unknown as DeploymentInput);
      return { clientIp: limited('/limited-ip', 'CLIENT_IP'), total: limited('/limited-total', 'TOTAL') };
    }
    case 'memory': {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (command.gc && gc) gc();
      return { ...process.memoryUsage(), collected: Boolean(command.gc && gc) };
    }
    case 'caches':
      return { verifiedTokens: gateway.verifiedTokens.stats(), jwks: gateway.jwks.stats() };
    default:
      return { error: `unknown command ${String(command.cmd)}` };
  }
});
emit({ ready: true, url: gateway.dataPlane.url, adminUrl: gateway.controlPlane.url });
