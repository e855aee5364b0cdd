#!/usr/bin/env node
/**
 * The container health check (Dockerfile HEALTHCHECK, docker-compose.yml `healthcheck`): exit 0
 * when every `GET /_harness/health` asked for answers 200, else 1 with the reason on stderr.
 * Plain JavaScript on node's own fetch, so it starts in milliseconds and the slim image needs no
 * curl.
 *
 *   node bin/healthcheck.mjs http://127.0.0.1:8001/_harness/health ...   the URLs given
 *   node bin/healthcheck.mjs                                               the components this container runs
 *
 * Without URLs it finds the `bin/start.ts` process (in /proc), reads its `--component` (default
 * all) and its HOST and *_PORT environment, and checks each component's health port: the IAM's
 * port, the gateway's control plane, the echo backend's port (CONTRACT.md defaults).
 */
import { readdirSync, readFileSync } from 'node:fs';

const HEALTH = {
  iam: { env: 'IAM_PORT', port: 8080 },
  gateway: { env: 'GATEWAY_ADMIN_PORT', port: 8001 },
  backend: { env: 'BACKEND_PORT', port: 8081 },
};
const TIMEOUT_MS = 2500;

/** `--component` of a start command line (`--component x` or `--component=x`); all when absent. */
function componentsOf(argv) {
  let value = 'all';
  argv.forEach((arg, i) => {
    if (arg === '--component' && argv[i + 1]) value = argv[i + 1];
    else if (arg.startsWith('--component=')) value = arg.slice('--component='.length);
  });
  const names = value.split(',').map((n) => n.trim().toLowerCase());
  return names.includes('all') ? Object.keys(HEALTH) : names.filter((n) => n in HEALTH);
}

/** The running start processes: their arguments and environment (this process's own when unreadable). */
function startProcesses() {
  const found = [];
  let pids = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!argv.some((a) => a === 'bin/start.ts' || a.endsWith('/bin/start.ts'))) continue;
      let env = process.env;
      try {
        env = Object.fromEntries(
          readFileSync(`/proc/${pid}/environ`, 'utf8')
            .split('\0')
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        );
      } catch {
        // Another user's process: fall back to this container's environment.
      }
      found.push({ argv, env });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function healthUrl(component, env) {
  const { env: name, port } = HEALTH[component];
  const host = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST === '::' ? '[::1]' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  return `http://${host}:${env[name] || port}/_harness/health`;
}

/** Why `url` is not healthy, or undefined when it answers 200. */
async function problemOf(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.status === 200 ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    return err.cause ? `${err.cause.code ?? err.cause.name}: ${err.cause.message}` : `${err.name}: ${err.message}`;
  }
}

let urls = process.argv.slice(2);
if (urls.length === 0) {
  const processes = startProcesses();
  if (processes.length === 0) {
    console.error('healthcheck: no bin/start.ts process is running');
    process.exit(1);
  }
  urls = [...new Set(processes.flatMap(({ argv, env }) => componentsOf(argv).map((c) => healthUrl(c, env))))];
  if (urls.length === 0) {
    console.error('healthcheck: the start process names no component this check knows');
    process.exit(1);
  }
}
const problems = await Promise.all(urls.map(problemOf));
urls.forEach((url, i) => (problems[i] ? console.error(`unhealthy ${url}: ${problems[i]}`) : console.log(`up ${url}`)));
process.exit(problems.some(Boolean) ? 1 : 0);
