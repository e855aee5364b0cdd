/**
 * ListDeployments: its query parameters (compartmentId, gatewayId, displayName, lifecycleState,
 * limit, page, sortOrder, sortBy, as oci-apigateway's ListDeploymentsRequest sends them), the
 * filtering, the order and the pages. Pure: the deployments in, the page out.
 */
import type { Deployment } from './deployment-store.js';

/** Deployment.LifecycleState of the SDK; the harness's deployments are only ever ACTIVE or DELETED. */
const LIFECYCLE_STATES = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING', 'DELETED', 'FAILED'] as const;
const SORT_BY = ['timeCreated', 'displayName'] as const;
const SORT_ORDER = ['ASC', 'DESC'] as const;
/** OCI's list operations take at most 1000 items a page. */
export const MAX_LIMIT = 1000;
/** Without `limit` a page holds this many, like OCI's service default. */
export const DEFAULT_LIMIT = 100;

export interface ListDeploymentsQuery {
  compartmentId?: string;
  gatewayId?: string;
  displayName?: string;
  lifecycleState?: (typeof LIFECYCLE_STATES)[number];
  limit: number;
  /** Index of the first item; `page` tokens are this number as text. */
  offset: number;
  sortBy: (typeof SORT_BY)[number];
  sortOrder: (typeof SORT_ORDER)[number];
}

export type ParsedListQuery = { ok: true; value: ListDeploymentsQuery } | { ok: false; problems: string[] };

/** Reads the query string; every bad parameter is named. */
export function parseListQuery(params: URLSearchParams): ParsedListQuery {
  const problems: string[] = [];
  const single = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1) problems.push(`${name}: given ${values.length} times`);
    return values[0];
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = single(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const compartmentId = single('compartmentId');
  const gatewayId = single('gatewayId');
  const displayName = single('displayName');
  const lifecycleStateText = single('lifecycleState');
  let lifecycleState: ListDeploymentsQuery['lifecycleState'];
  if (lifecycleStateText !== undefined) {
    if ((LIFECYCLE_STATES as readonly string[]).includes(lifecycleStateText)) lifecycleState = lifecycleStateText as ListDeploymentsQuery['lifecycleState'];
    else problems.push(`lifecycleState: must be one of ${LIFECYCLE_STATES.join(', ')} (got "${lifecycleStateText}")`);
  }
  let limit = DEFAULT_LIMIT;
  const limitText = single('limit');
  if (limitText !== undefined) {
    if (/^\d+$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_LIMIT) limit = Number(limitText);
    else problems.push(`limit: must be a whole number from 1 to ${MAX_LIMIT} (got "${limitText}")`);
  }
  let offset = 0;
  const page = single('page');
  if (page !== undefined) {
    if (/^\d{1,9}$/.test(page)) offset = Number(page);
    else problems.push(`page: "${page}" is not a page token of this list (use the opc-next-page header of the previous page)`);
  }
  const sortBy = oneOf('sortBy', SORT_BY, 'timeCreated');
  // SDK: "Default order for timeCreated is descending. Default order for displayName is ascending."
  const sortOrder = oneOf('sortOrder', SORT_ORDER, sortBy === 'timeCreated' ? 'DESC' : 'ASC');
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      ...(compartmentId !== undefined ? { compartmentId } : {}),
      ...(gatewayId !== undefined ? { gatewayId } : {}),
      ...(displayName !== undefined ? { displayName } : {}),
      ...(lifecycleState !== undefined ? { lifecycleState } : {}),
      limit,
      offset,
      sortBy,
      sortOrder,
    },
  };
}

/**
 * One page of the matching deployments and the token of the next page, if there is one. The
 * deployments come in creation order, which breaks ties of equal `timeCreated` (a frozen clock)
 * and keeps `displayName` ties stable. `displayName` sorts case-sensitively, as the SDK documents.
 */
export function listDeployments(deployments: ReadonlyArray<Deployment>, query: ListDeploymentsQuery): { items: Deployment[]; nextPage?: string } {
  const matching = deployments
    .map((deployment, index) => ({ deployment, index }))
    .filter(
      ({ deployment: d }) =>
        (query.compartmentId === undefined || d.compartmentId === query.compartmentId) &&
        (query.gatewayId === undefined || d.gatewayId === query.gatewayId) &&
        (query.displayName === undefined || d.displayName === query.displayName) &&
        (query.lifecycleState === undefined || d.lifecycleState === query.lifecycleState),
    );
  const direction = query.sortOrder === 'ASC' ? 1 : -1;
  matching.sort((a, b) => {
    const key = query.sortBy === 'timeCreated' ? 'timeCreated' : 'displayName';
    const x = a.deployment[key];
    const y = b.deployment[key];
    const primary = x < y ? -1 : x > y ? 1 : 0;
    return direction * (primary !== 0 ? primary : a.index - b.index);
  });
  const end = query.offset + query.limit;
  const items = matching.slice(query.offset, end).map((m) => m.deployment);
  return end < matching.length ? { items, nextPage: String(end) } : { items };
}
