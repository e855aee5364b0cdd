/**
 * Parts of a valid specification that OCI runs but this emulator does not (yet): they are
 * accepted, so a real spec file deploys unchanged, and named here so the control plane can warn
 * (log, `x-harness-reason`) instead of silently behaving differently from OCI.
 */
import type { models } from 'oci-apigateway';
import { formatPath } from './problems.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

function authenticationNotes(policy: Json | undefined, at: string): string[] {
  if (!policy) return [];
  const notes: string[] = [];
  if (obj(policy.validationPolicy)?.type === 'REMOTE_DISCOVERY') {
    notes.push(`${at}.validationPolicy: REMOTE_DISCOVERY (OAuth 2.0 introspection) is accepted but not emulated yet`);
  }
  if (obj(policy.validationFailurePolicy)?.type === 'OAUTH2') {
    notes.push(`${at}.validationFailurePolicy: OAUTH2 (the browser OIDC flow) is accepted but not emulated yet`);
  }
  return notes;
}

/** `"<field path>: <what> is accepted but not emulated yet"` for each such part of `spec`. */
export function emulationNotes(spec: models.ApiSpecification, path = 'specification'): string[] {
  const notes: string[] = [];
  const policies = obj(spec.requestPolicies);
  notes.push(...authenticationNotes(obj(policies?.authentication), formatPath(path, ['requestPolicies', 'authentication'])));
  const servers = obj(policies?.dynamicAuthentication)?.authenticationServers;
  if (Array.isArray(servers)) {
    servers.forEach((s, i) =>
      notes.push(...authenticationNotes(obj(obj(s)?.authenticationServerDetail), formatPath(path, ['requestPolicies', 'dynamicAuthentication', 'authenticationServers', i, 'authenticationServerDetail']))),
    );
  }
  if (policies?.mutualTls) notes.push(`${formatPath(path, ['requestPolicies', 'mutualTls'])}: mutual TLS is accepted but not emulated yet`);
  if (policies?.usagePlans) notes.push(`${formatPath(path, ['requestPolicies', 'usagePlans'])}: usage plans are accepted but not emulated yet`);
  (spec.routes ?? []).forEach((route, i) => {
    const at = formatPath(path, ['routes', i]);
    const type = route.backend.type;
    if (type === 'OAUTH2_LOGOUT_BACKEND' || type === 'OAUTH2_LOGIN_BACKEND') notes.push(`${at}.backend: ${type} is accepted but not emulated yet`);
    if (route.requestPolicies?.responseCacheLookup) notes.push(`${at}.requestPolicies.responseCacheLookup: response caching is accepted but not emulated yet`);
    if (route.responsePolicies?.responseCacheStore) notes.push(`${at}.responsePolicies.responseCacheStore: response caching is accepted but not emulated yet`);
  });
  return notes;
}
