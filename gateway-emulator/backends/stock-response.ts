/**
 * STOCK_RESPONSE_BACKEND: the gateway answers itself with the configured status, headers and body
 * (reference §1.8; D-stock). Nothing is sent to a backend.
 */
import type { models } from 'oci-apigateway';
import type { GatewayAnswer } from '../pipeline/types.js';
import { isHopByHop } from './http-backend.js';

/**
 * The configured answer, as given. Header names are lower-cased (HTTP names are case-insensitive and
 * the rest of the pipeline merges headers by lower-case name); a name configured twice is sent twice.
 * No `Content-Type` is invented when none is configured: OCI documents no default, and a made-up one
 * would hide a missing header in the deployment. `Content-Length` and hop-by-hop headers are left
 * out: the gateway frames the body itself, and a configured length could contradict the body.
 */
export function stockResponse(backend: models.StockResponseBackend): GatewayAnswer {
  const headers: Record<string, string | string[]> = {};
  for (const header of backend.headers ?? []) {
    const name = header.name?.trim().toLowerCase();
    if (!name || name === 'content-length' || isHopByHop(name)) continue;
    const value = header.value ?? '';
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return { status: backend.status, headers, body: backend.body ?? '' };
}
