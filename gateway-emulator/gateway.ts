/**
 * The gateway emulator assembled: the deployment store (control plane and deployment files), the
 * pipeline's caches (JWKS, rate limits, authorizer results), the backends, the decision log, and
 * two listeners: the data plane and the control plane (`/20190501/deployments`, `/_harness/*`).
 */
import Router from '@koa/router';
import Koa from 'koa';
import compose from 'koa-compose';
import type { ControllableClock } from '../common/clock.js';
import type { StackConfig } from '../common/config.js';
import { listen, type RunningServer } from '../common/http.js';
import type { OciApiKey } from '../common/oci-signature.js';
import { HttpBackends } from './backends/http-backend.js';
import { controlPlaneApp } from './control-plane/control-plane-server.js';
import { watchDeploymentFiles } from './control-plane/deployment-files.js';
import { DeploymentStore } from './control-plane/deployment-store.js';
import { startDataPlane } from './data-plane.js';
import { DecisionLog } from './decision-log.js';
import { AuthorizerCache } from './pipeline/authenticate-custom.js';
import { JwksCache } from './pipeline/jwks-cache.js';
import { RateLimiter } from './pipeline/rate-limit.js';
import { VerifiedTokenCache } from './pipeline/verified-token-cache.js';

export interface RunningGateway {
  readonly dataPlane: RunningServer;
  readonly controlPlane: RunningServer;
  readonly store: DeploymentStore;
  readonly log: DecisionLog;
  readonly jwks: JwksCache;
  readonly verifiedTokens: VerifiedTokenCache;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  host: string;
  clock: ControllableClock;
  ociApiKeys: ReadonlyMap<string, OciApiKey>;
  /** Where decision log lines go (one JSON line per request); none by default. */
  logSink?: (line: string) => void;
  /** Where control-plane notes go (deployment files loaded or refused). */
  note?: (line: string) => void;
}

export async function startGateway(config: StackConfig['gateway'], options: GatewayOptions): Promise<RunningGateway> {
  let dataPlaneUrl = '';
  const store = new DeploymentStore({ clock: options.clock, endpointBase: () => dataPlaneUrl });
  const log = new DecisionLog(config.decisionLogSize, options.logSink);
  const jwks = new JwksCache({ clock: options.clock });
  const verifiedTokens = new VerifiedTokenCache({});
  const backends = new HttpBackends();
  const functions = { urlFor: (functionId: string) => config.functions[functionId] };
  const files = watchDeploymentFiles(config.deployments, store, options.note ?? (() => {}));
  await files.loaded;

  // The data plane reads the active deployments on every request: rebuild the views only on change.
  let active = store.active();
  store.onChange(() => {
    active = store.active();
  });

  const dataPlane = await startDataPlane(
    {
      clock: options.clock,
      jwks,
      verifiedTokens,
      rateLimiter: new RateLimiter({ clock: options.clock }),
      authorizerCache: new AuthorizerCache({ clock: options.clock }),
      functions,
      deployments: () => active,
      backends,
      log,
      explainRefusals: config.explainRefusals,
    },
    config.port,
    options.host,
  );
  dataPlaneUrl = dataPlane.url;

  // The control plane of the SDKs plus the harness's decision trace, on the admin port.
  const harness = new Router();
  harness.get('/_harness/decisions', (http) => {
    const limit = Number(http.query.limit ?? 100);
    http.body = { decisions: log.recent(Number.isInteger(limit) && limit > 0 ? limit : 100) };
  });
  const app = new Koa();
  const controlPlane = controlPlaneApp({ store, clock: options.clock, ociApiKeys: options.ociApiKeys });
  app.use(harness.routes());
  app.use(compose(controlPlane.middleware));
  const control = await listen(app, config.adminPort, options.host);

  return {
    dataPlane,
    controlPlane: control,
    store,
    log,
    jwks,
    verifiedTokens,
    stop: async () => {
      files.close();
      await Promise.all([dataPlane.stop(), control.stop()]);
      await backends.close();
    },
  };
}
