/**
 * Cold start to first token: from spawn() to the first 200 of a token request, polled every few
 * milliseconds on a fresh connection. Our stack is started the way a user starts it
 * (`bin/start.ts --config FILE`, listeners moved with IAM_PORT & co.), but as
 * `node --import tsx` rather than `npx tsx`, so npx's own start-up (and tsx's extra
 * process) is not counted; the peer is started the same way (servers/peer.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { parse, stringify } from 'yaml';
import { DEFAULT_CONFIG_FILE } from '../common/config.js';
import { freePorts, spawnTs, stopChild, streamTail } from './children.js';
import { TOKEN_BODY, TOKEN_HEADERS } from './token-throughput.js';

export type ColdTarget = 'ours-fresh-key' | 'ours-existing-key' | 'peer';

export interface ColdRun {
  target: ColdTarget;
  rep: number;
  /** spawn() to the first 200 token answer. */
  firstTokenMs: number;
  /** Token requests that failed (connection refused, or not yet 200) before it. */
  attempts: number;
}

const POLL_MS = 5;

async function tryToken(url: string, path: string): Promise<number> {
  const client = new Client(url, { connect: { timeout: 1_000 } });
  try {
    const res = await client.request({ path, method: 'POST', headers: TOKEN_HEADERS, body: TOKEN_BODY, headersTimeout: 5_000, bodyTimeout: 5_000 });
    await res.body.text();
    return res.statusCode;
  } catch {
    return 0;
  } finally {
    await client.destroy();
  }
}

/** A scratch folder for the config and key files of the cold starts; removed by cleanup(). */
export class ColdStartWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'oci-auth-harness-bench-'));
  private configs = 0;

  /** A copy of the default stack config whose key file lives in the scratch folder. */
  configWithKeyFile(keyFile: string): string {
    const raw = parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as { iam: { signingKeys: { file?: string } } };
    raw.iam.signingKeys.file = keyFile;
    const file = join(this.dir, `stack-${++this.configs}.yaml`);
    writeFileSync(file, stringify(raw));
    return file;
  }

  keyFile(name: string): string {
    return join(this.dir, name);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function spawnToFirstToken(
  target: ColdTarget,
  rep: number,
  script: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  path: string,
  timeoutMs = 20_000,
): Promise<ColdRun> {
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawnTs(script, args, env);
  const stderr = streamTail(child.stderr);
  child.stdout?.resume();
  let exited = false;
  child.once('exit', () => (exited = true));
  let attempts = 0;
  try {
    for (;;) {
      const status = await tryToken(url, path);
      if (status === 200) return { target, rep, firstTokenMs: performance.now() - t0, attempts };
      attempts++;
      if (exited) throw new Error(`${target}: the process exited before answering a token request\n${stderr()}`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`${target}: no 200 token answer within ${timeoutMs} ms (last status ${status})\n${stderr()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await stopChild(child);
  }
}

/** Our stack via bin/start.ts; the key file is generated when it does not exist yet. */
export async function coldStartOurs(workspace: ColdStartWorkspace, target: ColdTarget, rep: number, keyFile: string): Promise<ColdRun> {
  const config = workspace.configWithKeyFile(keyFile);
  const [iam, gateway, admin, backend] = (await freePorts(4)) as [number, number, number, number];
  const env = { HOST: '127.0.0.1', IAM_PORT: String(iam), GATEWAY_PORT: String(gateway), GATEWAY_ADMIN_PORT: String(admin), BACKEND_PORT: String(backend) };
  return spawnToFirstToken(target, rep, 'bin/start.ts', ['--config', config], env, iam, '/oauth2/v1/token');
}

export async function coldStartPeer(rep: number): Promise<ColdRun> {
  const [port] = (await freePorts(1)) as [number];
  return spawnToFirstToken('peer', rep, 'bench/servers/peer.ts', [], { BENCH_PORT: String(port) }, port, '/token');
}
