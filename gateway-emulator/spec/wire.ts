/**
 * The JSON form of a validated specification, for answers of the control plane (GET/PUT
 * deployments) and for files. The SDK's models differ from the wire in one field: a JWK's
 * `keyOps` is `key_ops` in JSON [C SDK json-web-key.js]. An OCI SDK client reads `key_ops` and
 * would lose `keyOps`, so answers must go through here, not JSON.stringify(spec) alone.
 */
import type { models } from 'oci-apigateway';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function wireKeys(keySet: unknown): void {
  if (!isObject(keySet) || !Array.isArray(keySet.keys)) return;
  for (const key of keySet.keys) {
    if (isObject(key) && key.keyOps !== undefined) {
      key.key_ops = key.keyOps;
      delete key.keyOps;
    }
  }
}

function wireAuthentication(policy: unknown): void {
  if (!isObject(policy)) return;
  wireKeys(policy.publicKeys);
  wireKeys(policy.validationPolicy);
}

/** A deep copy of `spec` with the JSON field names of OCI's REST API. */
export function toWireSpecification(spec: models.ApiSpecification): Json {
  const copy = JSON.parse(JSON.stringify(spec)) as Json;
  const policies = isObject(copy.requestPolicies) ? copy.requestPolicies : undefined;
  wireAuthentication(policies?.authentication);
  const dynamic = isObject(policies?.dynamicAuthentication) ? policies.dynamicAuthentication : undefined;
  if (dynamic && Array.isArray(dynamic.authenticationServers)) {
    for (const server of dynamic.authenticationServers) if (isObject(server)) wireAuthentication(server.authenticationServerDetail);
  }
  return copy;
}
