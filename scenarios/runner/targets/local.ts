/**
 * The `local` target: the whole stack started in this process on free ports from
 * config/scenario-stack.yaml (only the admin client), stopped when the scenario ends. Deployments
 * go through the gateway's own control plane REST, as a script would push them.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackConfig, type StackConfig } from '../../../common/config.js';
import { startStack, type RunningStack } from '../../../stack/stack.js';
import type { DeploymentApi, DeploymentOutcome, DeploymentView, Target } from './target.js';

export const SCENARIO_STACK_CONFIG = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../config/scenario-stack.yaml');

/** The control plane's REST answers as a deployment outcome (the view, or the OCI error body). */
export function restDeployments(controlPlaneUrl: string): DeploymentApi {
  const base = `${controlPlaneUrl}/20190501/deployments`;
  const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const response = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  const view = (json: any): DeploymentView => ({ id: json.id, lifecycleState: json.lifecycleState, pathPrefix: json.pathPrefix, specification: json.specification });
  const outcome = async (answer: { status: number; json: any }, id?: string): Promise<DeploymentOutcome> => {
    if (answer.status >= 300) return { ok: false, status: answer.status, body: { code: answer.json?.code ?? 'Unknown', message: answer.json?.message ?? '' } };
    // Update answers 202 without a body (OCI's work request): read the deployment as it now is.
    if (id) return outcome(await call('GET', `${base}/${encodeURIComponent(id)}`));
    return { ok: true, view: view(answer.json) };
  };
  return {
    create: async (request) => outcome(await call('POST', base, request)),
    update: async (id, request) => outcome(await call('PUT', `${base}/${encodeURIComponent(id)}`, request), id),
    delete: async (id) => {
      const answer = await call('DELETE', `${base}/${encodeURIComponent(id)}`);
      if (answer.status >= 300 && answer.status !== 404) throw new Error(`DELETE deployment ${id}: ${answer.status} ${answer.json?.message ?? ''}`);
    },
  };
}

/** A target over a running stack (the runner's own, or one a test started). */
export function stackTarget(stack: RunningStack, description: string, stop: () => Promise<void>): Target {
  const admin = stack.config.iam.apps.find((a) => a.grantedAppRoles.includes('Identity Domain Administrator') && a.clientSecret);
  if (!admin?.clientSecret) throw new Error('the stack config has no client with the Identity Domain Administrator app role and a secret');
  return {
    kind: 'local',
    description,
    iamUrl: stack.iam.context.baseUrl,
    gatewayUrl: stack.gateway.dataPlane.url,
    adminClient: { id: admin.name, secret: admin.clientSecret },
    deployments: restDeployments(stack.gateway.controlPlane.url),
    advanceClock: async (seconds) => {
      stack.clock.advance(seconds * 1000);
    },
    gatewayReason: (requestId) => {
      const entry = stack.gateway.log.recent().find((e) => e.requestId === requestId);
      if (!entry?.reason) return undefined;
      const { check, message, expected, found } = entry.reason;
      const detail = [expected !== undefined ? `expected ${JSON.stringify(expected)}` : '', found !== undefined ? `found ${JSON.stringify(found)}` : ''].filter(Boolean).join(', ');
      return `${check}: ${message}${detail ? ` (${detail})` : ''}`;
    },
    close: stop,
  };
}

/** Starts the scenario stack (or the given config) on free ports. */
export async function startLocalTarget(config: StackConfig = loadStackConfig(SCENARIO_STACK_CONFIG, {})): Promise<Target> {
  const stack = await startStack(config);
  return stackTarget(stack, 'local stack (in-process, free ports)', () => stack.stop());
}
