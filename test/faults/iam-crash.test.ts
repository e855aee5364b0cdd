/**
 * The mock IAM killed with SIGKILL while it writes its state file, then restarted: nothing it
 * acknowledged is lost and the file is never half written. The IAM runs as `bin/start.ts
 * --component iam` (as in its container) with `iam.stateFile` in a temporary directory; eight
 * clients create users through the admin REST API as fast as it answers (each 201 is an
 * acknowledgement), and the process is killed at a random moment, several rounds in a row.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { basic, SEEDED, tokenRequest } from '../support/iam.js';
import { freePort, startChild, waitHealthy, type Child } from '../support/processes.js';

const ROUNDS = 4;
const WORKERS = 8;
const SCIM_JSON = 'application/scim+json';

const dir = mkdtempSync(join(tmpdir(), 'iam-crash-'));
const stateFile = join(dir, 'iam-state.json');
// Relative paths in a config layer are relative to the layer: the state and its keys stay in `dir`.
const overlay = join(dir, 'crash.yaml');
writeFileSync(overlay, ['iam:', '  stateFile: iam-state.json', '  signingKeys:', '    file: ~', ''].join('\n'));

let child: Child | undefined;

afterAll(() => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function startIamProcess(): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const started = startChild(['--component', 'iam', '--config', 'config/default-stack.yaml', '--config', overlay], { HOST: '127.0.0.1', IAM_PORT: String(port) });
  child = started;
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/_harness/health`, started, Date.now() + 20_000);
  return { url, child: started };
}

async function adminToken(url: string): Promise<string> {
  const res = await tokenRequest({ url }, { grant_type: 'client_credentials', scope: 'urn:opc:idm:__myscopes__' }, { authorization: basic(SEEDED.admin.id, SEEDED.admin.secret) });
  expect(res.status, res.text).toBe(200);
  return res.body.access_token as string;
}

function userBody(userName: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Crash', familyName: 'Test' },
    emails: [{ value: `${userName}@example.org`, type: 'work', primary: true }],
    password: 'Crash-Passw0rd',
  };
}

/** Every user the IAM lists (paged by 1000), as id → userName. */
async function listedUsers(url: string, token: string): Promise<Map<string, string>> {
  const users = new Map<string, string>();
  for (let start = 1; ; start += 1000) {
    const res = await fetch(`${url}/admin/v1/Users?attributes=userName&count=1000&startIndex=${start}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { totalResults: number; Resources: Array<{ id: string; userName: string }> };
    for (const u of page.Resources) users.set(u.id, u.userName);
    if (start + 1000 > page.totalResults) return users;
  }
}

/** The state file as it is on disk: it must parse, whenever it is read. */
function usersInStateFile(): Map<string, string> {
  const text = readFileSync(stateFile, 'utf8');
  let state: { version: number; users: Array<{ id: string; userName: string }> };
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new Error(`the state file does not parse (${(err as Error).message}); ${text.length} bytes, ending ${JSON.stringify(text.slice(-80))}`);
  }
  expect(state.version).toBe(1);
  return new Map(state.users.map((u) => [u.id, u.userName]));
}

describe('the IAM killed while writing its state file', () => {
  it(`loses nothing acknowledged over ${ROUNDS} SIGKILL rounds, and the file always parses`, async () => {
    /** id → userName of every 201 received. */
    const acknowledged = new Map<string, string>();
    const log: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const { url, child: iam } = await startIamProcess();
      const token = await adminToken(url);
      if (round > 0) {
        // After the restart: every acknowledged user is served.
        const listed = await listedUsers(url, token);
        const missing = [...acknowledged].filter(([id]) => !listed.has(id));
        expect(missing, `lost after restart ${round} (${log.join('; ')})`).toEqual([]);
        // A killed writer's temporary file does not pile up beside the state.
        expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }

      let stop = false;
      let sent = 0;
      const worker = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const userName = `crash.r${round}.w${w}.n${n}`;
          sent++;
          try {
            const res = await fetch(`${url}/admin/v1/Users`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON },
              body: JSON.stringify(userBody(userName)),
            });
            const body = (await res.json()) as { id?: string };
            if (res.status !== 201) throw new Error(`POST /admin/v1/Users answered ${res.status}: ${JSON.stringify(body)}`);
            acknowledged.set(body.id!, userName);
          } catch (err) {
            if (stop) return; // the process is gone: this request was never acknowledged
            throw err;
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      const before = acknowledged.size;
      const delayMs = 150 + Math.floor(Math.random() * 450);
      await new Promise((r) => setTimeout(r, delayMs));
      stop = true;
      iam.process.kill('SIGKILL');
      await iam.exited;
      await Promise.all(workers);
      // A temporary file beside the state means the kill landed inside a write (random; reported, not required).
      const midWrite = readdirSync(dir).some((f) => f.endsWith('.tmp'));
      log.push(`round ${round}: killed after ${delayMs} ms, ${acknowledged.size - before} of ${sent} acknowledged${midWrite ? ', mid-write' : ''}`);
      expect(acknowledged.size - before, `round ${round} acknowledged nothing before the kill: the test did not exercise the writes`).toBeGreaterThan(0);

      // Right after the kill, before any restart: the file parses and holds every acknowledgement.
      const onDisk = usersInStateFile();
      const notOnDisk = [...acknowledged].filter(([id, userName]) => onDisk.get(id) !== userName);
      expect(notOnDisk, `acknowledged but not in the state file after round ${round} (${log.join('; ')})`).toEqual([]);
    }

    const { url, child: last } = await startIamProcess();
    try {
      const listed = await listedUsers(url, await adminToken(url));
      expect([...acknowledged].filter(([id, userName]) => listed.get(id) !== userName)).toEqual([]);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      // The figures of the run, for the report.
      console.log(`iam-crash: ${log.join('; ')}; ${acknowledged.size} acknowledged users, all present after ${ROUNDS} kills`);
    } finally {
      last.process.kill('SIGKILL');
      await last.exited;
    }
  }, 60_000);
});
