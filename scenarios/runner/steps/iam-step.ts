/**
 * An IDCS admin REST call (`/admin/v1/...`) with a bearer token of the target's admin client, as
 * the blog's REST steps make them. A POST that creates a resource is undone when the scenario
 * ends (DELETE of its id, `forceDelete=true` as IDCS wants for apps and users), unless the step
 * says `cleanup: false`.
 */
import type { IamStep } from '../scenario-file.js';
import type { Observation } from '../types.js';
import { observeHttp, queryString, type HttpCall, type StepContext, type StepOutput } from './step-context.js';

/** Collections whose members a DELETE of `/{id}` removes. Schemas are changed by PATCH and have no such undo. */
const DELETABLE = /^\/admin\/v1\/(Apps|Users|Groups|Grants|AppRoles|CustomClaims)$/;

/** An admin call; a 401 is retried once with a new admin token (the old one may have expired). */
async function asAdmin(ctx: StepContext, call: HttpCall): Promise<Observation> {
  const once = async (renew: boolean) => observeHttp({ ...call, headers: { ...call.headers, authorization: `Bearer ${await ctx.adminToken(renew)}` } });
  const first = await once(false);
  return first.status === 401 ? once(true) : first;
}

export async function runIamStep(step: IamStep, ctx: StepContext): Promise<StepOutput> {
  const headers: Record<string, string> = { accept: 'application/json', ...(step.headers ?? {}) };
  let body: string | undefined;
  if (step.body !== undefined) {
    body = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    headers['content-type'] ??= 'application/json';
  }
  const call: HttpCall = { method: step.method, url: `${ctx.target.iamUrl}${step.path}${queryString(step.query)}`, headers, body };
  const observation = step.auth === 'admin' ? await asAdmin(ctx, call) : await observeHttp(call);
  const output: StepOutput = { action: `${step.method} ${step.path}`, observation };

  const created = observation.body as { id?: unknown } | undefined;
  const collection = DELETABLE.exec(step.path);
  if (step.method === 'POST' && step.cleanup !== false && collection && observation.status === 201 && typeof created?.id === 'string') {
    const path = `${step.path}/${encodeURIComponent(created.id)}`;
    output.cleanup = {
      description: `DELETE ${path}`,
      run: async () => {
        const force = collection[1] === 'Apps' || collection[1] === 'Users' ? '?forceDelete=true' : '';
        const answer = await asAdmin(ctx, { method: 'DELETE', url: `${ctx.target.iamUrl}${path}${force}` });
        if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) throw new Error(`DELETE ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      },
    };
  }
  return output;
}
