/**
 * The two deployments of the source blog ("Protect APIs with API Gateway using IDCS/IAM JWT with
 * scopes and claims"), written as the Console's "JWT / Header / Authorization / Bearer" choice
 * saves them: JWT_AUTHENTICATION with a REMOTE_JWKS key set. They are raw input (no defaults
 * filled in); pass them through `validateDeployment` to get the value the gateway runs.
 *
 * - `/test`  (use case 1, technical user): audience `anwendung1`; step 6 optionally checks the
 *   scope per route (`allowedScope`) or deployment-wide (`verifyClaims`).
 * - `/test2` (use case 2, end user): the audience array of a `__myscopes__` token, i.e. the
 *   domain's three URLs; step 8 optionally checks the custom claim `APIGWMichael4`.
 */
import type { models } from 'oci-apigateway';
import type { DeploymentInput } from './validate.js';

/** `iss` of IDCS tokens, with its trailing slash [C D-idp]. */
export const BLOG_ISSUER = 'https://identity.oraclecloud.com/';
/** Use case 1, step 1: the resource server's audience and the scope the client holds. */
export const BLOG_USE_CASE_1_AUDIENCE = 'anwendung1';
export const BLOG_USE_CASE_1_SCOPE = 'AnwendungReadA';
/** Use case 2, steps 1–2: the custom claim and the value the test user's attribute carries. */
export const BLOG_USE_CASE_2_CLAIM = { key: 'APIGWMichael4', value: 'Api1Access' } as const;
/** Both deployments expose route `/1` [BLOG]. */
export const BLOG_ROUTE_PATH = '/1';

/**
 * The `aud` array of an identity domain's `__myscopes__` access token, in the order IDCS lists it
 * [BLOG use case 2, step 6]: the secure domain URL, the domain URL, the lbaas logical GUID.
 * `region` is the OCI region (`eu-frankfurt-1`); IDCS writes it `eu-frankfurt-idcs-1`.
 */
export function identityDomainAudiences(tenant: string, region: string): string[] {
  const idcsRegion = region.replace(/-(\d+)$/, '-idcs-$1');
  return [
    `https://${tenant}.${idcsRegion}.secure.identity.oraclecloud.com`,
    `https://${tenant}.identity.oraclecloud.com`,
    `urn:opc:lbaas:logicalguid=${tenant}`,
  ];
}

/** The optional authorization steps of the blog. */
export interface BlogAuthorization {
  /** Step 6 "per route": the route's ANY_OF authorization with these scopes. */
  allowedScope?: string[];
  /** Steps 6 "global" / 8: deployment-wide claim checks (exact string match, never split). */
  verifyClaims?: models.JsonWebTokenClaim[];
  /** The identity domain's issuer, when not the IDCS preset. */
  issuer?: string;
  /** How long the gateway keeps the fetched JWKS (1–24 h); absent as the Console leaves it. */
  maxCacheDurationInHours?: number;
}

/**
 * The blog's authentication policy: JWT_AUTHENTICATION from `Authorization: Bearer`, the key set
 * REMOTE_JWKS at `jwksUri`, the IDCS issuer (or the domain's own) and these audiences, and the
 * deployment-wide claim checks if any.
 */
export function blogJwtAuthentication(jwksUri: string, audiences: string[] = [BLOG_USE_CASE_1_AUDIENCE], authorization: BlogAuthorization = {}): models.JwtAuthenticationPolicy {
  const publicKeys = { type: 'REMOTE_JWKS', uri: jwksUri, ...(authorization.maxCacheDurationInHours !== undefined ? { maxCacheDurationInHours: authorization.maxCacheDurationInHours } : {}) };
  return {
    type: 'JWT_AUTHENTICATION',
    tokenHeader: 'Authorization',
    tokenAuthScheme: 'Bearer',
    issuers: [authorization.issuer ?? BLOG_ISSUER],
    audiences,
    publicKeys: publicKeys as models.RemoteJsonWebKeySet,
    ...(authorization.verifyClaims ? { verifyClaims: authorization.verifyClaims } : {}),
  };
}

function blogDeployment(pathPrefix: string, audiences: string[], jwksUri: string, backendUrl: string, authorization: BlogAuthorization): DeploymentInput {
  const authentication = blogJwtAuthentication(jwksUri, audiences, authorization);
  const route: models.ApiSpecificationRoute = {
    path: BLOG_ROUTE_PATH,
    methods: ['GET' as models.ApiSpecificationRoute.Methods],
    backend: { type: 'HTTP_BACKEND', url: backendUrl } as models.HTTPBackend,
    ...(authorization.allowedScope
      ? { requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: authorization.allowedScope } as models.AnyOfRouteAuthorizationPolicy } }
      : {}),
  };
  return { pathPrefix, specification: { requestPolicies: { authentication }, routes: [route] } };
}

/** Use case 1: `/test`, audience `anwendung1`, route `/1` GET to `backendUrl`. */
export function blogUseCase1Deployment(jwksUri: string, backendUrl: string, authorization: BlogAuthorization = {}): DeploymentInput {
  return blogDeployment('/test', [BLOG_USE_CASE_1_AUDIENCE], jwksUri, backendUrl, authorization);
}

/** Use case 1 with step 6 done per route: ANY_OF `AnwendungReadA`. */
export function blogUseCase1WithScope(jwksUri: string, backendUrl: string, issuer?: string): DeploymentInput {
  return blogUseCase1Deployment(jwksUri, backendUrl, { allowedScope: [BLOG_USE_CASE_1_SCOPE], ...(issuer ? { issuer } : {}) });
}

/** Use case 2: `/test2`, the domain's three audiences (`identityDomainAudiences`), route `/1` GET. */
export function blogUseCase2Deployment(jwksUri: string, backendUrl: string, audiences: string[], authorization: BlogAuthorization = {}): DeploymentInput {
  return blogDeployment('/test2', audiences, jwksUri, backendUrl, authorization);
}

/** Use case 2 with step 8: the custom claim must be `Api1Access`. */
export function blogUseCase2WithClaim(jwksUri: string, backendUrl: string, audiences: string[], issuer?: string): DeploymentInput {
  return blogUseCase2Deployment(jwksUri, backendUrl, audiences, {
    verifyClaims: [{ key: BLOG_USE_CASE_2_CLAIM.key, values: [BLOG_USE_CASE_2_CLAIM.value], isRequired: true }],
    ...(issuer ? { issuer } : {}),
  });
}
