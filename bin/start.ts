/**
 * `npm start [-- --config FILE ...] [--component iam|gateway|backend|all]`: the stack (or one
 * component of it, as each container of `docker compose up` runs) until Ctrl-C / SIGTERM.
 * Listeners can be moved with the CONTRACT.md variables (HOST, IAM_PORT, ...).
 *
 * `runStart` is also `oci-auth-harness start` (cli/commands/start.ts): same options, same output.
 * It lives here, not in cli/, because this file is the container's entry and the image copies
 * only what it reaches.
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_FILE, loadStackConfig } from '../common/config.js';
import { isEntryPoint } from '../common/entry-point.js';
import { COMPONENTS, describeStack, parseComponents, startComponents, type Component } from '../stack/stack.js';

export interface StartIo {
  out(text: string): void;
  err(text: string): void;
}

const consoleIo: StartIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** The usage line, for the way it was invoked (`npm start --`, `oci-auth-harness start`). */
export function startUsage(program = 'npm start --'): string {
  return `Usage: ${program} [--config FILE]... [--component ${[...COMPONENTS, 'all'].join('|')}]`;
}

export function startHelp(program = 'npm start --'): string {
  return [
    startUsage(program),
    '',
    `Starts the mock IAM, the gateway emulator and the echo backend with FILE (default: ${DEFAULT_CONFIG_FILE}).`,
    'Several --config files are layered in order: each is merged onto the ones before it.',
    '--component runs one of them (or a comma-separated list; default all); the gateway then',
    "reaches the others where the config's links say (docker-compose.yml runs one per container).",
  ].join('\n');
}

/**
 * Starts the stack and runs until SIGINT or SIGTERM; resolves with the exit status (0 stopped,
 * 1 could not start, 2 a usage or config error).
 */
export async function runStart(argv: string[], io: StartIo = consoleIo, program = 'npm start --'): Promise<number> {
  const usage = startUsage(program);
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        component: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    io.out(startHelp(program));
    return 0;
  }
  let components: Component[];
  try {
    components = parseComponents(args.component);
  } catch (err) {
    io.err(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const startedAt = performance.now();
  // Node is PID 1 in a container (the image runs node, not npm, which would not pass signals
  // on): these handlers are what make `docker stop` (SIGTERM) a graceful shutdown rather than a
  // kill after the grace period. Installed before start, so a signal while starting is not lost.
  let stopSignal = '';
  const stopRequested = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      stopSignal = signal;
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  let config;
  try {
    config = loadStackConfig(args.config ?? [DEFAULT_CONFIG_FILE]);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  let stack;
  try {
    // One JSON line per gateway decision (the decision trace), on standard output.
    stack = await startComponents(config, { components, logSink: (line) => io.out(`decision ${line}`) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    io.err(
      e.code === 'EADDRINUSE'
        ? `Cannot listen: ${e.message}. Free the port or move the listener: IAM_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, BACKEND_PORT (or the config's port fields).`
        : `Cannot start ${components.length === COMPONENTS.length ? 'the stack' : components.join(', ')}: ${e.message}`,
    );
    return 1;
  }
  io.out(describeStack(stack));
  io.out(`(ready in ${Math.round(performance.now() - startedAt)} ms)`);
  await stopRequested;
  io.out(`\n${stopSignal}: stopping...`);
  await stack.stop();
  return 0;
}


if (isEntryPoint(import.meta.url)) {
  runStart(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
