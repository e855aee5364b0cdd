/**
 * `oci-auth-harness decode <jwt>|-`: a token's header and claims, explained, times as dates with
 * "expires in", the signature checked against a JWKS (the local IAM's by default).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatInspection } from '../inspection-format.js';
import { UsageError, type Command, type CommandIo } from '../command.js';

export const DEFAULT_IAM_URL = 'http://127.0.0.1:8080';

const HELP = `Usage: oci-auth-harness decode <jwt>|- [options]

Prints a token's header and claims, each claim explained (what IDCS means by it, what the gateway
does with it), times as dates with "expires in" / "expired ... ago", and whether the signature
verifies. Only the signature is checked: use explain for what a deployment would say.

  <jwt>              the token (a pasted "Bearer ..." is fine), or - to read it from standard input
  --jwks URL|FILE    the keys to check the signature with (default: the local IAM's JWKS,
                     <--iam>/admin/v1/SigningCert/jwk, when it answers; else the signature is not checked)
  --iam URL          the mock IAM (default ${DEFAULT_IAM_URL})
  --at ISO-TIME      relative times as seen at this instant (default now)
  --json             the inspection as JSON
  -h, --help         this text

Exit status: 0 the signature is valid or could not be checked, 1 it is invalid, 2 not a JWT or a usage error.

Example: oci-auth-harness decode "$TOKEN"
         oci-auth-harness token --client usecase1_client --scope anwendung1AnwendungReadA | oci-auth-harness decode -`;

/** `--jwks`: a URL as it is, a file read as a JWKS. */
export function jwksOption(value: string): string | { keys: unknown[] } {
  if (/^https?:\/\//i.test(value)) return value;
  if (!existsSync(value)) throw new UsageError(`--jwks: ${value} is neither an http(s) URL nor a file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(value, 'utf8'));
  } catch (err) {
    throw new UsageError(`--jwks: ${value} is not JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new UsageError(`--jwks: ${value} is not a JWKS (an object with a "keys" array, as GET /admin/v1/SigningCert/jwk answers)`);
  }
  return parsed as { keys: unknown[] };
}

export function dateOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${name}: ${JSON.stringify(value)} is not a date; write it as ISO 8601, e.g. 2025-01-31T12:00:00Z`);
  return date;
}

/** A token argument: the text, or standard input for `-`. */
export async function tokenArgument(value: string | undefined, io: CommandIo, what = 'the token'): Promise<string> {
  if (value === '-') {
    const text = (await io.readStdin()).trim();
    if (!text) throw new UsageError(`${what}: standard input was empty`);
    return text;
  }
  if (value === undefined) throw new UsageError(`give ${what} as an argument, or - to read it from standard input`);
  return value;
}

export const decode: Command = {
  name: 'decode',
  summary: "show a JWT's header and claims explained, with dates, and check its signature",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { jwks: { type: 'string' }, iam: { type: 'string', default: DEFAULT_IAM_URL }, at: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length > 1) throw new UsageError(`one token at a time (got ${positionals.length} arguments)`);
    const now = dateOption('--at', values.at);
    const token = await tokenArgument(positionals[0], io);
    const local = `${values.iam!.replace(/\/+$/, '')}/admin/v1/SigningCert/jwk`;
    const jwks = values.jwks !== undefined ? jwksOption(values.jwks) : local;
    const { inspectToken } = await import('../../tools/token-inspection.js');
    let inspection;
    const spinner = io.spinner(`checking the signature against ${typeof jwks === 'string' ? jwks : 'the JWKS file'}`);
    try {
      inspection = await inspectToken(token, { jwks, ...(now ? { now } : {}) });
    } catch (err) {
      spinner.stop();
      io.err(`${(err as Error).message}`);
      return 2;
    } finally {
      spinner.stop();
    }
    if (values.jwks === undefined && !inspection.signature.checked) {
      inspection.signature = { checked: false, reason: `the local IAM's JWKS is not available (${inspection.signature.reason}); start the stack (oci-auth-harness start) or pass --jwks URL|FILE` };
    }
    io.out(values.json ? JSON.stringify(inspection, null, 2) : formatInspection(inspection, io.style));
    return inspection.signature.checked && !inspection.signature.valid ? 1 : 0;
  },
};
