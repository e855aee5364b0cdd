/** `oci-auth-harness start`: the stack, exactly as `npm start` runs it (bin/start.ts). */
import type { Command } from '../command.js';

const PROGRAM = 'oci-auth-harness start';

export const HELP = [
  `Usage: ${PROGRAM} [--config FILE]... [--component iam|gateway|backend|all]`,
  '',
  'Starts the mock IAM, the gateway emulator and the echo backend with FILE (default:',
  'config/default-stack.yaml), prints where each listens, what is seeded and a curl line per use',
  'case, and runs until Ctrl-C (SIGINT) or SIGTERM. The same as `npm start -- ...`.',
  '',
  '  -c, --config FILE     a stack config; several are layered in order (each merged onto the ones before)',
  '  --component NAME      iam, gateway, backend, a comma-separated list, or all (default)',
  '  -h, --help            this text',
  '',
  'Listeners move with HOST, IAM_PORT, GATEWAY_PORT, GATEWAY_ADMIN_PORT, BACKEND_PORT.',
  'Exit status: 0 stopped by a signal, 1 could not start (e.g. a port in use), 2 a usage or config error.',
].join('\n');

export const start: Command = {
  name: 'start',
  summary: 'run the stack (mock IAM, gateway emulator, echo backend) until Ctrl-C; as npm start',
  help: HELP,
  async run(argv, io) {
    const { runStart } = await import('../../bin/start.js');
    return runStart(argv, { out: io.out, err: io.err }, PROGRAM);
  },
};
