/** `npm run scenario -- <name|file|all> [options]`: see scenarios/runner/cli.ts and docs/scenarios.md. */
import { runCli } from '../scenarios/runner/cli.js';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`scenario runner: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
