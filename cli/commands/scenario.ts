/** `oci-auth-harness scenario`: the scenario runner (scenarios/runner/cli.ts), as `npm run scenario`. */
import type { Command } from '../command.js';

export const scenario: Command = {
  name: 'scenario',
  summary: 'run auth scenarios (scenarios/*.yaml) against a fresh local stack or a real tenancy',
  async run(argv, io) {
    const { runCli } = await import('../../scenarios/runner/cli.js');
    const spinner = io.spinner('starting');
    // The runner prints a line as each step ends: the spinner only covers a silent start.
    let running = true;
    const stop = () => {
      if (running) spinner.stop();
      running = false;
    };
    const program = (text: string) => text.replace(/npm run scenario --/g, 'oci-auth-harness scenario');
    try {
      return await runCli(argv, {
        out: (text) => {
          stop();
          io.out(program(text));
        },
        err: (text) => {
          stop();
          io.err(program(text));
        },
        env: io.env,
        color: io.color,
      });
    } finally {
      stop();
    }
  },
};
