/** The mock IAM's HTTP layer: IDCS paths mapped to the decision functions. Routes only. */
import Router from '@koa/router';
import Koa from 'koa';
import type { ControllableClock } from '../common/clock.js';
import { resolveIssuer, type IamConfig } from '../common/config.js';
import { OciError } from '../common/errors.js';
import { harnessRoutes, parseBody } from '../common/harness-routes.js';
import { BodyError, errorMapper, listen, opcRequestId, readForm, readJson, writeError, type ErrorShape, type RunningServer } from '../common/http.js';
import { z } from 'zod';
import { idcsConfiguration, openidConfiguration } from './discovery.js';
import { adminRoutes } from './admin/admin-routes.js';
import { iamContext, type IamContext } from './iam-context.js';
import type { OciApiKey } from '../common/oci-signature.js';
import { KeyRing, KeyRingError } from './keys/key-ring.js';
import { authorizeSigningCertRead } from './keys/signing-cert-access.js';
import { handleIntrospection } from './oauth/introspect.js';
import { handleRevocation } from './oauth/revoke.js';
import { handleTokenRequest } from './oauth/token-endpoint.js';
import { handleUserinfo } from './oauth/userinfo.js';
import { IamStore } from './store.js';

const JSON_UTF8 = 'application/json;charset=UTF-8';

function keyRoutes(router: Router, ctx: IamContext): void {
  const describeKeys = () => ({
    activeKid: ctx.keys.active.kid,
    keys: ctx.keys.list().map((k) => ({ kid: k.kid, createdAt: k.createdAt, x5t: k.x5t })),
  });
  const keyFailure = (err: unknown) => {
    if (!(err instanceof KeyRingError)) return err;
    const [status, code] = ({ invalid: [400, 'InvalidParameter'], 'not-found': [404, 'NotAuthorizedOrNotFound'], conflict: [409, 'Conflict'] } as const)[err.kind];
    return new OciError(status, code, err.message);
  };
  router.get('/_harness/signing-keys', (http) => {
    http.body = describeKeys();
  });
  router.post('/_harness/signing-keys/rotate', async (http) => {
    const { kid } = parseBody(z.strictObject({ kid: z.string().min(1) }), await readJson(http));
    try {
      await ctx.keys.rotate(kid);
    } catch (err) {
      throw keyFailure(err);
    }
    http.body = describeKeys();
  });
  router.delete('/_harness/signing-keys/:kid', (http) => {
    try {
      ctx.keys.retire(http.params.kid!);
    } catch (err) {
      throw keyFailure(err);
    }
    http.body = describeKeys();
  });
}

/** Admin paths answer in SCIM's shape, the harness surface in OCI's, the rest in OAuth's. */
function errorShape(http: Koa.Context): ErrorShape {
  return http.path.startsWith('/admin/') ? 'scim' : http.path.startsWith('/_harness/') ? 'oci' : 'oauth';
}

/**
 * `extra`: more routes served on the IAM's port (the web console at `/console`), before the IDCS
 * paths; it answers its own paths and passes everything else on.
 */
export function iamApp(ctx: IamContext, clock: ControllableClock, ociApiKeys: ReadonlyMap<string, OciApiKey> = new Map(), extra?: Koa.Middleware): Koa {
  const router = new Router();
  const sendJson = (http: Koa.Context, body: unknown) => {
    http.type = JSON_UTF8;
    http.body = body;
  };
  const noStore = (http: Koa.Context) => http.set({ 'cache-control': 'no-store', pragma: 'no-cache' });

  router.post('/oauth2/v1/token', async (http) => {
    const result = await handleTokenRequest(ctx, await readForm(http), http.get('authorization') || undefined);
    noStore(http);
    sendJson(http, result);
  });
  router.post('/oauth2/v1/introspect', async (http) => {
    const result = await handleIntrospection(ctx, await readForm(http), http.get('authorization') || undefined);
    noStore(http);
    sendJson(http, result);
  });
  router.post('/oauth2/v1/revoke', async (http) => {
    await handleRevocation(ctx, await readForm(http), http.get('authorization') || undefined);
    http.status = 200;
    http.body = '';
  });
  const userinfo = (http: Koa.Context) => {
    noStore(http);
    sendJson(http, handleUserinfo(ctx, http.get('authorization') || undefined));
  };
  router.get('/oauth2/v1/userinfo', userinfo);
  router.post('/oauth2/v1/userinfo', userinfo);

  router.get('/admin/v1/SigningCert/jwk', (http) => {
    authorizeSigningCertRead(ctx, http.get('authorization') || undefined);
    http.type = JSON_UTF8;
    http.body = ctx.keys.jwks();
  });
  adminRoutes(router, { context: ctx, ociApiKeys });
  router.get('/.well-known/openid-configuration', (http) => sendJson(http, openidConfiguration(ctx)));
  router.get('/.well-known/idcs-configuration', (http) => sendJson(http, idcsConfiguration(ctx)));

  harnessRoutes(router, 'mock-iam', clock, () => ({ issuer: ctx.issuer, activeKid: ctx.keys.active.kid }));
  keyRoutes(router, ctx);

  const app = new Koa();
  app.use(opcRequestId());
  app.use(errorMapper(errorShape));
  // A method a path does not take: the router answers 405 with `Allow`; the body gets the
  // path's own error shape instead of koa's plain text.
  app.use(async (http, next) => {
    await next();
    if (http.status === 405 && typeof http.body !== 'object') {
      writeError(http, new BodyError(405, `${http.method} is not supported on ${http.path} (allowed: ${http.response.get('allow')})`), errorShape(http));
    }
  });
  if (extra) app.use(extra);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

export interface RunningIam extends RunningServer {
  readonly context: IamContext;
}

/** Starts the mock IAM: opens the key ring, seeds the store, listens. */
export async function startIam(
  config: IamConfig,
  options: {
    host: string;
    clock: ControllableClock;
    ociApiKeys?: ReadonlyMap<string, OciApiKey>;
    /** More routes on the IAM's port (the web console): given the context and this listener's URL (known once listening). */
    mount?: (context: IamContext, listenUrl: () => string) => Koa.Middleware;
  },
): Promise<RunningIam> {
  const keys = await KeyRing.open({
    // With a state file and no key file, the keys are kept beside the state.
    file: config.signingKeys.file ?? config.stateFile?.replace(/(\.json)?$/, '.signing-keys.json'),
    activeKid: config.signingKeys.activeKid,
    retiredKids: config.signingKeys.retiredKids,
    jwkKeyOps: config.signingKeys.jwkKeyOps,
    commonName: new URL(resolveIssuer(config.issuer)).hostname,
    clock: options.clock,
  });
  const store = new IamStore(config, options.clock, config.stateFile);
  // The base URL is known once the port is (port 0 picks a free one), so the context is
  // completed after listen; requests cannot arrive before listen returns.
  const context = iamContext(config, { store, keys, clock: options.clock, baseUrl: config.baseUrl ?? 'http://pending' });
  let listenUrl = '';
  const extra = options.mount?.(context, () => listenUrl);
  const running = await listen(iamApp(context, options.clock, options.ociApiKeys, extra), config.port, options.host, 'oauth');
  listenUrl = running.url;
  if (!config.baseUrl) context.baseUrl = running.url;
  return { ...running, context };
}
