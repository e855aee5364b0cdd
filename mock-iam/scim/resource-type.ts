/**
 * One SCIM resource type of the IDCS admin API (Users, Apps, Grants, ...), one file each under
 * `mock-iam/admin/`. The generic routes of collection-routes.ts give every type the same SCIM
 * conventions (list envelope, filter, projection, meta, ETag, PATCH as read-patch-replace).
 */
import type { IamContext } from '../iam-context.js';

export type { IamContext };
import type { Meta } from '../store.js';


/** Which admin scopes (any one of them) a call needs; they come from the caller's app roles. */
export interface RequiredScopes {
  read: string[];
  write: string[];
}

export interface ScimResourceType<R> {
  /** The path segment under `/admin/v1/`, e.g. `Users`. */
  readonly endpoint: string;
  /** `meta.resourceType`, e.g. `User`. */
  readonly resourceType: string;
  readonly schema: string;
  readonly scopes: RequiredScopes;
  list(ctx: IamContext): Iterable<R>;
  find(ctx: IamContext, id: string): R | undefined;
  meta(record: R): Meta;
  id(record: R): string;
  /** The SCIM JSON of a record (without `meta.location`, which the routes add). */
  view(ctx: IamContext, record: R): Record<string, unknown>;
  create?(ctx: IamContext, body: Record<string, unknown>): R;
  replace?(ctx: IamContext, existing: R, body: Record<string, unknown>): R;
  remove?(ctx: IamContext, existing: R): void;
  /** Attributes a PATCH may not change (beyond `id` and `meta`): SCIM `mutability: readOnly`. */
  readonly readOnly?: ReadonlyArray<string>;
  /** Attributes compared case-sensitively by filters (SCIM `caseExact`). */
  caseExact?(path: string): boolean;
  /** A check before any call (e.g. a feature switched off). */
  guard?(ctx: IamContext): void;
}

export function metaView(type: { resourceType: string; endpoint: string }, meta: Meta, baseUrl: string, id: string): Record<string, unknown> {
  return {
    resourceType: type.resourceType,
    created: meta.created,
    lastModified: meta.lastModified,
    location: `${baseUrl}/admin/v1/${type.endpoint}/${encodeURIComponent(id)}`,
    version: etag(meta),
  };
}

export function etag(meta: Meta): string {
  return `W/"${meta.version}"`;
}
