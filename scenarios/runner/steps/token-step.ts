/**
 * A token request at the identity domain's token endpoint (`/oauth2/v1/token`), as the blog's
 * curl and Postman make it: HTTP Basic client authentication (or the secret in the form), the
 * grant's fields, the scope as IDCS writes it.
 */
import type { TokenStep } from '../scenario-file.js';
import { observeHttp, type StepContext, type StepOutput } from './step-context.js';

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic. */
export function basicCredentials(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function runTokenStep(step: TokenStep, ctx: StepContext): Promise<StepOutput> {
  ctx.addSecret(step.clientSecret);
  ctx.addSecret(step.password);
  ctx.addSecret(step.refreshToken);
  const form = new URLSearchParams({ grant_type: step.grant });
  if (step.scope !== undefined) form.set('scope', step.scope);
  if (step.username !== undefined) form.set('username', step.username);
  if (step.password !== undefined) form.set('password', step.password);
  if (step.refreshToken !== undefined) form.set('refresh_token', step.refreshToken);
  for (const [k, v] of Object.entries(step.form ?? {})) form.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (step.clientAuth === 'basic') headers.authorization = basicCredentials(step.clientId, step.clientSecret);
  else {
    form.set('client_id', step.clientId);
    form.set('client_secret', step.clientSecret);
  }
  const observation = await observeHttp({ method: 'POST', url: `${ctx.target.iamUrl}/oauth2/v1/token`, headers, body: form.toString() });
  const body = observation.body as Record<string, unknown> | undefined;
  for (const key of ['access_token', 'refresh_token', 'id_token']) if (typeof body?.[key] === 'string') ctx.addSecret(body[key] as string);
  return { action: `POST /oauth2/v1/token (${step.grant}${step.scope ? `, scope ${step.scope}` : ''})`, observation };
}
