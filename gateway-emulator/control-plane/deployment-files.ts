/**
 * Deployments kept as files, named in the stack config: each file holds what
 * `oci api-gateway deployment create --path-prefix … --specification file://…` takes, in one
 * document: `{pathPrefix, specification, displayName?}` as JSON, or as YAML for a file that does
 * not end in `.json`. A file is loaded at start and again whenever it changes, so editing a spec is
 * the whole deploy step.
 *
 * Rules, so a reload can never make things worse:
 * - a file that does not parse or validate is logged with every problem and not loaded; the
 *   version loaded before stays active;
 * - a removed file takes its deployment with it (DELETED); a file that comes back is loaded again;
 * - only the deployment a file made is ever touched: deployments made through the REST API are
 *   never changed or removed by a reload, and a file whose path prefix one of them holds is refused.
 *
 * Changes are seen through `fs.watch` on each file's folder (editors replace files by renaming,
 * which a watch on the file itself would lose) and, because fs.watch is not reliable everywhere
 * (network and container file systems), by polling each file's stat as well; both only schedule a
 * reload, debounced, and a reload whose text is unchanged does nothing.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { validateDeployment, type DeploymentInput } from '../spec/validate.js';
import { DeploymentStoreError, type DeploymentStore } from './deployment-store.js';

/** The fields a deployment file may have: those of the CLI's create, the specification inline. */
const FILE_FIELDS = new Set(['pathPrefix', 'specification', 'displayName', 'gatewayId', 'compartmentId']);

export type DeploymentFileResult = { ok: true; value: DeploymentInput } | { ok: false; problems: string[] };

/**
 * Reads one deployment file's text: JSON for `.json` files (so JSON's own errors are reported), YAML
 * for the rest, where a key given twice is refused (a second key would silently win otherwise).
 * A file without `displayName` is named after the file.
 */
export function parseDeploymentFile(text: string, file: string): DeploymentFileResult {
  let raw: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return { ok: false, problems: [`(file): not valid JSON: ${(err as Error).message}`] };
    }
  } else {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length) {
      return { ok: false, problems: doc.errors.map((e) => `(file): not valid YAML: ${e.message.split('\n')[0]}`) };
    }
    raw = doc.toJS();
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: ['(file): must be one object {pathPrefix, specification, displayName?}'] };
  }
  const record = raw as Record<string, unknown>;
  const problems = Object.keys(record)
    .filter((key) => !FILE_FIELDS.has(key))
    .map((key) => `${key}: not a field of a deployment file (pathPrefix, specification, displayName, gatewayId, compartmentId)`);
  const known = Object.fromEntries(Object.entries(record).filter(([key]) => FILE_FIELDS.has(key)));
  const named = known.displayName === undefined ? { ...known, displayName: basename(file, extname(file)) } : known;
  const validated = validateDeployment(named);
  if (!validated.ok) problems.push(...validated.problems);
  if (problems.length || !validated.ok) return { ok: false, problems };
  return validated;
}

export interface DeploymentFilesOptions {
  /** How often each file's stat is compared, for changes fs.watch misses (ms). */
  pollIntervalMs?: number;
  /** Quiet time after a change before the file is read (editors write in several steps). */
  debounceMs?: number;
}

interface WatchedFile {
  readonly file: string;
  /** The deployment this file made, while it exists. */
  deploymentId: string | undefined;
  /** The text last loaded; the same text again is no change. */
  loadedText: string | undefined;
  /** mtime, size and inode as last seen by the poll; `missing` when the file was not there. */
  statSignature: string | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Reloads of one file run one after the other. */
  queue: Promise<void>;
}

