/**
 * The three error shapes of the stack, one home each (see docs/architecture.md):
 * OAuth 2.0 (`error`, `error_description`), SCIM as IDCS writes it, and OCI's `{code, message}`.
 *
 * Every error also carries a `reason`: the harness's own explanation, sent in the
 * `x-harness-reason` header so a user learns *why* without the body drifting from the real shape.
 */

export const HARNESS_REASON_HEADER = 'x-harness-reason';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope';

/** An OAuth 2.0 error (RFC 6749 §5.2) as the IDCS token endpoint answers it. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status: number,
    readonly reason: string = description,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${reason}`);
  }

  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const oauth = {
  invalidRequest: (reason: string) => new OAuthError('invalid_request', reason, 400),
  /** 401; a client that used HTTP Basic is told which scheme to use again (RFC 6749 §5.2). */
  invalidClient: (reason: string, usedBasic: boolean) =>
    new OAuthError(
      'invalid_client',
      'Client authentication failed.',
      401,
      reason,
      usedBasic ? { 'www-authenticate': 'Basic realm="oauth"' } : {},
    ),
  invalidGrant: (reason: string) => new OAuthError('invalid_grant', reason, 400),
  unauthorizedClient: (reason: string) => new OAuthError('unauthorized_client', reason, 400),
  unsupportedGrantType: (grantType: string) =>
    new OAuthError(
      'unsupported_grant_type',
      `Unsupported grant type: ${grantType}`,
      400,
      `grant_type "${grantType}" is not one IDCS supports at the token endpoint`,
    ),
  /** IDCS answers every scope problem with the same text; the reason says which scope and why. */
  invalidScope: (reason: string) => new OAuthError('invalid_scope', 'Invalid scope.', 400, reason),
};

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const IDCS_ERROR_EXTENSION = 'urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error';

/** A SCIM error as IDCS's admin API answers it: string `status` and an Oracle `messageId`. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly messageId: string,
    readonly scimType?: string,
    readonly reason: string = detail,
  ) {
    super(detail);
  }

  body(): Record<string, unknown> {
    return {
      schemas: [SCIM_ERROR_SCHEMA, IDCS_ERROR_EXTENSION],
      detail: this.detail,
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      [IDCS_ERROR_EXTENSION]: { messageId: this.messageId },
    };
  }
}

export const scim = {
  unauthorized: (reason: string) =>
    new ScimError(401, 'Operation failed due to unauthorized access.', 'error.common.exception.unauthorizedAccess', undefined, reason),
  forbidden: (reason: string) =>
    new ScimError(403, 'Operation failed due to insufficient privileges.', 'error.common.exception.forbidden', undefined, reason),
  notFound: (detail: string) => new ScimError(404, detail, 'error.common.exception.resourceNotFound'),
  badRequest: (detail: string, messageId = 'error.common.validation.invalidRequest') =>
    new ScimError(400, detail, messageId, 'invalidValue'),
  /** A required attribute is absent (IDCS's messageId for it). */
  missingAttribute: (detail: string) => new ScimError(400, detail, 'error.common.validation.missingReqAttributes', 'invalidValue'),
  invalidSyntax: (detail: string) => new ScimError(400, detail, 'error.common.validation.invalidSyntax', 'invalidSyntax'),
  uniqueness: (detail: string) => new ScimError(409, detail, 'error.common.validation.uniqueness', 'uniqueness'),
  preconditionFailed: (detail: string) => new ScimError(412, detail, 'error.common.exception.versionMismatch'),
  methodNotAllowed: (detail: string) => new ScimError(405, detail, 'error.common.exception.methodNotAllowed'),
};

/** OCI's error body: the gateway data plane uses a numeric `code`, the control plane a string one. */
export class OciError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    message: string,
    readonly reason: string = message,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { code: string | number; message: string } {
    return { code: this.code, message: this.message };
  }
}
