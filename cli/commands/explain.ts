/**
 * `oci-auth-harness explain`: runs the gateway's own decision (gateway-emulator/pipeline) for one
 * request, offline, and prints the verdict and every check with expected vs found. The deployment
 * comes from a file, or from a running control plane by id or path prefix (all of its active
 * deployments when none is named).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fetchFailure, UsageError, type Command, type CommandIo } from '../command.js';
import { dateOption, jwksOption, tokenArgument } from './decode.js';
import type { ExplainDeployment } from '../../tools/explain.js';

export const DEFAULT_CONTROL_PLANE_URL = 'http://127.0.0.1:8001';

const HELP = `Usage: oci-auth-harness explain --deployment FILE|ID|/PREFIX --path /test/1 [--token JWT] [options]

Runs the gateway emulator's own decision functions for one request, offline, and prints the
verdict (ACCEPTED and the backend call, or REFUSED with the status and the refusing check) and
every check with ✓/✗, what was expected and what was found: the exact-match trap reads

  REFUSED 401 Unauthorized by authentication.verifyClaims: JWT token does not have the expected claim value for 'scope'.
    expected ["AnwendungReadA"]
    found    "AnwendungReadA AnwendungWriteA"

  --deployment FILE|ID|/PREFIX
                        a deployment file {pathPrefix, specification} (JSON or YAML, e.g.
                        config/deployments/*.json), a deployment id or a path prefix of the running
                        control plane; absent: every active deployment of the control plane
  --path-prefix PREFIX  the path prefix, for a file holding only a specification
  --control-plane URL   the gateway's control plane (default ${DEFAULT_CONTROL_PLANE_URL})
  -X, --method METHOD   default GET
  --path PATH           the request path as the gateway receives it, e.g. /test/1 (may carry ?query)
  --token JWT           placed where the deployment reads tokens (Authorization: Bearer by default);
                        - reads it from standard input
  -H, --header "N: V"   a request header (repeatable)
  --query NAME=VALUE    a query parameter (repeatable)
  --data TEXT           the request body
  --client-ip IP        the caller's address (default 127.0.0.1)
  --jwks URL|FILE       the keys instead of the deployment's REMOTE_JWKS URI (offline use)
  --at ISO-TIME         decide at this instant (default now): e.g. after the token expired
  --config FILE         a stack config whose gateway.functions maps function OCIDs to URLs
  --json                the Decision as JSON
  -h, --help            this text

Exit status: 0 accepted (or answered by the gateway itself, a CORS preflight), 1 refused,
2 a usage error, an invalid deployment (its problems are printed) or a control plane that cannot
be reached.

Example: oci-auth-harness explain --deployment /test --path /test/1 --token "$TOKEN"`;

async function getJson(url: string, controlPlane: string): Promise<{ status: number; json: any }> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UsageError(
      `cannot reach the gateway's control plane at ${controlPlane} (${fetchFailure(err)}): give a deployment file with --deployment FILE, start the stack (oci-auth-harness start), or pass --control-plane URL`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new UsageError(`${url} did not answer JSON (HTTP ${response.status}): is ${controlPlane} the gateway's control plane (port 8001 by default)?`);
  }
  return { status: response.status, json };
}

async function activeSummaries(controlPlane: string): Promise<Array<{ id: string; pathPrefix: string }>> {
  const list = await getJson(`${controlPlane}/20190501/deployments?lifecycleState=ACTIVE&limit=1000`, controlPlane);
  if (list.status !== 200 || !Array.isArray(list.json?.items)) throw new UsageError(`${controlPlane}/20190501/deployments answered HTTP ${list.status}: ${list.json?.message ?? 'not a deployment list'}`);
  return list.json.items;
}

async function deploymentById(controlPlane: string, id: string): Promise<ExplainDeployment> {
  const { loadDeployment } = await import('../../tools/explain.js');
  const answer = await getJson(`${controlPlane}/20190501/deployments/${encodeURIComponent(id)}`, controlPlane);
  if (answer.status === 404) {
    throw new UsageError(`the control plane at ${controlPlane} has no deployment ${JSON.stringify(id)} (and it is not a file here): list them with curl ${controlPlane}/20190501/deployments`);
  }
  if (answer.status !== 200) throw new UsageError(`GET deployment ${id}: HTTP ${answer.status} ${answer.json?.code ?? ''} ${answer.json?.message ?? ''}`.trim());
  if (answer.json?.lifecycleState !== 'ACTIVE') throw new UsageError(`the deployment ${id} is ${answer.json?.lifecycleState}: it serves no request`);
  return loadDeployment(answer.json, { source: `deployment ${id} of ${controlPlane}` });
}

async function deployments(values: { deployment?: string; 'path-prefix'?: string; 'control-plane'?: string }): Promise<ExplainDeployment[]> {
  const { loadDeployment, readDeploymentFile } = await import('../../tools/explain.js');
  const controlPlane = values['control-plane']!.replace(/\/+$/, '');
  const named = values.deployment;
  const pathPrefix = values['path-prefix'];
  if (named !== undefined && existsSync(named)) return [loadDeployment(readDeploymentFile(named), { source: named, ...(pathPrefix ? { pathPrefix } : {}) })];
  if (named !== undefined && /\.(json|ya?ml)$/i.test(named)) throw new UsageError(`--deployment: no such file ${named}`);
  if (pathPrefix) throw new UsageError('--path-prefix is for a deployment file holding only a specification');
  if (named !== undefined && !named.startsWith('/')) return [await deploymentById(controlPlane, named)];
  const summaries = await activeSummaries(controlPlane);
  if (named !== undefined) {
    const found = summaries.find((s) => s.pathPrefix === named);
    if (!found) throw new UsageError(`no active deployment has the path prefix ${named} at ${controlPlane} (they have: ${summaries.map((s) => s.pathPrefix).join(', ') || 'none'})`);
    return [await deploymentById(controlPlane, found.id)];
  }
  if (summaries.length === 0) throw new UsageError(`the control plane at ${controlPlane} has no active deployment: give one with --deployment FILE`);
  return Promise.all(summaries.map((s) => deploymentById(controlPlane, s.id)));
}

function headerOption(values: string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const h of values) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header ${JSON.stringify(h)}: write it as "Name: value"`);
    const name = h.slice(0, colon).trim();
    headers[name] = [...(headers[name] ?? []), h.slice(colon + 1).trim()];
  }
  return headers;
}

function queryOption(values: string[]): Array<[string, string]> {
  return values.map((q) => {
    const eq = q.indexOf('=');
    return eq < 0 ? [q, ''] : [q.slice(0, eq), q.slice(eq + 1)];
  });
}

async function functionsOf(file: string | undefined, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (!file) return {};
  const { ConfigError, loadStackConfig } = await import('../../common/config.js');
  try {
    return loadStackConfig(file, env).gateway.functions;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`--config: ${err.message}`);
    throw err;
  }
}

async function runExplain(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      deployment: { type: 'string', short: 'd' },
      'path-prefix': { type: 'string' },
      'control-plane': { type: 'string', default: DEFAULT_CONTROL_PLANE_URL },
      method: { type: 'string', short: 'X', default: 'GET' },
      path: { type: 'string' },
      token: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true, default: [] },
      query: { type: 'string', multiple: true, default: [] },
      data: { type: 'string' },
      'client-ip': { type: 'string', default: '127.0.0.1' },
      jwks: { type: 'string' },
      at: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: the path goes in --path`);
  if (!values.path) throw new UsageError('give the request path: --path /test/1');
  if (!/^[A-Za-z]+$/.test(values.method!)) throw new UsageError(`--method ${JSON.stringify(values.method)} is not an HTTP method`);
  const at = dateOption('--at', values.at);
  const jwks = values.jwks !== undefined ? jwksOption(values.jwks) : undefined;
  const headers = headerOption(values.header!);
  const query = queryOption(values.query!);
  let token = values.token === undefined ? undefined : await tokenArgument(values.token, io, '--token');
  if (token !== undefined) token = token.trim().replace(/^bearer\s+/i, '');
  const functions = await functionsOf(values.config, io.env);

  const { explain, ExplainInputError, decisionJson, formatExplanation, verdictOf } = await import('../../tools/explain.js');
  const spinner = io.spinner('deciding (fetching the deployment and the JWKS)');
  let explanation;
  try {
    const loaded = await deployments(values);
    explanation = await explain({
      deployments: loaded,
      request: { method: values.method!, path: values.path, query, headers, ...(token !== undefined ? { token } : {}), ...(values.data !== undefined ? { body: values.data } : {}), clientIp: values['client-ip']! },
      ...(jwks !== undefined ? { jwks } : {}),
      ...(at ? { at } : {}),
      functions,
    });
  } catch (err) {
    if (err instanceof ExplainInputError) {
      spinner.stop();
      io.err(err.message + (err.problems.length ? `:\n${err.problems.map((p) => `  ${p}`).join('\n')}` : ''));
      return 2;
    }
    throw err;
  } finally {
    spinner.stop();
  }
  io.out(values.json ? JSON.stringify(decisionJson(explanation.decision), null, 2) : formatExplanation(explanation, io.style));
  return verdictOf(explanation.decision) === 'refused' ? 1 : 0;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: "run the gateway's decision for one request offline: verdict, and every check expected vs found",
  help: HELP,
  async run(argv, io) {
    return runExplain(argv, io);
  },
};
