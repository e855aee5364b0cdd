/**
 * `npm start [-- --config FILE ...] [--component iam|gateway|backend|all]`: the stack (or one
 * component of it, as each container of `docker compose up` runs) until Ctrl-C / SIGTERM.
 * Listeners can be moved with the CONTRACT.md variables (HOST, IAM_PORT, ...).
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_FILE, loadStackConfig } from '../common/config.js';
import { COMPONENTS, describeStack, parseComponents, startComponents, type Component } from '../stack/stack.js';

const USAGE = `Usage: npm start -- [--config FILE]... [--component ${[...COMPONENTS, 'all'].join('|')}]`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        component: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(
      [
        USAGE,
        '',
        `Starts the mock IAM, the gateway emulator and the echo backend with FILE (default: ${DEFAULT_CONFIG_FILE}).`,
        'Several --config files are layered in order: each is merged onto the ones before it.',
        '--component runs one of them (or a comma-separated list; default all); the gateway then',
        "reaches the others where the config's links say (docker-compose.yml runs one per container).",
      ].join('\n'),
    );
    return 0;
  }
  let components: Component[];
  try {
    components = parseComponents(args.component);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
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
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  let stack;
  try {
    // One JSON line per gateway decision (the decision trace), on standard output.
    stack = await startComponents(config, { components, logSink: (line) => console.log(`decision ${line}`) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE'
        ? `Cannot listen: ${e.message}. Free the port or move the listener: IAM_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, BACKEND_PORT (or the config's port fields).`
        : `Cannot start ${components.length === COMPONENTS.length ? 'the stack' : components.join(', ')}: ${e.message}`,
    );
    return 1;
  }
  console.log(describeStack(stack));
  console.log(`(ready in ${Math.round(performance.now() - startedAt)} ms)`);
  await stopRequested;
  console.log(`\n${stopSignal}: stopping...`);
  await stack.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
