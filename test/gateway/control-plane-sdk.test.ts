/**
 * The real oci-apigateway `DeploymentClient`, signing with an API key the stack config lists,
 * against the control plane: create, get, update (with if-match), list, delete, and the errors the
 * SDK turns into its OciError (status and service code as OCI's).
 */
import { DeploymentClient, models, requests } from 'oci-apigateway';
import * as common from 'oci-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllableClock } from '../../common/clock.js';
import { ociApiKeyMap, parseStackConfig } from '../../common/config.js';
import { listen, type RunningServer } from '../../common/http.js';
import { controlPlaneApp } from '../../gateway-emulator/control-plane/control-plane-server.js';
import { DeploymentStore } from '../../gateway-emulator/control-plane/deployment-store.js';
import { makeApiKey } from '../support/oci-api-key.js';

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaasdktenancy';
const USER = 'ocid1.user.oc1..aaaaaaaasdkuser';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaasdkcompartment';
const GATEWAY = 'ocid1.apigateway.oc1..aaaaaaaasdkgateway';
const DATA_PLANE = 'http://127.0.0.1:18000';

const makeKey = () => makeApiKey(TENANCY, USER);

const provider = (key: ReturnType<typeof makeKey>) =>
  new common.SimpleAuthenticationDetailsProvider(TENANCY, USER, key.fingerprint, key.privateKeyPem, null, common.Region.EU_FRANKFURT_1);

/** Use case 1 of the blog as the SDK's typed models write it. */
function specification(body: string): models.ApiSpecification {
  const backend: models.StockResponseBackend = { type: 'STOCK_RESPONSE_BACKEND', status: 200, body };
  return { routes: [{ path: '/1', methods: [models.ApiSpecificationRoute.Methods.Get], backend }] };
}

/** What the SDK throws, as far as a caller looks at it. */
async function sdkError(call: Promise<unknown>): Promise<{ statusCode: number; serviceCode: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as common.OciError;
    return { statusCode: e.statusCode, serviceCode: e.serviceCode };
  }
  throw new Error('the call succeeded');
}

