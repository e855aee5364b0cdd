/**
 * The gateway's control plane over HTTP, in OCI API Gateway's REST shape (version 20190501), so
 * the real `DeploymentClient` of oci-apigateway, the OCI CLI's requests and curl all work:
 *
 *   POST   /20190501/deployments        → 200, the Deployment, `etag`, `opc-work-request-id`
 *   GET    /20190501/deployments        → 200, `{items: [DeploymentSummary]}`, `opc-next-page`
 *   GET    /20190501/deployments/{id}   → 200, the Deployment, `etag`
 *   PUT    /20190501/deployments/{id}   → 202, no body, `opc-work-request-id` (the SDK reads no body)
 *   DELETE /20190501/deployments/{id}   → 202, no body, `opc-work-request-id`
 *   GET    /_harness/health             → 200
 *
 * Routes only: the bodies are read by deployment-details.ts, lists by deployment-list.ts, callers
 * by control-plane-auth.ts, and the store keeps the deployments.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { ControllableClock, type Clock } from '../../common/clock.js';
import { harnessRoutes } from '../../common/harness-routes.js';
import { errorMapper, opcRequestId, readRawBytes } from '../../common/http.js';
import type { OciApiKey } from '../../common/oci-signature.js';
import { authenticateControlPlane } from './control-plane-auth.js';
import { controlPlaneError } from './control-plane-errors.js';
import { createDeploymentDetails, updateDeploymentDetails } from './deployment-details.js';
import { deploymentJson, deploymentSummaryJson } from './deployment-json.js';
import { listDeployments, parseListQuery } from './deployment-list.js';
import { DeploymentStoreError, type Deployment, type DeploymentStore } from './deployment-store.js';

export const API_VERSION_PREFIX = '/20190501';
/** A specification may be 2 MB of JSON (OCI's limit); the rest of the body is small. */
export const MAX_DEPLOYMENT_BODY_BYTES = 3 * 1024 * 1024;
const JSON_TYPE = 'application/json';

export interface ControlPlaneDeps {
  store: DeploymentStore;
  clock: Clock;
  ociApiKeys: ReadonlyMap<string, OciApiKey>;
}

