/**
 * The control plane's errors in OCI's words: the codes and meanings of OCI's common API error
 * table (docs.oracle.com …/Content/API/References/apierrors.htm), the body `{"code","message"}` with
 * a string code. The message is what OCI would say; the harness's own explanation (which field,
 * which etag, which file) travels as the `reason` in the `x-harness-reason` header.
 */
import { OciError } from '../../common/errors.js';

export const controlPlaneError = {
  /** 400: a field of the request is wrong. OCI's message names the field; ours lists every problem. */
  invalidParameter: (problems: string[]) => new OciError(400, 'InvalidParameter', problems.join('; ')),
  /** 400: the body is not JSON at all. */
  cannotParseRequest: (reason: string) => new OciError(400, 'CannotParseRequest', 'The request is incorrectly formatted.', reason),
  /** 401: a signature that does not verify, or credentials of another kind. */
  notAuthenticated: (reason: string) =>
    new OciError(401, 'NotAuthenticated', 'The required information to complete authentication was not provided or was incorrect.', reason),
  /** 404: OCI never tells "no such resource" from "not yours". */
  notAuthorizedOrNotFound: (reason: string) => new OciError(404, 'NotAuthorizedOrNotFound', 'Authorization failed or requested resource not found.', reason),
  /** 404: no operation at this path. */
  notFound: (method: string, path: string) =>
    new OciError(404, 'NotFound', 'There is no operation supported at the URI path and HTTP method you specified in the request.', `${method} ${path} is no operation of the control plane`),
  /** 405: the path exists, the method does not. */
  methodNotAllowed: (method: string, path: string, allowed: string) =>
    new OciError(405, 'MethodNotAllowed', 'The target resource does not support the HTTP method.', `${method} is not supported on ${path} (allowed: ${allowed})`, { allow: allowed }),
  /** 409: the requested state conflicts with the current one, and waiting will not help. */
  conflict: (message: string) => new OciError(409, 'Conflict', message),
  /** 412: `if-match` names another etag than the resource's current one. */
  noEtagMatch: (given: string, current: string) =>
    new OciError(412, 'NoEtagMatch', 'The ETag specified in the request does not match the ETag for the resource.', `if-match ${JSON.stringify(given)} is not the current etag ${JSON.stringify(current)}`),
};
