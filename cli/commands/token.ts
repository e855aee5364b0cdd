/**
 * `oci-auth-harness token`: a token from the running mock IAM, as the blog's curl gets it:
 * client credentials for a client, the password grant for a user, or a refresh. Only the token
 * goes to standard output, so `TOKEN=$(oci-auth-harness token ...)` works.
 */
import { parseArgs } from 'node:util';
import { fetchFailure, UsageError, type Command, type CommandIo } from '../command.js';
import { formatInspection } from '../inspection-format.js';
import { DEFAULT_IAM_URL } from './decode.js';

const HELP = `Usage: oci-auth-harness token --client NAME [--scope "..."] [options]
       oci-auth-harness token --user NAME [--client NAME] [--scope "..."] [options]
       oci-auth-harness token --refresh TOKEN --client NAME [options]

Gets an access token from the running mock IAM's token endpoint (POST <iam>/oauth2/v1/token) and
prints it alone on standard output:

  TOKEN=$(oci-auth-harness token --client usecase1_client --scope anwendung1AnwendungReadA)
  TOKEN=$(oci-auth-harness token --user usecase2.user --scope urn:opc:idm:__myscopes__)

  --client NAME           the OAuth client (client_id); with nothing else: client_credentials
  --client-secret SECRET  its secret (default: the client's clientSecret in --config)
  --user NAME             a user: the password grant (default client: the first client of --config
                          allowed the password grant)
  --password PASSWORD     the user's password (default: the user's password in --config)
  --refresh TOKEN         the refresh_token grant with this refresh token (- reads it from standard input)
  --scope "A B"           scopes as IDCS writes them, blank-separated and fully qualified
                          (anwendung1AnwendungReadA, urn:opc:idm:__myscopes__, offline_access)
  --client-auth basic|post  the client's secret in an Authorization: Basic header (default) or in the form
  --iam URL               the mock IAM (default ${DEFAULT_IAM_URL})
  --config FILE           the stack config the secrets are read from (default config/default-stack.yaml)
  --decode                print the token decoded and explained instead (signature checked with the IAM's JWKS)
  --json                  print the token endpoint's whole answer (access, refresh and ID tokens)
  -h, --help              this text

Exit status: 0 a token, 1 the IAM refused (its OAuth error and the x-harness-reason are printed)
or cannot be reached, 2 a usage error.`;

interface Credentials {
  clientId: string;
  clientSecret: string;
  form: URLSearchParams;
  grant: string;
}

async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv) {
  const { ConfigError, DEFAULT_CONFIG_FILE, loadStackConfig } = await import('../../common/config.js');
  const path = file ?? DEFAULT_CONFIG_FILE;
  try {
    return { config: loadStackConfig(path, env), path: file ?? 'config/default-stack.yaml' };
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`cannot read the secrets from ${file ?? 'config/default-stack.yaml'}: ${err.message}`);
    throw err;
  }
}

