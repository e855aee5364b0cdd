/**
 * A gateway deployment pushed through the target's control plane (the emulator's REST locally,
 * the `oci-apigateway` SDK against OCI): a new one, or a new specification for an earlier one
 * (`update: ${deploymentId}`), as the blog's "save and wait for the renewed deployment". The step
 * observes what is in force once the change settled: state, path prefix and specification, or the
 * control plane's refusal.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseYaml } from '../../../common/config.js';
import type { DeployStep } from '../scenario-file.js';
import type { DeploymentRequest } from '../targets/target.js';
import type { Observation } from '../types.js';
import type { StepContext, StepOutput } from './step-context.js';

/** The deployment a step describes: its file (JSON or YAML) with the step's own fields on top. */
export function deploymentOf(step: DeployStep, scenarioDir: string, interpolateFile: (value: unknown) => unknown): Partial<DeploymentRequest> {
  let fromFile: Record<string, unknown> = {};
  if (step.file) {
    const path = resolve(scenarioDir, step.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`deploy.file: cannot read ${step.file}: ${(err as Error).message}`);
    }
    const parsed = parseYaml(text);
    if (!parsed.ok) throw new Error(`deploy.file ${step.file}: ${parsed.problems.join('; ')}`);
    if (parsed.value === null || typeof parsed.value !== 'object') throw new Error(`deploy.file ${step.file}: not a deployment object ({pathPrefix, specification})`);
    fromFile = interpolateFile(parsed.value) as Record<string, unknown>;
  }
  const pick = <K extends keyof DeploymentRequest>(key: K): DeploymentRequest[K] | undefined => (step[key] as DeploymentRequest[K] | undefined) ?? (fromFile[key] as DeploymentRequest[K] | undefined);
  return { pathPrefix: pick('pathPrefix'), displayName: pick('displayName'), specification: pick('specification') };
}

export async function runDeployStep(step: DeployStep, ctx: StepContext, interpolateFile: (value: unknown) => unknown): Promise<StepOutput> {
  const deployment = deploymentOf(step, ctx.scenarioDir, interpolateFile);
  if (!deployment.specification) throw new Error('deploy: the deployment has no specification');
  const api = ctx.target.deployments;
  const outcome = step.update
    ? await api.update(step.update, { specification: deployment.specification, ...(deployment.displayName ? { displayName: deployment.displayName } : {}) })
    : await (async () => {
        if (!deployment.pathPrefix) throw new Error('deploy: a new deployment needs a pathPrefix');
        return api.create({ pathPrefix: deployment.pathPrefix, specification: deployment.specification!, ...(deployment.displayName ? { displayName: deployment.displayName } : {}) });
      })();
  const observation: Observation = outcome.ok
    ? { status: 200, body: { id: outcome.view.id, lifecycleState: outcome.view.lifecycleState, pathPrefix: outcome.view.pathPrefix, specification: outcome.view.specification } }
    : { status: outcome.status, body: outcome.body };
  const action = step.update ? `update deployment ${step.update}` : `create deployment ${deployment.pathPrefix}`;
  const output: StepOutput = { action, observation };
  if (outcome.ok && !step.update && step.cleanup !== false) {
    const id = outcome.view.id;
    output.cleanup = { description: `delete deployment ${deployment.pathPrefix}`, run: () => api.delete(id) };
  }
  return output;
}
