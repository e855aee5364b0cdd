/**
 * Who may call the control plane. OCI takes only requests signed with an API key (what the OCI
 * SDKs and CLI send); a signature here must verify against an API key of the stack config, or the
 * call is refused with OCI's 401 NotAuthenticated. A request with no Authorization header at all
 * is let in: a local harness convenience (curl, scripts), recorded as a relaxation in
 * docs/fidelity.md. Any other scheme (Bearer, Basic) is refused, since OCI would never accept it.
 */
import { isOciSignature, verifyOciSignature, type OciKeyLookup, type SignedRequestParts } from '../../common/oci-signature.js';
import { controlPlaneError } from './control-plane-errors.js';

export type ControlPlaneCaller = { kind: 'oci-signature'; keyId: string } | { kind: 'unsigned' };

/** Decides on one request at `nowMs`; throws the 401 to answer. */
export function authenticateControlPlane(request: SignedRequestParts, keys: OciKeyLookup, nowMs: number): ControlPlaneCaller {
  const header = request.headers.authorization;
  if (header === undefined || (Array.isArray(header) && header.length === 0)) return { kind: 'unsigned' };
  const authorization = Array.isArray(header) ? header.join(', ') : header;
  if (!isOciSignature(authorization)) {
    const scheme = authorization.trim().split(/\s+/)[0] || '(empty)';
    throw controlPlaneError.notAuthenticated(`the control plane takes OCI request signatures (Authorization: Signature …), not ${scheme}; or, locally, no Authorization header`);
  }
  const check = verifyOciSignature(request, keys, nowMs);
  if (!check.ok) throw controlPlaneError.notAuthenticated(`OCI request signature refused: ${check.reason}`);
  return { kind: 'oci-signature', keyId: check.keyId };
}
