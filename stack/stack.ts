/**
 * The stack: the mock IAM, the echo backend and the gateway emulator, each started from its own
 * section of the same config. `startStack` runs all three in one process sharing one clock
 * (`npm start`); `startComponents` runs any of them (`npm start -- --component gateway`: one
 * container per component), the others reached where the config's `links` say.
 */
import { ControllableClock } from '../common/clock.js';
import { ociApiKeyMap, resolveIssuer, resolveLinks, type Links, type StackConfig } from '../common/config.js';
import type { RunningServer } from '../common/http.js';
import { consoleMiddleware } from '../console/console.js';
import { consoleGateway } from '../console/gateway-source.js';
import { startEchoBackend } from '../gateway-emulator/backends/echo-server.js';
import { startGateway, type RunningGateway } from '../gateway-emulator/gateway.js';
import { blogUseCase1WithScope, blogUseCase2WithClaim } from '../gateway-emulator/spec/examples.js';
import { validateDeployment, type DeploymentInput } from '../gateway-emulator/spec/validate.js';
import { tenantIdentity, type IamContext } from '../mock-iam/iam-context.js';
import { startIam, type RunningIam } from '../mock-iam/server.js';

/** The components one process can run (started IAM and backend first: the gateway points at them). */
export const COMPONENTS = ['iam', 'gateway', 'backend'] as const;
export type Component = (typeof COMPONENTS)[number];

/**
 * The value of `--component`: `all` (the default), one of `iam`, `gateway`, `backend`, or several
 * joined by commas. Throws an Error naming the accepted values.
 */
