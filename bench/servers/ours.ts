/**
 * Our mock IAM for the bench: the default stack config, an ephemeral port, and keys in memory
 * (or in BENCH_KEY_FILE), so the project's `.harness/` folder is never touched.
 */
import { ControllableClock } from '../../common/clock.js';
import { DEFAULT_CONFIG_FILE, loadStackConfig } from '../../common/config.js';
import { startIam } from '../../mock-iam/server.js';
import { emit, serveCommands } from './protocol.js';

// An empty environment: IAM_PORT and friends of the calling shell must not move the bench's port.
const config = loadStackConfig(DEFAULT_CONFIG_FILE, {});
config.iam.port = Number(process.env.BENCH_PORT ?? 0);
if (process.env.BENCH_KEY_FILE) config.iam.signingKeys.file = process.env.BENCH_KEY_FILE;
else delete config.iam.signingKeys.file;

const iam = await startIam(config.iam, { host: '127.0.0.1', clock: new ControllableClock() });
serveCommands();
emit({ ready: true, port: iam.port, url: iam.url });
