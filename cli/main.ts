/**
 * `oci-auth-harness <command>` (bin/oci-auth-harness.mjs, `npm run cli --`): the stack, tokens,
 * token decoding, the gateway's decision explained, and the scenario runner. Each command is one
 * file in cli/commands/, loaded only when it runs, so `--help` answers at once.
 */
import { readFileSync } from 'node:fs';
import { isEntryPoint } from '../common/entry-point.js';
import { UsageError, processIo, wantsHelp, type Command, type CommandIo } from './command.js';

interface Entry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

/** Summaries here too, so the command list loads no command. */
const COMMANDS: Entry[] = [
  { name: 'start', summary: 'run the stack (mock IAM, gateway emulator, echo backend) until Ctrl-C; as npm start', load: async () => (await import('./commands/start.js')).start },
  { name: 'token', summary: 'get an access token from the running mock IAM (client credentials, password, refresh)', load: async () => (await import('./commands/token.js')).token },
  { name: 'decode', summary: "show a JWT's header and claims explained, with dates, and check its signature", load: async () => (await import('./commands/decode.js')).decode },
  { name: 'explain', summary: "run the gateway's decision for one request offline: the verdict and every check", load: async () => (await import('./commands/explain.js')).explainCommand },
  { name: 'scenario', summary: 'run auth scenarios (scenarios/*.yaml) against a fresh local stack or a real tenancy', load: async () => (await import('./commands/scenario.js')).scenario },
];

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: oci-auth-harness <command> [options]      (or: npm run cli -- <command> [options])',
    '',
    'A local stand-in for OCI IAM (IDCS) and OCI API Gateway JWT auth.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `oci-auth-harness <command> --help` for its options. Typical session:',
    '  oci-auth-harness start                                   # in one terminal',
    '  TOKEN=$(oci-auth-harness token --client usecase1_client --scope anwendung1AnwendungReadA)',
    '  oci-auth-harness decode "$TOKEN"',
    '  oci-auth-harness explain --deployment /test --path /test/1 --token "$TOKEN"',
    '',
    'Exit status: 0 success, 1 refused or failed (the command says why), 2 a usage or input error.',
  ].join('\n');
}

/** Runs one command line; resolves with the exit status. */
export async function main(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    (first === undefined ? io.err : io.out)(mainHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(version());
    return 0;
  }
  let name = first;
  let args = rest;
  if (first === 'help') {
    if (rest[0] === undefined) {
      io.out(mainHelp());
      return 0;
    }
    name = rest[0];
    args = ['--help'];
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const close = COMMANDS.filter((c) => c.name.startsWith(name.slice(0, 2)) || name.startsWith(c.name)).map((c) => c.name);
    io.err(`unknown command ${JSON.stringify(name)}${close.length ? ` (did you mean ${close.join(' or ')}?)` : ''}; the commands: ${COMMANDS.map((c) => c.name).join(', ')}. See oci-auth-harness --help`);
    return 2;
  }
  const command = await entry.load();
  if (command.help !== undefined && wantsHelp(args)) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    // parseArgs' own errors (an unknown option, a missing value) are usage errors too.
    const code = (err as { code?: string }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`oci-auth-harness ${entry.name}: ${(err as Error).message}\nSee oci-auth-harness ${entry.name} --help`);
      return err instanceof UsageError ? err.exitCode : 2;
    }
    throw err;
  }
}

/** Exits once standard output and error have flushed (a pipe may still hold the last lines). */
function flushAndExit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/**
 * Runs the command line as the program and exits with its status. Exiting (rather than waiting
 * for the event loop to drain) matters: kept-alive connections of fetch would hold the process.
 */
export function runAsProgram(argv: string[]): void {
  main(argv).then(flushAndExit, (err: unknown) => {
    process.stderr.write(`oci-auth-harness: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    flushAndExit(1);
  });
}


if (isEntryPoint(import.meta.url)) runAsProgram(process.argv.slice(2));
