/**
 * The HTTP layer of every SCIM resource type: authentication and authorization, then list,
 * `.search`, create, read, replace, PATCH (read the view, apply the PatchOp, replace with the
 * result: one validation path for PUT and PATCH), delete; ETags from `meta.version`.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { scim } from '../../common/errors.js';
import { parseJsonBody, readRawBytes } from '../../common/http.js';
import type { OciApiKey } from '../../common/oci-signature.js';
import { authenticateAdmin, authorizeAdmin } from '../admin/admin-auth.js';
import { listQueryFromParams, listQueryFromSearchRequest, listResponse } from './list.js';
import { applyPatch } from './patch.js';
import { project } from './projection.js';
import { etag, metaView, type IamContext, type ScimResourceType } from './resource-type.js';

export const SCIM_JSON = 'application/json;charset=UTF-8';

export interface AdminDeps {
  context: IamContext;
  ociApiKeys: ReadonlyMap<string, OciApiKey>;
}

type Access = 'read' | 'write';

/** Authenticates and authorizes the call; returns the body (JSON) when there is one. */
export async function admit<R>(http: Context, deps: AdminDeps, type: ScimResourceType<R>, access: Access): Promise<unknown> {
  const raw = await readRawBytes(http);
  const caller = authenticateAdmin(
    { ...deps.context, ociApiKeys: deps.ociApiKeys },
    { method: http.method, target: http.originalUrl, headers: http.req.headers, body: raw },
  );
  authorizeAdmin(caller, type.scopes[access], `${http.method} /admin/v1/${type.endpoint}`);
  type.guard?.(deps.context);
  return raw.length ? parseJsonBody(raw.toString('utf8')) : undefined;
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw scim.invalidSyntax('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function fullView<R>(type: ScimResourceType<R>, ctx: IamContext, record: R): Record<string, unknown> {
  return { ...type.view(ctx, record), meta: metaView(type, type.meta(record), ctx.baseUrl, type.id(record)) };
}

function projectionOf(http: Context) {
  const params = new URLSearchParams(http.querystring);
  const csv = (name: string) => params.get(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  return { attributes: csv('attributes'), excludedAttributes: csv('excludedAttributes'), attributeSets: csv('attributeSets') };
}

export function send<R>(http: Context, type: ScimResourceType<R>, ctx: IamContext, record: R, status: number): void {
  const view = fullView(type, ctx, record);
  http.status = status;
  http.set('etag', etag(type.meta(record)));
  if (status === 201) http.set('location', String((view.meta as Record<string, unknown>).location));
  http.type = SCIM_JSON;
  http.body = project(view, projectionOf(http));
}

export function existing<R>(type: ScimResourceType<R>, ctx: IamContext, id: string): R {
  const record = type.find(ctx, id);
  if (record === undefined) throw scim.notFound(`Resource ${id} of type ${type.resourceType} not found.`);
  return record;
}

/** If-Match: the change applies only to the version the caller saw (412 otherwise). */
function checkIfMatch<R>(http: Context, type: ScimResourceType<R>, record: R): void {
  const wanted = http.get('if-match');
  if (wanted && wanted !== '*' && !wanted.split(',').map((s) => s.trim()).includes(etag(type.meta(record)))) {
    throw scim.preconditionFailed(`If-Match ${wanted} does not match the current version ${etag(type.meta(record))}`);
  }
}

function unsupported(type: ScimResourceType<unknown>, what: string): never {
  throw scim.methodNotAllowed(`${what} is not supported on /admin/v1/${type.endpoint}`);
}

export function scimRoutes<R>(router: Router, type: ScimResourceType<R>, deps: AdminDeps): void {
  const base = `/admin/v1/${type.endpoint}`;
  const ctx = deps.context;
  const list = (http: Context, query: ReturnType<typeof listQueryFromParams>) => {
    const views = [...type.list(ctx)].map((r) => fullView(type, ctx, r));
    http.type = SCIM_JSON;
    http.body = listResponse(views, query, type.caseExact);
  };

  router.get(base, async (http) => {
    await admit(http, deps, type, 'read');
    list(http, listQueryFromParams(new URLSearchParams(http.querystring)));
  });
  router.post(`${base}/.search`, async (http) => {
    const body = await admit(http, deps, type, 'read');
    list(http, listQueryFromSearchRequest(body));
  });
  router.post(base, async (http) => {
    const body = objectBody(await admit(http, deps, type, 'write'));
    if (!type.create) unsupported(type as ScimResourceType<unknown>, 'POST');
    send(http, type, ctx, type.create(ctx, body), 201);
  });
  router.get(`${base}/:id`, async (http) => {
    await admit(http, deps, type, 'read');
    const record = existing(type, ctx, http.params.id!);
    const current = etag(type.meta(record));
    const seen = http.get('if-none-match');
    if (seen && (seen.trim() === '*' || seen.split(',').map((s) => s.trim()).includes(current))) {
      // RFC 7232 §4.1: a 304 carries the ETag it confirms.
      http.set('etag', current);
      http.status = 304;
      return;
    }
    send(http, type, ctx, record, 200);
  });
  router.put(`${base}/:id`, async (http) => {
    const body = objectBody(await admit(http, deps, type, 'write'));
    if (!type.replace) unsupported(type as ScimResourceType<unknown>, 'PUT');
    const record = existing(type, ctx, http.params.id!);
    checkIfMatch(http, type, record);
    send(http, type, ctx, type.replace(ctx, record, body), 200);
  });
  router.patch(`${base}/:id`, async (http) => {
    const body = await admit(http, deps, type, 'write');
    if (!type.replace) unsupported(type as ScimResourceType<unknown>, 'PATCH');
    const record = existing(type, ctx, http.params.id!);
    checkIfMatch(http, type, record);
    // The type's own schema is its core schema: `urn:…:idcs:App:description` means `description`.
    const patched = applyPatch(fullView(type, ctx, record), body, { readOnly: ['id', 'meta', ...(type.readOnly ?? [])], coreSchemas: [type.schema] });
    send(http, type, ctx, type.replace(ctx, record, patched), 200);
  });
  router.delete(`${base}/:id`, async (http) => {
    await admit(http, deps, type, 'write');
    if (!type.remove) unsupported(type as ScimResourceType<unknown>, 'DELETE');
    const record = existing(type, ctx, http.params.id!);
    checkIfMatch(http, type, record);
    type.remove(ctx, record);
    http.status = 204;
  });
}
