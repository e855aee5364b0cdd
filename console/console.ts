/**
 * The web console, served by the mock IAM under `/console`: pages (server-rendered HTML, each its
 * own URL) and `/console/api/*` (the same data as JSON). It reads the IAM's own store and keys,
 * asks the IAM's own token endpoint for tokens, and reads the gateway through `GatewaySource`
 * (the running gateway, or its control plane), so nothing here decides anything a server decides.
 *
 * Several server-rendered pages rather than one client-side application: every page has its own
 * URL, title and heading (links, the back button and screen readers work as on any site, with no
 * focus handling to get right on a client-side route change), it reads fine without JavaScript,
 * and the browser code stays small (copying, showing a secret on request, the workbench without a
 * reload, the live decision log).
 */
import Router from '@koa/router';
import type Koa from 'koa';
import compose from 'koa-compose';
import type { StackConfig } from '../common/config.js';
import { BodyError, readForm, readJson } from '../common/http.js';
import type { IamContext } from '../mock-iam/iam-context.js';
import { consoleAssets } from './assets.js';
import type { GatewaySource } from './gateway-source.js';
import { html, type Html } from './html.js';
import { CONSOLE_PATH, page, PAGES, type PageId } from './layout.js';
import { appsPage, claimsPage, curlText, decisionItem, decisionsPage, gatewayPage, overviewPage, usersPage, workbenchPage, workbenchResultHtml, type WorkbenchForm } from './pages.js';
import { appsView, clientSecret, curlBlocks, customClaimsView, deploymentView, usersView, workbenchChoices, type OverviewData } from './views.js';
import { requestToken, WorkbenchProblem, type WorkbenchResult } from './workbench.js';

export interface ConsoleDeps {
  iam: IamContext;
  /** Where the IAM listens: the workbench calls its token endpoint there. */
  iamUrl: () => string;
  /** The stack config: the seeded users' passwords (the store keeps hashes), for the workbench and the curl lines. */
  config: Pick<StackConfig, 'iam'>;
  /** The gateway to show, asked on every request (it starts after the IAM). */
  gateway: () => GatewaySource;
}

/** How many decisions a page or a poll shows at most. */
const DECISIONS_SHOWN = 100;

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const title = (id: PageId) => PAGES.find((p) => p.id === id)?.title ?? (id === 'not-found' ? 'Page not found' : 'Console error');

async function overviewData(deps: ConsoleDeps): Promise<OverviewData> {
  const { iam } = deps;
  const gateway = deps.gateway();
  let deployments: Awaited<ReturnType<GatewaySource['deployments']>> = [];
  let dataPlaneUrl: string | undefined;
  let error: string | undefined;
  try {
    deployments = await gateway.deployments();
    dataPlaneUrl = await gateway.dataPlaneUrl();
  } catch (err) {
    error = (err as Error).message;
  }
  const apps = appsView(iam);
  const users = usersView(iam, deps.config);
  const claims = customClaimsView(iam);
  return {
    iam: {
      baseUrl: iam.baseUrl,
      issuer: iam.issuer,
      tokenEndpoint: `${iam.baseUrl}/oauth2/v1/token`,
      jwks: `${iam.baseUrl}/admin/v1/SigningCert/jwk`,
      jwksPublic: iam.settings.signingCertPublicAccess,
      discovery: `${iam.baseUrl}/.well-known/openid-configuration`,
      tenant: iam.identity.tenant,
      domainUrl: iam.identity.domainUrl,
    },
    gateway: { kind: gateway.kind, controlPlaneUrl: gateway.controlPlaneUrl, dataPlaneUrl, decisionsUrl: `${gateway.controlPlaneUrl}/_harness/decisions`, error },
    seeded: [
      { title: 'Resource servers', href: `${CONSOLE_PATH}/apps#resource-servers`, names: apps.resourceServers.map((r) => `${r.name} (audience ${r.audience})`) },
      { title: 'Clients', href: `${CONSOLE_PATH}/apps#clients`, names: apps.clients.map((c) => c.clientId) },
      { title: 'Users', href: `${CONSOLE_PATH}/users`, names: users.users.map((u) => u.userName) },
      { title: 'Custom user attributes', href: `${CONSOLE_PATH}/users#schema`, names: users.schemaAttributes.map((a) => a.name) },
      { title: 'Custom claims', href: `${CONSOLE_PATH}/claims`, names: claims.claims.map((c) => c.name) },
      { title: 'Gateway deployments', href: `${CONSOLE_PATH}/gateway`, names: deployments.map((d) => `${d.pathPrefix} (${d.displayName})`) },
    ],
    curl: curlBlocks(iam, deps.config, deployments, dataPlaneUrl),
  };
}