describe('oci-apigateway DeploymentClient against the control plane', () => {
  const registered = makeKey();
  const unregistered = makeKey();
  // The SDK dates its requests with the real clock; the control plane's clock is the real one too.
  const clock = new ControllableClock();
  let store: DeploymentStore;
  let server: RunningServer;
  let client: DeploymentClient;

  beforeAll(async () => {
    const config = parseStackConfig({ ociApiKeys: [{ keyId: registered.keyId, publicKey: registered.publicKeyPem }] }, 'control-plane sdk test');
    store = new DeploymentStore({ clock, endpointBase: () => DATA_PLANE });
    server = await listen(controlPlaneApp({ store, clock, ociApiKeys: ociApiKeyMap(config) }), 0, '127.0.0.1');
    client = new DeploymentClient({ authenticationDetailsProvider: provider(registered) });
    client.endpoint = server.url;
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it('createDeployment, getDeployment, updateDeployment, listDeployments, deleteDeployment', async () => {
    const created = await client.createDeployment({
      createDeploymentDetails: { displayName: 'sdk deployment', gatewayId: GATEWAY, compartmentId: COMPARTMENT, pathPrefix: '/sdk', specification: specification('v1') },
    });
    expect(created.deployment.id).toMatch(/^ocid1\.apideployment\.oc1\.\.aaaaaaaa[0-9a-f]{52}$/);
    expect(created.deployment).toMatchObject({
      displayName: 'sdk deployment',
      gatewayId: GATEWAY,
      compartmentId: COMPARTMENT,
      pathPrefix: '/sdk',
      endpoint: 'http://127.0.0.1:18000/sdk',
      lifecycleState: models.Deployment.LifecycleState.Active,
    });
    expect(created.deployment.specification.routes?.[0]?.backend).toEqual({ type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'v1' });
    expect(created.etag).toBe(store.get(created.deployment.id)!.etag);
    expect(created.opcWorkRequestId).toMatch(/^ocid1\.apigatewayworkrequest\.oc1\.\./);
    expect(created.opcRequestId).toMatch(/^[\w./:-]+$/);
    const id = created.deployment.id;

    const read = await client.getDeployment({ deploymentId: id });
    expect(read.deployment.displayName).toBe('sdk deployment');
    expect(read.etag).toBe(created.etag);

    const updated = await client.updateDeployment({
      deploymentId: id,
      ifMatch: read.etag,
      updateDeploymentDetails: { displayName: 'sdk deployment v2', specification: specification('v2') },
    });
    expect(updated.opcWorkRequestId).toMatch(/^ocid1\.apigatewayworkrequest\.oc1\.\./);
    expect(store.get(id)!.displayName).toBe('sdk deployment v2');
    expect((store.get(id)!.specification.routes![0]!.backend as models.StockResponseBackend).body).toBe('v2');

    // Another deployment in another compartment stays out of the list.
    await client.createDeployment({
      createDeploymentDetails: { gatewayId: GATEWAY, compartmentId: 'ocid1.compartment.oc1..aaaaaaaaother', pathPrefix: '/sdk-other', specification: specification('x') },
    });
    const listed = await client.listDeployments({ compartmentId: COMPARTMENT, gatewayId: GATEWAY, lifecycleState: 'ACTIVE' });
    expect(listed.deploymentCollection.items.map((d) => [d.id, d.displayName, d.pathPrefix, d.lifecycleState])).toEqual([[id, 'sdk deployment v2', '/sdk', 'ACTIVE']]);
    expect(listed.opcNextPage).toBeUndefined();

    const deleted = await client.deleteDeployment({ deploymentId: id });
    expect(deleted.opcWorkRequestId).toMatch(/^ocid1\.apigatewayworkrequest\.oc1\.\./);
    expect((await client.getDeployment({ deploymentId: id })).deployment.lifecycleState).toBe(models.Deployment.LifecycleState.Deleted);
    expect(store.active().map((d) => d.pathPrefix)).toEqual(['/sdk-other']);
  });

  it('listDeployments pages with limit and page (opc-next-page)', async () => {
    const compartmentId = 'ocid1.compartment.oc1..aaaaaaaapaging';
    for (const n of [1, 2, 3]) {
      await client.createDeployment({ createDeploymentDetails: { displayName: `page ${n}`, gatewayId: GATEWAY, compartmentId, pathPrefix: `/page-${n}`, specification: specification('p') } });
    }
    const first = await client.listDeployments({ compartmentId, limit: 2, sortBy: requests.ListDeploymentsRequest.SortBy.DisplayName });
    expect(first.deploymentCollection.items.map((d) => d.displayName)).toEqual(['page 1', 'page 2']);
    expect(first.opcNextPage).toBe('2');
    const second = await client.listDeployments({ compartmentId, limit: 2, page: first.opcNextPage!, sortBy: requests.ListDeploymentsRequest.SortBy.DisplayName });
    expect(second.deploymentCollection.items.map((d) => d.displayName)).toEqual(['page 3']);
    expect(second.opcNextPage).toBeUndefined();
  });

  it('errors come back as the SDK\'s OciError with OCI\'s status and code', async () => {
    expect(await sdkError(client.getDeployment({ deploymentId: 'ocid1.apideployment.oc1..aaaaaaaanosuch' }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    const made = await client.createDeployment({ createDeploymentDetails: { gatewayId: GATEWAY, compartmentId: COMPARTMENT, pathPrefix: '/sdk-errors', specification: specification('e') } });
    expect(
      await sdkError(client.updateDeployment({ deploymentId: made.deployment.id, ifMatch: 'not-the-etag', updateDeploymentDetails: { displayName: 'x' } })),
    ).toEqual({ statusCode: 412, serviceCode: 'NoEtagMatch' });
    expect(
      await sdkError(client.createDeployment({ createDeploymentDetails: { gatewayId: GATEWAY, compartmentId: COMPARTMENT, pathPrefix: '/sdk-errors', specification: specification('e') } })),
    ).toEqual({ statusCode: 409, serviceCode: 'Conflict' });
    const badRoute = { routes: [{ path: 'no-slash', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200 } as models.StockResponseBackend }] };
    expect(
      await sdkError(client.createDeployment({ createDeploymentDetails: { gatewayId: GATEWAY, compartmentId: COMPARTMENT, pathPrefix: '/sdk-bad', specification: badRoute } })),
    ).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });

  it('a client signing with a key the stack config does not list → 401 NotAuthenticated, nothing created', async () => {
    const stranger = new DeploymentClient({ authenticationDetailsProvider: provider(unregistered) });
    stranger.endpoint = server.url;
    try {
      expect(
        await sdkError(
          stranger.createDeployment({ createDeploymentDetails: { gatewayId: GATEWAY, compartmentId: COMPARTMENT, pathPrefix: '/stranger', specification: specification('s') } }),
        ),
      ).toEqual({ statusCode: 401, serviceCode: 'NotAuthenticated' });
      expect(await sdkError(stranger.listDeployments({ compartmentId: COMPARTMENT }))).toEqual({ statusCode: 401, serviceCode: 'NotAuthenticated' });
    } finally {
      stranger.close();
    }
    expect(store.list().map((d) => d.pathPrefix)).not.toContain('/stranger');
  });
});
