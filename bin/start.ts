/**
 * `npm start [-- --config FILE]`: the stack in one process until Ctrl-C / SIGTERM.
 * Listeners can be moved with the CONTRACT.md variables (HOST, IAM_PORT, ...).
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG_FILE, loadStackConfig } from '../common/config.js';
import { describeStack, startStack } from '../stack/stack.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: npm start -- [--config FILE]`);
    return 2;
  }
  if (args.help) {
    console.log(`Usage: npm start -- [--config FILE]\n\nStarts the mock IAM, the gateway emulator and the echo backend with FILE (default: ${DEFAULT_CONFIG_FILE}).`);
    return 0;
  }
  const startedAt = performance.now();
  let config;
  try {
    config = loadStackConfig(args.config ?? DEFAULT_CONFIG_FILE);
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
    stack = await startStack(config, undefined, (line) => console.log(`decision ${line}`));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE'
        ? `Cannot listen: ${e.message}. Free the port or move the listener: IAM_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, BACKEND_PORT (or the config's port fields).`
        : `Cannot start the stack: ${e.message}`,
    );
    return 1;
  }
  console.log(describeStack(stack));
  console.log(`(ready in ${Math.round(performance.now() - startedAt)} ms)`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`\n${signal}: stopping...`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
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