/** `?since=<requestId>`: the entries newer than that one; all of them (`reset`) when it is no longer in the log. */
function newerThan<T extends { requestId: string }>(entries: T[], since: string | undefined): { entries: T[]; reset: boolean } {
  if (!since) return { entries, reset: true };
  const at = entries.findIndex((e) => e.requestId === since);
  return at < 0 ? { entries, reset: true } : { entries: entries.slice(0, at), reset: false };
}

function workbenchForm(form: URLSearchParams): WorkbenchForm & { scope: string; password?: string | undefined } {
  const scopes = form.getAll('scopeChoice');
  const scopeExtra = form.get('scopeExtra') ?? '';
  return {
    clientId: form.get('clientId') ?? undefined,
    grantType: form.get('grantType') ?? undefined,
    userName: form.get('userName') ?? undefined,
    password: form.get('password') || undefined,
    refreshToken: form.get('refreshToken') ?? undefined,
    scopes,
    scopeExtra,
    scope: [...scopes, scopeExtra].join(' '),
  };
}

async function workbenchOutcome(deps: ConsoleDeps, request: unknown): Promise<WorkbenchResult | { problem: string }> {
  try {
    return await requestToken({ iam: deps.iam, iamUrl: deps.iamUrl, config: deps.config }, request);
  } catch (err) {
    if (err instanceof WorkbenchProblem) return { problem: err.message };
    throw err;
  }
}

