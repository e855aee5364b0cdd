/**
 * The web console's server side (`/console` on the IAM's port): each page answers as HTML with
 * its own title, the JSON API answers what the IAM and the gateway hold, secrets and passwords
 * stay out of every page, the workbench gets its tokens from the IAM's own token endpoint, the
 * decision log shows why a request was refused, and with the gateway in another process the
 * console reads it through the control plane (`links.gatewayAdminUrl`).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackConfig, type StackConfig } from '../../common/config.js';
import { ephemeral, startHarness, type Harness } from '../../stack/index.js';
import { describeStack, startComponents, type RunningComponents } from '../../stack/stack.js';
import { PAGES } from '../../console/layout.js';
import { freePort, ROOT } from '../support/processes.js';

const SECRETS = ['harness-admin-secret', 'usecase1-client-secret', 'usecase2-client-secret'];
const PASSWORD = 'Usecase2-Passw0rd';

let harness: Harness;
let base: string;
beforeAll(async () => {
  harness = await startHarness();
  base = `${harness.urls.iam}/console`;
});
afterAll(() => harness?.stop());

const text = async (path: string) => {
  const response = await fetch(`${base}${path}`);
  return { response, body: await response.text() };
};
const json = async <T = any>(path: string, init?: RequestInit) => {
  const response = await fetch(`${base}${path}`, init);
  return { response, body: (await response.json()) as T };
};
const token = (body: unknown) => json('/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('pages', () => {
  it('every page answers HTML with its title, one h1, the navigation marking it current, and a strict CSP', async () => {
    for (const page of PAGES) {
      const { response, body } = await text(page.path.slice('/console'.length));
      expect(response.status, page.path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(body).toContain(`<title>${page.title} · oci-auth-harness console</title>`);
      expect(body.match(/<h1>/g)).toHaveLength(1);
      expect(body).toContain(`<a href="${page.path}" aria-current="page">`);
      expect(body).toMatch(/<main id="main"/);
      expect(body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]+[^"]*\.(js|css)"/); // nothing from a CDN
    }
  });

  it('an unknown page is a 404 page, an unknown API path a JSON 404, a trailing slash redirects', async () => {
    const page = await text('/no-such-page');
    expect(page.response.status).toBe(404);
    expect(page.body).toContain('No console page at <code>/console/no-such-page</code>');
    const api = await json('/api/no-such');
    expect(api.response.status).toBe(404);
    expect(api.body.error).toContain('no console API');
    const slash = await fetch(`${base}/apps/`, { redirect: 'manual' });
    expect(slash.status).toBe(302);
    expect(slash.headers.get('location')).toBe('/console/apps');
  });

  it('serves its browser code bundled from TypeScript, its stylesheet and icon, with ETags', async () => {
    const js = await fetch(`${base}/assets/console.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await js.text();
    expect(code).toContain('/console/decisions/items');
    expect(code).not.toMatch(/^\s*import\s/m); // one bundle, no imports left to fetch
    const again = await fetch(`${base}/assets/console.js`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${base}/assets/console.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/assets/icon.svg`)).status).toBe(200);
    expect((await fetch(`${base}/assets/nothing.js`)).status).toBe(404);
  });

  it('the browser code type-checks against the DOM library', () => {
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'console/browser/tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('the IAM paths still answer beside the console', async () => {
    expect((await fetch(`${harness.urls.iam}/_harness/health`)).status).toBe(200);
    expect((await fetch(harness.urls.jwks)).status).toBe(200);
  });
});

describe('secrets and passwords', () => {
  it('no page and no API answer carries a client secret or a password', async () => {
    const answers = await Promise.all([
      ...PAGES.map((p) => text(p.path.slice('/console'.length)).then((a) => a.body)),
      ...['/api/overview', '/api/apps', '/api/users', '/api/custom-claims', '/api/workbench', '/api/deployments'].map((p) => text(p).then((a) => a.body)),
    ]);
    for (const body of answers) {
      for (const secret of [...SECRETS, PASSWORD]) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/passwordHash|sha256\$/);
    }
  });

  it('the apps page offers to show a secret; the secret API answers it for that client only', async () => {
    const page = await text('/apps');
    expect(page.body).toContain('data-reveal-client="usecase1_client"');
    expect(page.body).toContain('<span class="secret" id="secret-usecase1_client">hidden</span>');
    const secret = await json('/api/apps/usecase1_client/secret');
    expect(secret.response.headers.get('cache-control')).toBe('no-store');
    expect(secret.body).toEqual({ clientId: 'usecase1_client', clientSecret: 'usecase1-client-secret' });
    expect((await json('/api/apps/anwendung1_resource_server/secret')).response.status).toBe(404);
    expect((await json('/api/apps/nobody/secret')).response.status).toBe(404);
  });

  it("the overview's curl lines hide secrets until asked; shown, they are npm start's lines", async () => {
    const overview = await text('');
    expect(overview.body).toContain('&lt;client secret of usecase1_client&gt;');
    expect(overview.body).toContain('&lt;password of usecase2.user&gt;');
    const revealed = (await json('/api/overview?secrets=show')).body.curl as Array<{ id: string; text: string }>;
    const printed = describeStack(harness.stack);
    const byId = new Map(revealed.map((c) => [c.id, c.text]));
    expect(printed).toContain(byId.get('cc-usecase1_client'));
    expect(printed).toContain(byId.get('ro-usecase2_client'));
    expect(byId.get('gateway-calls')).toContain(`curl -i -H "Authorization: Bearer $TOKEN" ${harness.urls.gateway}/test/1`);
  });

  it('the users page shows custom attributes and whether a password is set, never its value', async () => {
    const { body } = await json('/api/users');
    const user = body.users.find((u: any) => u.userName === 'usecase2.user');
    expect(user).toMatchObject({ displayName: 'Michael Fischer7', hasPassword: true, passwordInConfig: true, customAttributes: [{ name: 'MichaelFischerTest1', displayName: 'API Gateway permission', value: 'Api1Access' }] });
    expect(Object.keys(user)).not.toContain('password');
    const page = await text('/users');
    expect(page.body).toContain('<code>MichaelFischerTest1</code>');
    expect(page.body).toContain('set (seeded by the stack config)');
  });
});

describe('escaping', () => {
  it('what the admin API can write is shown as text, never as markup', async () => {
    const user = harness.stack.iam.context.store.userByName('usecase2.user')!;
    const before = user.displayName;
    user.displayName = '<img src=x onerror="alert(1)">';
    try {
      const { body } = await text('/users');
      expect(body).not.toContain('<img src=x');
      expect(body).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
      expect((await text('/workbench')).body).toContain('usecase2.user (&lt;img src=x');
    } finally {
      user.displayName = before;
    }
  });
});

describe('apps and claims', () => {
  it('resource servers with audience and fully qualified scopes; clients with grants, scopes and roles', async () => {
    const { body } = await json('/api/apps');
    expect(body.resourceServers).toContainEqual(expect.objectContaining({ name: 'anwendung1_resource_server', audience: 'anwendung1', scopes: [expect.objectContaining({ value: 'AnwendungReadA', fqs: 'anwendung1AnwendungReadA' }), expect.objectContaining({ value: 'AnwendungWriteA', fqs: 'anwendung1AnwendungWriteA' })] }));
    expect(body.clients).toContainEqual(expect.objectContaining({ clientId: 'usecase1_client', allowedGrants: ['client_credentials'], allowedScopes: ['anwendung1AnwendungReadA', 'anwendung1AnwendungWriteA'], hasSecret: true }));
    expect(body.clients).toContainEqual(expect.objectContaining({ clientId: 'usecase2_client', allowedGrants: ['password', 'refresh_token'], appRoles: ['Me'], allowedOperations: ['onBehalfOfUser', 'introspect'] }));
  });

  it('custom claims with the value each user gets, evaluated as the token service does', async () => {
    const { body } = await json('/api/custom-claims');
    expect(body.claims).toEqual([expect.objectContaining({ name: 'APIGWMichael4', expression: true, allScopes: true, perUser: [{ userName: 'usecase2.user', value: 'Api1Access' }] })]);
    expect((await text('/claims')).body).toContain('<code>Api1Access</code>');
  });
});

describe('token workbench', () => {
  it('client credentials: a token from the IAM, decoded, explained, signature valid; the gateway accepts it', async () => {
    const { response, body } = await token({ clientId: 'usecase1_client', grantType: 'client_credentials', scope: 'anwendung1AnwendungReadA' });
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ ok: true, status: 200, request: { clientId: 'usecase1_client', scope: 'anwendung1AnwendungReadA', clientAuthentication: 'client_secret_basic', endpoint: harness.urls.token } });
    expect(body.inspection.signature).toMatchObject({ checked: true, valid: true, kid: 'SIGNING_KEY' });
    expect(body.inspection.claims).toMatchObject({ aud: 'anwendung1', scope: 'AnwendungReadA', sub_type: 'client', client_name: 'ResourceServerUse' });
    const exp = body.inspection.claimLines.find((l: any) => l.name === 'exp');
    expect(exp.time.relative).toMatch(/^expires in (59|60) min$/);
    expect(body.inspection.claimLines.find((l: any) => l.name === 'scope').meaning).toContain('verifyClaims');
    const call = await fetch(`${harness.urls.gateway}/test/1`, { headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(call.status).toBe(200);
  });

  it('password grant: the seeded password comes from the config; the custom claim is explained as one', async () => {
    const { body } = await token({ clientId: 'usecase2_client', grantType: 'password', userName: 'usecase2.user', scope: 'urn:opc:idm:__myscopes__ offline_access' });
    expect(body).toMatchObject({ ok: true, request: { userName: 'usecase2.user', password: 'from the stack config' } });
    expect(body.refreshToken).toEqual(expect.any(String));
    expect(body.inspection.claimLines).toContainEqual({ name: 'APIGWMichael4', value: 'Api1Access', meaning: 'custom claim (configured in the identity domain)' });
    const refreshed = await token({ clientId: 'usecase2_client', grantType: 'refresh_token', refreshToken: body.refreshToken });
    expect(refreshed.body).toMatchObject({ ok: true, inspection: { claims: { gtp: 'rt' } } });
  });

  it("a typed wrong password and a short scope are the IAM's refusals, with its reason", async () => {
    const wrong = await token({ clientId: 'usecase2_client', grantType: 'password', userName: 'usecase2.user', password: 'nope', scope: 'urn:opc:idm:__myscopes__' });
    expect(wrong.body).toMatchObject({ ok: false, status: 400, request: { password: 'typed' } });
    const short = await token({ clientId: 'usecase1_client', grantType: 'client_credentials', scope: 'AnwendungReadA' });
    expect(short.body).toMatchObject({ ok: false, status: 400, error: { error: 'invalid_scope', description: 'Invalid scope.' } });
    expect(short.body.error.reason).toContain('fully qualified scope "anwendung1AnwendungReadA"');
  });

  it('what the console cannot send is refused before the IAM is asked, saying what to do', async () => {
    expect((await token({ clientId: 'nobody', grantType: 'client_credentials' })).body.error).toContain('no OAuth client "nobody"');
    expect((await token({ clientId: 'usecase2_client', grantType: 'password' })).body.error).toContain('needs a user');
    expect((await token({ clientId: 'usecase1_client', grantType: 'authorization_code' })).response.status).toBe(400);
    const form = await fetch(`${base}/api/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'clientId=x' });
    expect(form.status).toBe(415);
  });

  it('the form posts to the page: the whole page without JavaScript, the result only as a fragment', async () => {
    const form = 'clientId=usecase1_client&grantType=client_credentials&scopeChoice=anwendung1AnwendungReadA&scopeExtra=';
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const page = await fetch(`${base}/workbench`, { method: 'POST', headers, body: form });
    const html = await page.text();
    expect(html).toContain('<h1>Token workbench</h1>');
    expect(html).toContain('Signature valid');
    const fragment = await (await fetch(`${base}/workbench`, { method: 'POST', headers: { ...headers, 'x-console-fragment': 'result' }, body: form })).text();
    expect(fragment).not.toContain('<h1>');
    expect(fragment).toMatch(/<th scope="row"><code>aud<\/code><\/th>\s*<td><code class="value">anwendung1<\/code>/);
  });
});

describe('gateway deployments and decisions (gateway in this process)', () => {
  it('each deployment with its authentication, verifyClaims and route authorization', async () => {
    const { body } = await json('/api/deployments');
    expect(body.source).toMatchObject({ kind: 'in-process', controlPlaneUrl: harness.urls.controlPlane, dataPlaneUrl: harness.urls.gateway });
    const test = body.deployments.find((d: any) => d.pathPrefix === '/test');
    expect(test.authentication).toMatchObject({ type: 'JWT_AUTHENTICATION', issuers: ['https://identity.oraclecloud.com/'], audiences: ['anwendung1'], tokenLocation: 'header Authorization, scheme Bearer', keys: `REMOTE_JWKS ${harness.urls.jwks} (cached up to 1 h)` });
    expect(test.routes).toEqual([expect.objectContaining({ path: '/1', methods: ['GET'], authorizationType: 'ANY_OF', allowedScope: ['AnwendungReadA'] })]);
    const test2 = body.deployments.find((d: any) => d.pathPrefix === '/test2');
    expect(test2.authentication.verifyClaims).toEqual([{ key: 'APIGWMichael4', values: ['Api1Access'], isRequired: true }]);
    expect(test2.routes[0].authorizationType).toBe('AUTHENTICATION_ONLY (default)');
    const page = (await text('/gateway')).body;
    expect(page).toContain('<code>/test</code> use case 1');
    expect(page).toContain('verifyClaims (each value is an exact string match');
  });

  it('a refused request shows up with the refusing check, its message, expected and found', async () => {
    const before = (await json('/api/decisions?limit=1')).body.decisions[0]?.requestId ?? '';
    expect((await fetch(`${harness.urls.gateway}/test/1`)).status).toBe(401);
    const items = await json(`/decisions/items?since=${encodeURIComponent(before)}`);
    expect(items.body).toMatchObject({ reset: before === '', total: expect.any(Number) });
    expect(items.body.refused).toEqual([expect.objectContaining({ summary: 'GET /test/1 401: authentication.token: JWT token not found in the request.' })]);
    expect(items.body.html).toContain('Refused by <code class="check">authentication.token</code>: <span class="message">JWT token not found in the request.</span>');
    expect(items.body.html).toContain("<dt>Expected</dt><dd><code>a token in the header &#39;Authorization&#39; with scheme &#39;Bearer&#39;</code></dd><dt>Found</dt><dd><code>null</code></dd>");
    const none = await json(`/decisions/items?since=${encodeURIComponent(items.body.newest)}`);
    expect(none.body).toMatchObject({ reset: false, html: '', refused: [] });
    const unknown = await json('/decisions/items?since=no-such-request');
    expect(unknown.body.reset).toBe(true);
    expect((await text('/decisions')).body).toContain('JWT token not found in the request.');
  });
});

describe('gateway in another process (one container per component)', () => {
  let gatewaySide: RunningComponents;
  let iamSide: RunningComponents;
  let lonely: RunningComponents;
  const layer = (config: StackConfig, change: (c: StackConfig) => void) => {
    const copy = structuredClone(config);
    change(copy);
    return copy;
  };
  beforeAll(async () => {
    const config = ephemeral(loadStackConfig(undefined, {}));
    // As in containers: the gateway reaches the IAM by its link, the IAM's console the gateway's control plane by its own.
    const iamPort = await freePort();
    gatewaySide = await startComponents(layer(config, (c) => (c.links.iamUrl = `http://127.0.0.1:${iamPort}`)), { components: ['gateway', 'backend'] });
    iamSide = await startComponents(layer(config, (c) => ((c.iam.port = iamPort), (c.links.gatewayAdminUrl = gatewaySide.gateway!.controlPlane.url))), { components: ['iam'] });
    lonely = await startComponents(layer(config, (c) => (c.links.gatewayAdminUrl = 'http://127.0.0.1:9')), { components: ['iam'] });
  });
  afterAll(async () => {
    await Promise.all([gatewaySide, iamSide, lonely].map((s) => s?.stop()));
  });

  it('reads the deployments and the decisions through the control plane', async () => {
    const url = `${iamSide.iam!.url}/console`;
    const deployments = (await (await fetch(`${url}/api/deployments`)).json()) as any;
    expect(deployments.source).toEqual({ kind: 'remote', controlPlaneUrl: gatewaySide.gateway!.controlPlane.url, dataPlaneUrl: gatewaySide.gateway!.dataPlane.url });
    expect(deployments.deployments.map((d: any) => d.pathPrefix)).toEqual(['/test', '/test2']);
    expect(deployments.deployments[0].routes[0]).toMatchObject({ authorizationType: 'ANY_OF', allowedScope: ['AnwendungReadA'] });
    await fetch(`${gatewaySide.gateway!.dataPlane.url}/test2/1`);
    const decisions = (await (await fetch(`${url}/api/decisions?limit=1`)).json()) as any;
    expect(decisions.decisions[0]).toMatchObject({ path: '/test2/1', outcome: 'refused', reason: { check: 'authentication.token' } });
    // A workbench token from the IAM's console passes the gateway of the other process.
    const issued = (await (await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'usecase1_client', grantType: 'client_credentials', scope: 'anwendung1AnwendungReadA' }) })).json()) as any;
    expect((await fetch(`${gatewaySide.gateway!.dataPlane.url}/test/1`, { headers: { authorization: `Bearer ${issued.accessToken}` } })).status).toBe(200);
    expect(((await (await fetch(`${url}/api/decisions?limit=1`)).json()) as any).decisions[0]).toMatchObject({ path: '/test/1', outcome: 'accepted', status: 200 });
    const overview = await (await fetch(url)).text();
    expect(overview).toContain('another process (links.gatewayAdminUrl)');
  });

  it('an unreachable gateway is named on the page with what to do; the IAM pages still work', async () => {
    const url = `${lonely.iam!.url}/console`;
    const page = await fetch(`${url}/gateway`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('does not answer');
    const api = await fetch(`${url}/api/decisions`);
    expect(api.status).toBe(502);
    expect(((await api.json()) as any).error).toContain('set links.gatewayAdminUrl');
    expect((await fetch(`${url}/apps`)).status).toBe(200);
    expect(await (await fetch(url)).text()).toContain('class="problem"');
  });
});
