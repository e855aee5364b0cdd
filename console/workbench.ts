/**
 * The token workbench: a token request sent to the IAM's own token endpoint over HTTP (the path
 * any client takes: client authentication, grant checks, scopes, claims, signing), its answer
 * decoded and explained by `inspectToken`, the signature checked against the IAM's JWKS.
 */
import { z } from 'zod';
import type { StackConfig } from '../common/config.js';
import type { IamContext } from '../mock-iam/iam-context.js';
import { inspectToken, type TokenInspection } from '../tools/token-inspection.js';
import { seededPasswords, WORKBENCH_GRANTS } from './views.js';

export const workbenchRequestSchema = z.strictObject({
  clientId: z.string().min(1, 'pick a client'),
  grantType: z.enum(WORKBENCH_GRANTS),
  /** Scopes as IDCS writes them, separated by blanks (`anwendung1AnwendungReadA urn:opc:idm:__myscopes__`). */
  scope: z.string().default(''),
  userName: z.string().optional(),
  /** For the password grant; empty: the seeded user's password from the stack config. */
  password: z.string().optional(),
  refreshToken: z.string().optional(),
});
export type WorkbenchRequest = z.input<typeof workbenchRequestSchema>;

export interface WorkbenchResult {
  /** What was sent (never the client secret or the password). */
  request: {
    endpoint: string;
    clientId: string;
    grantType: string;
    scope: string;
    clientAuthentication: 'client_secret_basic' | 'client_id only (public client)';
    userName?: string | undefined;
    password?: 'typed' | 'from the stack config' | undefined;
  };
  /** The token endpoint's HTTP status. */
  status: number;
  ok: boolean;
  /** A refusal as the IAM sent it, with the harness's reason header. */
  error?: { error?: string | undefined; description?: string | undefined; reason?: string | undefined } | undefined;
  accessToken?: string | undefined;
  tokenType?: string | undefined;
  expiresIn?: number | undefined;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  inspection?: TokenInspection | undefined;
  /** Why the access token could not be inspected. */
  inspectionError?: string | undefined;
}

/** A request the console refuses before asking the IAM (it names what to fix). */
export class WorkbenchProblem extends Error {}

export interface WorkbenchDeps {
  iam: Pick<IamContext, 'store' | 'keys' | 'clock'>;
  /** Where the IAM listens (its own token endpoint). */
  iamUrl: () => string;
  config: Pick<StackConfig, 'iam'>;
}

export async function requestToken(deps: WorkbenchDeps, input: unknown): Promise<WorkbenchResult> {
  const parsed = workbenchRequestSchema.safeParse(input);
  if (!parsed.success) throw new WorkbenchProblem(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  const request = parsed.data;
  const app = deps.iam.store.appByClientId(request.clientId);
  if (!app?.isOAuthClient) throw new WorkbenchProblem(`no OAuth client "${request.clientId}" in the IAM; pick one of the Apps page's clients`);
  if (!app.clientSecret && app.clientType !== 'public') {
    throw new WorkbenchProblem(`${app.name} authenticates with a certificate (private_key_jwt); the workbench sends client secrets only: use the CLI (oci-auth-harness token) or your own client`);
  }
  const form = new URLSearchParams({ grant_type: request.grantType });
  const scope = request.scope.trim().split(/\s+/).filter(Boolean).join(' ');
  if (scope) form.set('scope', scope);
  let password: WorkbenchResult['request']['password'];
  if (request.grantType === 'password') {
    const userName = request.userName?.trim();
    if (!userName) throw new WorkbenchProblem('the password grant needs a user: pick one');
    let value = request.password;
    password = 'typed';
    if (!value) {
      value = seededPasswords(deps.config).get(userName.toLowerCase());
      password = 'from the stack config';
      if (value === undefined) throw new WorkbenchProblem(`the stack config seeds no password for ${userName}: type it`);
    }
    form.set('username', userName);
    form.set('password', value);
  }
  if (request.grantType === 'refresh_token') {
    if (!request.refreshToken?.trim()) throw new WorkbenchProblem('the refresh_token grant needs a refresh token: paste one (a password grant answers with one)');
    form.set('refresh_token', request.refreshToken.trim());
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (app.clientSecret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.name)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
  else form.set('client_id', app.name);

  const endpoint = `${deps.iamUrl()}/oauth2/v1/token`;
  const response = await fetch(endpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: 'not JSON', error_description: text.slice(0, 500) };
  }
  const result: WorkbenchResult = {
    request: {
      endpoint,
      clientId: app.name,
      grantType: request.grantType,
      scope,
      clientAuthentication: app.clientSecret ? 'client_secret_basic' : 'client_id only (public client)',
      userName: request.grantType === 'password' ? request.userName?.trim() : undefined,
      password,
    },
    status: response.status,
    ok: response.ok && typeof body.access_token === 'string',
  };
  if (!result.ok) {
    result.error = {
      error: typeof body.error === 'string' ? body.error : undefined,
      description: typeof body.error_description === 'string' ? body.error_description : undefined,
      reason: response.headers.get('x-harness-reason') ?? undefined,
    };
    return result;
  }
  result.accessToken = body.access_token as string;
  result.tokenType = typeof body.token_type === 'string' ? body.token_type : undefined;
  result.expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
  result.refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
  result.idToken = typeof body.id_token === 'string' ? body.id_token : undefined;
  try {
    // The key set the IAM publishes at /admin/v1/SigningCert/jwk (read in-process: its public
    // access may be off, and a console needs no token to see its own keys).
    result.inspection = await inspectToken(result.accessToken, { jwks: JSON.parse(deps.iam.keys.jwks()) as { keys: unknown[] }, now: new Date(deps.iam.clock.nowMs()) });
  } catch (err) {
    result.inspectionError = (err as Error).message;
  }
  return result;
}
