/**
 * A call to the gateway's data plane, as the blog's "test with the rest client" steps. Where the
 * target keeps a decision log (the local stack), the gateway's reason comes back with it.
 */
import type { RequestStep } from '../scenario-file.js';
import { observeHttp, queryString, type StepContext, type StepOutput } from './step-context.js';

export async function runRequestStep(step: RequestStep, ctx: StepContext): Promise<StepOutput> {
  const headers: Record<string, string> = { ...(step.headers ?? {}) };
  let body: string | undefined;
  if (step.body !== undefined) {
    body = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    if (typeof step.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'authorization') ctx.addSecret(value.replace(/^\S+\s+/, ''));
  const observation = await observeHttp({ method: step.method, url: `${ctx.target.gatewayUrl}${step.path}${queryString(step.query)}`, headers, body });
  const output: StepOutput = { action: `${step.method} ${step.path}`, observation };
  const requestId = observation.headers?.['opc-request-id'];
  const reason = requestId ? ctx.target.gatewayReason?.(requestId) : undefined;
  if (reason) output.gatewayReason = reason;
  return output;
}