export function controlPlaneApp(deps: ControlPlaneDeps): Koa {
  const { store } = deps;
  const router = new Router();

  router.post(`${API_VERSION_PREFIX}/deployments`, (http) => {
    const details = createDeploymentDetails(jsonBody(http));
    if (!details.ok) throw controlPlaneError.invalidParameter(details.problems);
    const created = storeWrite(() => store.create(details.value, 'api'));
    // OCI answers 200 (not 201) with the new Deployment; its state is ACTIVE at once here.
    sendDeployment(http, created);
    http.set('opc-work-request-id', workRequestId());
  });

  router.get(`${API_VERSION_PREFIX}/deployments`, (http) => {
    const query = parseListQuery(new URLSearchParams(http.querystring));
    if (!query.ok) throw controlPlaneError.invalidParameter(query.problems);
    const page = listDeployments(store.list(), query.value);
    if (page.nextPage !== undefined) http.set('opc-next-page', page.nextPage);
    http.type = JSON_TYPE;
    http.body = { items: page.items.map(deploymentSummaryJson) };
  });

  router.get(`${API_VERSION_PREFIX}/deployments/:deploymentId`, (http) => {
    sendDeployment(http, existing(store, http.params.deploymentId!));
  });

  router.put(`${API_VERSION_PREFIX}/deployments/:deploymentId`, (http) => {
    const current = existing(store, http.params.deploymentId!);
    checkIfMatch(http, current);
    assertChangeable(current, 'updated');
    const details = updateDeploymentDetails(jsonBody(http), current);
    if (!details.ok) throw controlPlaneError.invalidParameter(details.problems);
    storeWrite(() => store.update(current.id, details.value));
    accepted(http);
  });

  router.delete(`${API_VERSION_PREFIX}/deployments/:deploymentId`, (http) => {
    const current = existing(store, http.params.deploymentId!);
    checkIfMatch(http, current);
    assertChangeable(current, 'deleted');
    store.delete(current.id);
    accepted(http);
  });

  const details = () => ({ deployments: store.active().length });
  if (deps.clock instanceof ControllableClock) harnessRoutes(router, 'gateway-control-plane', deps.clock, details);
  else
    router.get('/_harness/health', (http) => {
      http.body = { status: 'UP', component: 'gateway-control-plane', ...details() };
    });

  const app = new Koa();
  app.use(opcRequestId());
  app.use(errorMapper('oci'));
  app.use(async (http, next) => {
    await next();
    // What the router leaves unanswered gets OCI's error body instead of koa's plain text.
    if (http.status === 405 && typeof http.body !== 'object') {
      throw controlPlaneError.methodNotAllowed(http.method, http.path, http.response.get('allow'));
    }
    if (http.status === 404 && http.body === undefined) throw controlPlaneError.notFound(http.method, http.path);
  });
  app.use(async (http, next) => {
    if (http.path === API_VERSION_PREFIX || http.path.startsWith(`${API_VERSION_PREFIX}/`)) {
      // The signature covers the body bytes, so they are read before anything is decided.
      const raw = await readRawBytes(http, MAX_DEPLOYMENT_BODY_BYTES);
      http.state.rawBody = raw;
      authenticateControlPlane(
        { method: http.method, target: http.originalUrl, headers: http.req.headers, body: raw.length ? raw : undefined },
        deps.ociApiKeys,
        deps.clock.nowMs(),
      );
    }
    await next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

function sendDeployment(http: Context, deployment: Deployment): void {
  http.status = 200;
  http.set('etag', deployment.etag);
  http.type = JSON_TYPE;
  http.body = deploymentJson(deployment);
}

/** UpdateDeployment and DeleteDeployment are asynchronous in OCI: 202 and a work request, no body. */
function accepted(http: Context): void {
  http.status = 202;
  http.set('opc-work-request-id', workRequestId());
  http.body = '';
}

/** An id in the shape of OCI's work request OCIDs; the harness has no work requests to look up. */
function workRequestId(): string {
  return `ocid1.apigatewayworkrequest.oc1..aaaaaaaa${randomBytes(26).toString('hex').slice(0, 52)}`;
}

function existing(store: DeploymentStore, id: string): Deployment {
  const deployment = store.get(id);
  if (!deployment) throw controlPlaneError.notAuthorizedOrNotFound(`no deployment ${id}`);
  return deployment;
}

/** `if-match` must name the current etag (`*` names any); without it the write is unconditional. */
function checkIfMatch(http: Context, current: Deployment): void {
  const ifMatch = http.get('if-match');
  if (ifMatch === '' || ifMatch === '*' || ifMatch === current.etag) return;
  throw controlPlaneError.noEtagMatch(ifMatch, current.etag);
}

/**
 * A DELETED deployment stays readable but cannot change. A deployment loaded from a file belongs
 * to that file: an API write would be undone by the next edit of the file, so it is refused.
 */
function assertChangeable(current: Deployment, what: 'updated' | 'deleted'): void {
  if (current.lifecycleState !== 'ACTIVE') throw controlPlaneError.conflict(`The deployment ${current.id} is ${current.lifecycleState} and cannot be ${what}.`);
  if (current.source !== 'api') {
    throw controlPlaneError.conflict(`The deployment ${current.id} is defined by the file ${current.source.file} and cannot be ${what} through the API; edit or remove the file.`);
  }
}

function jsonBody(http: Context): unknown {
  const raw = http.state.rawBody as Buffer | undefined;
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw controlPlaneError.cannotParseRequest(`the body is not JSON: ${(err as Error).message}`);
  }
}

function storeWrite(write: () => Deployment): Deployment {
  try {
    return write();
  } catch (err) {
    if (!(err instanceof DeploymentStoreError)) throw err;
    if (err.kind === 'not-found') throw controlPlaneError.notAuthorizedOrNotFound(err.message);
    throw controlPlaneError.conflict(`${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`);
  }
}