export function parseComponents(arg: string | undefined): Component[] {
  const names = (arg ?? 'all').split(',').map((n) => n.trim().toLowerCase());
  if (names.includes('all')) return [...COMPONENTS];
  const unknown = names.filter((n) => !(COMPONENTS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    throw new Error(`--component: "${unknown.join(',') || arg}" is not ${[...COMPONENTS, 'all'].join(', ')} (or a comma-separated list)`);
  }
  return COMPONENTS.filter((c) => names.includes(c));
}

/** Components started by one process; a component this process does not run is absent. */
export interface RunningComponents {
  readonly config: StackConfig;
  readonly clock: ControllableClock;
  readonly components: readonly Component[];
  readonly iam?: RunningIam;
  readonly backend?: RunningServer;
  readonly gateway?: RunningGateway;
  /** Where the gateway reaches the IAM and the backend: their own listeners when in this process, else the config's `links`. */
  readonly links: Links;
  stop(): Promise<void>;
}

/** The whole stack in one process. */
export interface RunningStack extends RunningComponents {
  readonly iam: RunningIam;
  readonly backend: RunningServer;
  readonly gateway: RunningGateway;
}

/**
 * The blog's deployments against this stack, from the config alone: `/test` (use case 1: audience
 * `anwendung1`, route `/1` authorized for scope `AnwendungReadA` with ANY_OF) and `/test2` (use
 * case 2: the domain's URLs as audiences, `verifyClaims` on the custom claim `APIGWMichael4`).
 * Their issuer is the configured one, their JWKS the IAM's at `links.iamUrl`, their backend the
 * echo backend at `links.backendUrl`; they go through the same validation as a deployment pushed
 * to the control plane.
 */
export function useCaseDeployments(config: Pick<StackConfig, 'host' | 'links' | 'iam' | 'backend'>, links: Links = resolveLinks(config)): DeploymentInput[] {
  const jwks = `${links.iamUrl}/admin/v1/SigningCert/jwk`;
  const issuer = resolveIssuer(config.iam.issuer);
  const { domainUrl, secureDomainUrl, tenant } = tenantIdentity(config.iam);
  const audiences = [secureDomainUrl, domainUrl, `urn:opc:lbaas:logicalguid=${tenant}`];
  return [
    { ...blogUseCase1WithScope(jwks, `${links.backendUrl}/anwendung1/1`, issuer), displayName: 'use case 1: technical user with scopes' },
    { ...blogUseCase2WithClaim(jwks, `${links.backendUrl}/anwendung2/1`, audiences, issuer), displayName: 'use case 2: end user with a custom claim' },
  ].map((raw) => {
    const checked = validateDeployment(raw);
    if (!checked.ok) throw new Error(`use-case deployment ${raw.pathPrefix} is invalid: ${checked.problems.join('; ')}`);
    return checked.value;
  });
}

export interface StartOptions {
  /** Which components this process runs; all by default. */
  components?: readonly Component[];
  /** One clock for every component of this process (`/_harness/clock` on any of them moves it). */
  clock?: ControllableClock;
  /** Where the gateway's decision log lines go. */
  logSink?: (line: string) => void;
}

/**
 * Starts the chosen components of one config. A component this process runs is reached at its
 * own listener (so port 0 works); one it does not run, where `links` says (default:
 * `http://HOST:PORT` of the config).
 */
export async function startComponents(config: StackConfig, options: StartOptions = {}): Promise<RunningComponents> {
  const components = COMPONENTS.filter((c) => (options.components ?? COMPONENTS).includes(c));
  if (components.length === 0) throw new Error('no component to start');
  const clock = options.clock ?? new ControllableClock();
  const ociApiKeys = ociApiKeyMap(config);
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = () => Promise.all(started.splice(0).reverse().map((s) => s.stop())).then(() => undefined);
  try {
    let iam: RunningIam | undefined;
    let backend: RunningServer | undefined;
    let gateway: RunningGateway | undefined;
    // The web console (/console on the IAM's port) shows this IAM and the gateway: the one of this
    // process once started, else the one at links.gatewayAdminUrl.
    const consoleGatewaySource = consoleGateway(config, () => gateway);
    const mount = (context: IamContext, iamUrl: () => string) => consoleMiddleware({ iam: context, iamUrl, config, gateway: consoleGatewaySource });
    if (components.includes('iam')) started.push((iam = await startIam(config.iam, { host: config.host, clock, ociApiKeys, mount })));
    if (components.includes('backend')) started.push((backend = await startEchoBackend({ port: config.backend.port, host: config.host })));
    const configured = resolveLinks(config);
    const links: Links = { iamUrl: iam?.context.baseUrl ?? configured.iamUrl, backendUrl: backend?.url ?? configured.backendUrl };
    if (components.includes('gateway')) {
      if (config.gateway.useCaseDeployments) {
        for (const [component, field, url] of [['iam', 'iamUrl', links.iamUrl], ['backend', 'backendUrl', links.backendUrl]] as const) {
          if (!components.includes(component) && !config.links[field] && /:0$/.test(url)) {
            throw new Error(`the gateway runs without the ${component === 'iam' ? 'mock IAM' : 'echo backend'} and its port is 0: set links.${field} to where it is`);
          }
        }
      }
      gateway = await startGateway(config.gateway, { host: config.host, clock, ociApiKeys, logSink: options.logSink, note: (line) => console.log(`gateway: ${line}`) });
      started.push(gateway);
      if (config.gateway.useCaseDeployments) {
        for (const deployment of useCaseDeployments(config, links)) gateway.store.create(deployment);
      }
    }
    return { config, clock, components, iam, backend, gateway, links, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The whole stack in one process (`npm start`), sharing one clock. */
export async function startStack(config: StackConfig, clock = new ControllableClock(), logSink?: (line: string) => void): Promise<RunningStack> {
  // No `components` option: all three are started, or startComponents throws.
  return (await startComponents(config, { clock, logSink })) as RunningStack;
}

const COMPONENT_TITLES: Record<Component, string> = { iam: 'the mock IAM', backend: 'the echo backend', gateway: 'the gateway emulator' };

/**
 * What `npm start` prints: where things are, what is seeded, and a curl line per use case; for a
 * process running only some components (`--component`), only what those serve.
 */
export function describeStack(stack: RunningComponents): string {
  const { iam, gateway, backend } = stack;
  const whole = stack.components.length === COMPONENTS.length;
  const lines = [whole ? 'oci-auth-harness is up' : `oci-auth-harness: ${stack.components.map((c) => COMPONENT_TITLES[c]).join(', ')} up`, ''];
  if (iam) {
    const base = iam.context.baseUrl;
    lines.push(
      `  mock IAM (IDCS)        ${base}`,
      `    issuer               ${iam.context.issuer}`,
      `    token endpoint       ${base}/oauth2/v1/token`,
      `    JWKS                 ${base}/admin/v1/SigningCert/jwk${iam.context.settings.signingCertPublicAccess ? '' : '  (needs a bearer token)'}`,
      `    discovery            ${base}/.well-known/openid-configuration`,
      `    web console          ${base}/console`,
    );
  }
  if (gateway) {
    lines.push(
      `  gateway data plane     ${gateway.dataPlane.url}`,
      `  gateway control plane  ${gateway.controlPlane.url}/20190501/deployments  (decisions: ${gateway.controlPlane.url}/_harness/decisions)`,
    );
    if (!iam) lines.push(`    reaches the IAM at   ${stack.links.iamUrl}`);
    if (!backend) lines.push(`    reaches the backend  ${stack.links.backendUrl}`);
  }
  if (backend) lines.push(`  echo backend           ${backend.url}`);
  if (gateway) {
    lines.push('', '  deployments', ...gateway.store.active().map((d) => `    ${d.pathPrefix}  ${d.displayName}  (${d.specification.routes?.length ?? 0} routes)`));
  }
  const clients = iam ? [...iam.context.store.apps.values()].filter((a) => a.isOAuthClient) : [];
  if (iam) {
    lines.push(
      '',
      '  seeded clients (client_id / secret: grants)',
      ...clients.map((c) => `    ${c.name} / ${c.clientSecret ?? '(certificate)'}: ${c.allowedGrants.join(', ')}`),
      '  seeded users',
      // Passwords are kept hashed; the seeded ones are in the config.
      ...stack.config.iam.users.map((u) => `    ${u.userName} / ${u.password ?? '(no password)'}`),
    );
  }
  lines.push('');
  const cc = clients.find((c) => c.name === 'usecase1_client');
  const pw = clients.find((c) => c.name === 'usecase2_client');
  const user = stack.config.iam.users[0];
  const tokenOf = (curl: string) => `TOKEN=$(${curl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  const base = iam?.context.baseUrl;
  if (cc && base) {
    lines.push('  use case 1 (technical user, scope):', `    ${tokenOf(`curl -s -u '${cc.name}:${cc.clientSecret}' -d grant_type=client_credentials -d scope=anwendung1AnwendungReadA ${base}/oauth2/v1/token`)}`);
    if (gateway) lines.push(`    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test/1`);
  }
  if (pw && user && base) {
    lines.push(
      '  use case 2 (end user, custom claim):',
      `    ${tokenOf(`curl -s -u '${pw.name}:${pw.clientSecret}' -d grant_type=password -d 'username=${user.userName}' -d 'password=${user.password}' -d scope=urn:opc:idm:__myscopes__ ${base}/oauth2/v1/token`)}`,
    );
    if (gateway) lines.push(`    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test2/1`);
  }
  if (gateway && !iam && stack.config.gateway.useCaseDeployments) {
    lines.push(
      '  the use cases, with a token from the mock IAM (see its output):',
      `    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test/1`,
      `    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test2/1`,
    );
  }
  lines.push('', whole ? 'Ctrl-C stops the stack.' : 'Ctrl-C (SIGINT) or SIGTERM stops it.');
  // A part left out (a component not run here) leaves no run of blank lines behind.
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}