async function credentials(values: Record<string, string | boolean | undefined>, io: CommandIo): Promise<Credentials> {
  const str = (k: string) => values[k] as string | undefined;
  const user = str('user');
  let refresh = str('refresh');
  if (user && refresh) throw new UsageError('--user (password grant) and --refresh (refresh grant) do not go together');
  if (refresh === '-') refresh = (await io.readStdin()).trim();
  let clientId = str('client');
  let clientSecret = str('client-secret');
  let password = str('password');
  let config: Awaited<ReturnType<typeof loadConfig>> | undefined;
  const needConfig = (!clientId && user) || (clientId && clientSecret === undefined) || (user && password === undefined);
  if (needConfig) config = await loadConfig(str('config'), io.env);
  const apps = config?.config.iam.apps.filter((a) => a.isOAuthClient) ?? [];
  if (!clientId) {
    if (!user) throw new UsageError('name a client: --client NAME (or a user with --user NAME)');
    const login = apps.find((a) => a.allowedGrants.includes('password'));
    if (!login) throw new UsageError(`no client of ${config!.path} is allowed the password grant: name one with --client NAME`);
    clientId = login.name;
  }
  if (clientSecret === undefined) {
    const app = apps.find((a) => a.name === clientId);
    if (!app) throw new UsageError(`no client "${clientId}" in ${config!.path} (its clients: ${apps.map((a) => a.name).join(', ') || 'none'}): pass --client-secret, or --config the file that seeds it`);
    if (!app.clientSecret) throw new UsageError(`the client "${clientId}" has no clientSecret in ${config!.path}: pass --client-secret`);
    clientSecret = app.clientSecret;
  }
  const form = new URLSearchParams();
  let grant = 'client_credentials';
  if (refresh) {
    grant = 'refresh_token';
    form.set('grant_type', grant);
    form.set('refresh_token', refresh);
  } else if (user) {
    if (password === undefined) {
      const seeded = config!.config.iam.users.find((u) => u.userName === user);
      if (!seeded) throw new UsageError(`no user "${user}" in ${config!.path} (its users: ${config!.config.iam.users.map((u) => u.userName).join(', ') || 'none'}): pass --password`);
      if (seeded.password === undefined) throw new UsageError(`the user "${user}" has no password in ${config!.path}: pass --password`);
      password = seeded.password;
    }
    grant = 'password';
    form.set('grant_type', grant);
    form.set('username', user);
    form.set('password', password);
  } else form.set('grant_type', grant);
  const scope = str('scope');
  if (scope !== undefined) form.set('scope', scope);
  return { clientId, clientSecret, form, grant };
}

export const token: Command = {
  name: 'token',
  summary: 'get an access token from the running mock IAM (client credentials, password, refresh)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        client: { type: 'string' },
        'client-secret': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        refresh: { type: 'string' },
        scope: { type: 'string' },
        'client-auth': { type: 'string', default: 'basic' },
        iam: { type: 'string', default: DEFAULT_IAM_URL },
        config: { type: 'string' },
        decode: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; scopes go in one --scope "A B"`);
    const auth = values['client-auth'];
    if (auth !== 'basic' && auth !== 'post') throw new UsageError(`--client-auth must be basic or post (got ${auth})`);
    if (values.decode && values.json) throw new UsageError('--decode and --json: choose one');
    const creds = await credentials(values, io);
    const iam = values.iam!.replace(/\/+$/, '');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (auth === 'basic') {
      // RFC 6749 §2.3.1: form-encoded before they are joined, as the scenario runner sends them.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(creds.clientId)}:${encodeURIComponent(creds.clientSecret)}`).toString('base64')}`;
    } else {
      creds.form.set('client_id', creds.clientId);
      creds.form.set('client_secret', creds.clientSecret);
    }
    const spinner = io.spinner(`asking ${iam} for a token`);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${iam}/oauth2/v1/token`, { method: 'POST', headers, body: creds.form.toString(), signal: AbortSignal.timeout(30_000) });
      text = await response.text();
    } catch (err) {
      io.err(`cannot reach the mock IAM at ${iam} (${fetchFailure(err)}): start the stack with \`oci-auth-harness start\` (or npm start), or pass --iam URL`);
      return 1;
    } finally {
      spinner.stop();
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: reported below
    }
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      const reason = response.headers.get('x-harness-reason');
      const error = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : text.slice(0, 300) || '(no body)';
      io.err(`the IAM refused the ${creds.grant} request (HTTP ${response.status}): ${error}`);
      if (reason) io.err(`why: ${reason}`);
      return 1;
    }
    if (values.json) {
      io.out(JSON.stringify(body, null, 2));
      return 0;
    }
    if (values.decode) {
      const { inspectToken } = await import('../../tools/token-inspection.js');
      const checking = io.spinner('checking the signature');
      const inspection = await inspectToken(body.access_token, { jwks: `${iam}/admin/v1/SigningCert/jwk` }).finally(() => checking.stop());
      io.out(formatInspection(inspection, io.style));
      return inspection.signature.checked && !inspection.signature.valid ? 1 : 0;
    }
    io.out(body.access_token);
    return 0;
  },
};