/** The console's routes, as one middleware for the IAM's app (`startIam`'s `mount`). */
export function consoleMiddleware(deps: ConsoleDeps): Koa.Middleware {
  const assets = consoleAssets();
  const router = new Router({ prefix: CONSOLE_PATH });
  const sendPage = (http: Koa.Context, id: PageId, body: Html, status = 200) => {
    http.status = status;
    http.type = 'text/html; charset=utf-8';
    http.set('cache-control', 'no-store');
    http.body = page({ id, title: title(id), body });
  };
  const sendJson = (http: Koa.Context, body: unknown, status = 200) => {
    http.status = status;
    http.set('cache-control', 'no-store');
    http.type = 'application/json; charset=utf-8';
    http.body = body;
  };
  const gatewayRead = async <T>(read: (g: GatewaySource) => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await read(deps.gateway());
    } catch (err) {
      return { error: (err as Error).message };
    }
  };

  // ---- pages
  router.get('/', async (http) => sendPage(http, 'overview', overviewPage(await overviewData(deps))));
  router.get('/apps', (http) => sendPage(http, 'apps', appsPage(appsView(deps.iam))));
  router.get('/users', (http) => sendPage(http, 'users', usersPage(usersView(deps.iam, deps.config))));
  router.get('/claims', (http) => sendPage(http, 'claims', claimsPage(customClaimsView(deps.iam))));
  router.get('/workbench', (http) => sendPage(http, 'workbench', workbenchPage(workbenchChoices(deps.iam, deps.config), {}, undefined)));
  // The form without JavaScript: the whole page again with the result; with it (console/browser), the result only.
  router.post('/workbench', async (http) => {
    const form = workbenchForm(await readForm(http));
    const result = workbenchResultHtml(await workbenchOutcome(deps, { clientId: form.clientId ?? '', grantType: form.grantType, scope: form.scope, userName: form.userName, password: form.password, refreshToken: form.refreshToken }));
    if (http.get('x-console-fragment') === 'result') {
      http.type = 'text/html; charset=utf-8';
      http.set('cache-control', 'no-store');
      http.body = result.text;
      return;
    }
    sendPage(http, 'workbench', workbenchPage(workbenchChoices(deps.iam, deps.config), form, result));
  });
  router.get('/gateway', async (http) => {
    const gateway = deps.gateway();
    const deployments = await gatewayRead(async (g) => (await g.deployments()).map(deploymentView));
    const dataPlaneUrl = 'error' in deployments ? undefined : await gateway.dataPlaneUrl().catch(() => undefined);
    sendPage(http, 'gateway', gatewayPage({ kind: gateway.kind, controlPlaneUrl: gateway.controlPlaneUrl, dataPlaneUrl }, deployments));
  });
  router.get('/decisions', async (http) => {
    const gateway = deps.gateway();
    const entries = await gatewayRead((g) => g.decisions(DECISIONS_SHOWN));
    const dataPlaneUrl = await gateway.dataPlaneUrl().catch(() => undefined);
    sendPage(http, 'decisions', decisionsPage(entries, { kind: gateway.kind, controlPlaneUrl: gateway.controlPlaneUrl, dataPlaneUrl }));
  });
  /** What the decision log page polls: the new entries as list items, newest first. */
  router.get('/decisions/items', async (http) => {
    const entries = await gatewayRead((g) => g.decisions(DECISIONS_SHOWN));
    if ('error' in entries) return sendJson(http, entries, 502);
    const since = typeof http.query.since === 'string' ? http.query.since : undefined;
    const fresh = newerThan(entries, since);
    sendJson(http, {
      reset: fresh.reset,
      newest: entries[0]?.requestId ?? null,
      total: entries.length,
      refused: fresh.entries.filter((e) => e.outcome === 'refused').map((e) => ({ requestId: e.requestId, summary: `${e.method} ${e.path} ${e.status}: ${e.reason ? `${e.reason.check}: ${e.reason.message}` : 'refused'}` })),
      html: fresh.entries.map((e) => decisionItem(e).text).join(''),
    });
  });

  // ---- JSON
  router.get('/api/overview', async (http) => {
    const data = await overviewData(deps);
    const reveal = http.query.secrets === 'show';
    sendJson(http, { ...data, curl: curlText(data, reveal) });
  });
  router.get('/api/apps', (http) => sendJson(http, appsView(deps.iam)));
  router.get('/api/apps/:clientId/secret', (http) => {
    const secret = clientSecret(deps.iam, http.params.clientId!);
    if (secret === undefined) return sendJson(http, { error: `no OAuth client "${http.params.clientId}" with a client secret` }, 404);
    sendJson(http, { clientId: http.params.clientId, clientSecret: secret });
  });
  router.get('/api/users', (http) => sendJson(http, usersView(deps.iam, deps.config)));
  router.get('/api/custom-claims', (http) => sendJson(http, customClaimsView(deps.iam)));
  router.get('/api/workbench', (http) => sendJson(http, workbenchChoices(deps.iam, deps.config)));
  router.post('/api/token', async (http) => {
    if (!http.is('application/json')) return sendJson(http, { error: 'send the request as application/json: {clientId, grantType, scope, userName?, password?, refreshToken?}' }, 415);
    const outcome = await workbenchOutcome(deps, await readJson(http));
    if ('problem' in outcome) return sendJson(http, { error: outcome.problem }, 400);
    sendJson(http, outcome);
  });
  router.get('/api/deployments', async (http) => {
    const gateway = deps.gateway();
    const deployments = await gatewayRead(async (g) => (await g.deployments()).map(deploymentView));
    if ('error' in deployments) return sendJson(http, deployments, 502);
    sendJson(http, { source: { kind: gateway.kind, controlPlaneUrl: gateway.controlPlaneUrl, dataPlaneUrl: await gateway.dataPlaneUrl().catch(() => undefined) }, deployments });
  });
  router.get('/api/decisions', async (http) => {
    const limit = Number(http.query.limit ?? DECISIONS_SHOWN);
    const entries = await gatewayRead((g) => g.decisions(Number.isInteger(limit) && limit > 0 ? Math.min(limit, 1000) : DECISIONS_SHOWN));
    if ('error' in entries) return sendJson(http, entries, 502);
    const fresh = newerThan(entries, typeof http.query.since === 'string' ? http.query.since : undefined);
    sendJson(http, { reset: fresh.reset, decisions: fresh.entries });
  });

  // ---- assets
  router.get('/assets/:name', async (http) => {
    const found = await assets.get(http.params.name!);
    if (!found) return;
    http.set('etag', found.etag);
    http.set('cache-control', 'no-cache');
    if (http.get('if-none-match') === found.etag) {
      http.status = 304;
      return;
    }
    http.type = found.type;
    http.body = found.body;
  });

  const routes = compose([router.routes() as unknown as Koa.Middleware, router.allowedMethods() as unknown as Koa.Middleware]);
  return async (http, next) => {
    if (http.path !== CONSOLE_PATH && !http.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    http.set(SECURITY_HEADERS);
    // `/console/` and the like: one address per page.
    if (http.path.length > CONSOLE_PATH.length && http.path.endsWith('/') && http.method === 'GET') {
      http.redirect(http.path.replace(/\/+$/, '') || CONSOLE_PATH);
      return;
    }
    const api = http.path.startsWith(`${CONSOLE_PATH}/api/`) || http.path === `${CONSOLE_PATH}/decisions/items`;
    try {
      await routes(http, async () => undefined);
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 500;
      if (status >= 500) console.error(`console: ${http.method} ${http.path}: ${(err as Error).stack ?? String(err)}`);
      const message = status >= 500 ? `the console failed: ${(err as Error).message}` : (err as Error).message;
      if (api) sendJson(http, { error: message }, status);
      else sendPage(http, 'error', html`<p class="problem">${message}</p>`, status);
      return;
    }
    if (http.status === 404 && http.body === undefined) {
      if (api) sendJson(http, { error: `no console API at ${http.method} ${http.path}` }, 404);
      else sendPage(http, 'not-found', html`<p>No console page at <code>${http.path}</code>. The pages are listed in the navigation above.</p>`, 404);
    }
  };
}
