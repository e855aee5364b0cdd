/**
 * The console's static assets, from this folder: the stylesheet, an icon, and the browser code
 * (console/browser/*.ts) bundled by esbuild in memory when the console is made (no build step,
 * nothing fetched from a CDN), then kept.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Asset {
  type: string;
  body: string;
  etag: string;
}

const asset = (type: string, body: string): Asset => ({ type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b3d5c"/><path d="M9 17l5 5 9-12" stroke="#ffd166" stroke-width="4" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/** The browser bundle: one ES module of console/browser/main.ts and what it imports. */
export async function compileBrowserCode(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, 'browser', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The assets by file name, loaded once; a failed load is retried on the next request. */
export class ConsoleAssets {
  private loading: Promise<Map<string, Asset>> | undefined;

  constructor() {
    this.warm();
  }

  /** Starts loading now (the console is made at start), so the first page is not kept waiting. */
  warm(): void {
    this.get('console.js').catch(() => undefined);
  }

  async get(name: string): Promise<Asset | undefined> {
    this.loading ??= this.load();
    try {
      return (await this.loading).get(name);
    } catch (err) {
      this.loading = undefined;
      throw err;
    }
  }

  private async load(): Promise<Map<string, Asset>> {
    const [js, css] = await Promise.all([compileBrowserCode(), readFile(join(HERE, 'console.css'), 'utf8')]);
    return new Map([
      ['console.js', asset('text/javascript; charset=utf-8', js)],
      ['console.css', asset('text/css; charset=utf-8', css)],
      ['icon.svg', asset('image/svg+xml', ICON)],
    ]);
  }
}

let shared: ConsoleAssets | undefined;

/** One set of assets per process: every console (tests start many stacks) shares one bundle. */
export function consoleAssets(): ConsoleAssets {
  if (shared) shared.warm();
  return (shared ??= new ConsoleAssets());
}