export function watchDeploymentFiles(
  files: string[],
  store: DeploymentStore,
  log: (line: string) => void,
  options: DeploymentFilesOptions = {},
): { close(): void; loaded: Promise<void> } {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const debounceMs = options.debounceMs ?? 100;
  let closed = false;

  const byPath = new Map<string, WatchedFile>();
  for (const name of files) {
    const file = resolve(name);
    if (!byPath.has(file)) byPath.set(file, { file, deploymentId: undefined, loadedText: undefined, statSignature: undefined, timer: undefined, queue: Promise.resolve() });
  }
  const watched = [...byPath.values()];

  const reload = async (entry: WatchedFile, initial: boolean): Promise<void> => {
    let text: string;
    try {
      entry.statSignature = await statSignature(entry.file);
      text = await readFile(entry.file, 'utf8');
    } catch (err) {
      if (closed) return;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log(`deployment file ${entry.file} could not be read (${(err as Error).message}); ${entry.deploymentId ? 'the loaded version stays active' : 'nothing loaded'}`);
        return;
      }
      if (entry.deploymentId !== undefined) {
        store.delete(entry.deploymentId);
        log(`deployment file ${entry.file} was removed: deployment ${entry.deploymentId} deleted`);
      } else if (initial) {
        log(`deployment file ${entry.file} does not exist; it is loaded when it appears`);
      }
      entry.deploymentId = undefined;
      entry.loadedText = undefined;
      return;
    }
    if (closed || text === entry.loadedText) return;
    const parsed = parseDeploymentFile(text, entry.file);
    if (!parsed.ok) {
      const kept = entry.deploymentId ? `; the loaded version (deployment ${entry.deploymentId}) stays active` : '';
      log(`deployment file ${entry.file} not loaded${kept}:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
      return;
    }
    const current = entry.deploymentId === undefined ? undefined : store.get(entry.deploymentId);
    try {
      if (current?.lifecycleState === 'ACTIVE') {
        const updated = store.update(current.id, parsed.value);
        log(`deployment file ${entry.file} reloaded: ${updated.pathPrefix} (deployment ${updated.id})`);
      } else {
        const created = store.create(parsed.value, { file: entry.file });
        entry.deploymentId = created.id;
        log(`deployment file ${entry.file} loaded: ${created.pathPrefix} (deployment ${created.id})`);
      }
      entry.loadedText = text;
    } catch (err) {
      if (!(err instanceof DeploymentStoreError)) throw err;
      const kept = entry.deploymentId ? `; the loaded version (deployment ${entry.deploymentId}) stays active` : '';
      log(`deployment file ${entry.file} not loaded${kept}: ${err.message}`);
    }
  };

  const enqueue = (entry: WatchedFile, initial: boolean): Promise<void> => {
    entry.queue = entry.queue
      .then(() => (closed ? undefined : reload(entry, initial)))
      .catch((err: unknown) => log(`deployment file ${entry.file}: reload failed: ${(err as Error)?.stack ?? String(err)}`));
    return entry.queue;
  };

  const schedule = (entry: WatchedFile): void => {
    if (closed) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void enqueue(entry, false);
    }, debounceMs);
    entry.timer.unref();
  };

  const loaded = Promise.all(watched.map((entry) => enqueue(entry, true))).then(() => undefined);

  // One watch per folder; `persistent: false` so a watch never keeps the process alive by itself.
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(watched.map((w) => dirname(w.file)))) {
    const inDir = watched.filter((w) => dirname(w.file) === dir);
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        for (const entry of inDir) if (name === null || name === basename(entry.file)) schedule(entry);
      });
      watcher.on('error', (err) => log(`watching ${dir} for deployment files failed (${err.message}); polling continues`));
      watchers.push(watcher);
    } catch (err) {
      log(`cannot watch ${dir} for deployment files (${(err as Error).message}); polling every ${pollIntervalMs} ms instead`);
    }
  }

  const poll = setInterval(() => {
    for (const entry of watched) {
      // Until the first load has seen the file there is nothing to compare against.
      if (entry.statSignature === undefined) continue;
      void statSignature(entry.file).then((signature) => {
        if (signature !== entry.statSignature) schedule(entry);
      });
    }
  }, pollIntervalMs);
  poll.unref();

  return {
    loaded,
    close() {
      closed = true;
      clearInterval(poll);
      for (const entry of watched) clearTimeout(entry.timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

async function statSignature(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}
