/**
 * SCIM list and search (RFC 7644 §3.4.2, §3.4.3) as IDCS serves them: `filter`, `attributes`,
 * `excludedAttributes`, `attributeSets`, `count` (default 50, at most 1000), `startIndex`
 * (1-based), `sortBy`, `sortOrder`, and the ListResponse envelope.
 */
import { scim, ScimError } from '../../common/errors.js';
import { compileFilter } from './filter.js';
import { parseAttributePath, resolvePath } from './attribute-path.js';
import { project, type Projection } from './projection.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

export interface ListQuery extends Projection {
  filter?: string | undefined;
  count: number;
  startIndex: number;
  sortBy?: string | undefined;
  sortOrder: 'ascending' | 'descending';
}

const csv = (value: string | null | undefined) =>
  value === null || value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');

function wholeNumber(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n)) throw scim.badRequest(`${name} must be a whole number (got "${String(raw)}")`, 'error.common.validation.invalidQueryParam');
  return n;
}

function sortOrder(raw: unknown): 'ascending' | 'descending' {
  if (raw === undefined || raw === null || raw === '') return 'ascending';
  if (raw === 'ascending' || raw === 'descending') return raw;
  throw scim.badRequest(`sortOrder must be "ascending" or "descending" (got "${String(raw)}")`, 'error.common.validation.invalidQueryParam');
}

/** The query of `GET /admin/v1/<Resources>?…`. A negative or zero count asks for the total only. */
export function listQueryFromParams(params: URLSearchParams): ListQuery {
  return normalise({
    filter: params.get('filter') ?? undefined,
    attributes: csv(params.get('attributes')),
    excludedAttributes: csv(params.get('excludedAttributes')),
    attributeSets: csv(params.get('attributeSets')),
    count: wholeNumber('count', params.get('count'), DEFAULT_COUNT),
    startIndex: wholeNumber('startIndex', params.get('startIndex'), 1),
    sortBy: params.get('sortBy') ?? undefined,
    sortOrder: sortOrder(params.get('sortOrder') ?? undefined),
  });
}

/** The body of `POST /admin/v1/<Resources>/.search`. */
export function listQueryFromSearchRequest(body: unknown): ListQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw scim.invalidSyntax('a SearchRequest must be a JSON object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw scim.invalidSyntax(`schemas must contain "${SEARCH_REQUEST_SCHEMA}"`);
  }
  const list = (name: string): string[] | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string') return csv(v);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    throw scim.invalidSyntax(`${name} must be an array of attribute names`);
  };
  const text = (name: string): string | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw scim.invalidSyntax(`${name} must be a string`);
    return v;
  };
  return normalise({
    filter: text('filter'),
    attributes: list('attributes'),
    excludedAttributes: list('excludedAttributes'),
    attributeSets: list('attributeSets'),
    count: wholeNumber('count', b.count, DEFAULT_COUNT),
    startIndex: wholeNumber('startIndex', b.startIndex, 1),
    sortBy: text('sortBy'),
    sortOrder: sortOrder(b.sortOrder),
  });
}

function normalise(q: ListQuery): ListQuery {
  // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1; a count over the maximum is capped.
  return { ...q, startIndex: Math.max(1, q.startIndex), count: Math.min(Math.max(0, q.count), MAX_COUNT) };
}

export interface ListResponse {
  schemas: string[];
  totalResults: number;
  Resources: Array<Record<string, unknown>>;
  startIndex: number;
  itemsPerPage: number;
}

/**
 * The schema URNs the views declare: filter and sort paths name them in any letter case
 * (`urn:…:custom:user:MyAttr`), which the URN rule of attribute-path.ts can only read by case
 * unless it knows them.
 */
function declaredSchemas(views: ReadonlyArray<Record<string, unknown>>): string[] {
  const urns = new Set<string>();
  for (const v of views) if (Array.isArray(v.schemas)) for (const s of v.schemas) if (typeof s === 'string') urns.add(s);
  return [...urns];
}

/** Filters, sorts, pages and projects SCIM views into the ListResponse envelope. */
export function listResponse(views: Array<Record<string, unknown>>, query: ListQuery, caseExact?: (path: string) => boolean): ListResponse {
  let selected = views;
  const knownSchemas = declaredSchemas(views);
  if (query.filter !== undefined && query.filter.trim() !== '') {
    const matches = compileFilter(query.filter, { knownSchemas, ...(caseExact ? { caseExact } : {}) });
    selected = selected.filter(matches);
  }
  if (query.sortBy) {
    const sortPath = parseAttributePath(query.sortBy, { knownSchemas });
    const key = (v: Record<string, unknown>) => {
      const value = resolvePath(v, sortPath);
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined || first === null ? undefined : typeof first === 'string' ? first.toLowerCase() : (first as number | boolean);
    };
    const direction = query.sortOrder === 'descending' ? -1 : 1;
    // Values missing the attribute sort last either way (RFC 7644 §3.4.2.3).
    selected = [...selected].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka === kb) return 0;
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      return (ka < kb ? -1 : 1) * direction;
    });
  }
  const page = selected.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: selected.length,
    Resources: page.map((v) => project(v, query)),
    startIndex: query.startIndex,
    itemsPerPage: page.length,
  };
}

export { ScimError };
