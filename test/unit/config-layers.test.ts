/**
 * Layered config files (`npm start -- --config A --config B`, what docker-compose.yml does with
 * config/compose-stack.yaml) and the `links` section.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_FILE, layerConfig, loadStackConfig, resolveLinks } from '../../common/config.js';

const dir = mkdtempSync(join(tmpdir(), 'harness-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('layerConfig', () => {
  it('merges mappings key by key, replaces lists and values, and removes a key set to null', () => {
    const base = { host: 'a', iam: { port: 1, signingKeys: { file: 'k.json', activeKid: 'K' }, apps: [{ name: 'x' }] }, gateway: { deployments: ['one.json'] } };
    const over = { iam: { signingKeys: { file: null }, apps: [{ name: 'y' }] }, gateway: { deployments: [] }, links: { iamUrl: 'http://i' } };
    expect(layerConfig(base, over)).toEqual({
      host: 'a',
      iam: { port: 1, signingKeys: { activeKid: 'K' }, apps: [{ name: 'y' }] },
      gateway: { deployments: [] },
      links: { iamUrl: 'http://i' },
    });
    // Neither input is changed.
    expect(base.iam.signingKeys.file).toBe('k.json');
  });
});

describe('loadStackConfig with several files', () => {
  it('layers them in order; relative paths are relative to the file that names them', () => {
    const a = file('a/stack.yaml', 'iam:\n  port: 1000\n  signingKeys: { file: keys/a.json }\ngateway:\n  deployments: [d/a.json]\n');
    const b = file('b/layer.yaml', 'iam:\n  stateFile: state.json\ngateway:\n  deployments: [d/b.json]\nbackend: { port: 2000 }\n');
    const config = loadStackConfig([a, b], {});
    expect(config.iam.port).toBe(1000);
    expect(config.iam.signingKeys.file).toBe(join(dir, 'a', 'keys', 'a.json'));
    expect(config.iam.stateFile).toBe(join(dir, 'b', 'state.json'));
    expect(config.gateway.deployments).toEqual([join(dir, 'b', 'd', 'b.json')]);
    expect(config.backend.port).toBe(2000);
  });

  it('the environment moves listeners after the layers; an empty layer changes nothing', () => {
    const a = file('env/a.yaml', 'iam: { port: 1000 }\n');
    const empty = file('env/empty.yaml', '# nothing\n');
    expect(loadStackConfig([a, empty], { IAM_PORT: '3000', HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', iam: { port: 3000 } });
  });

  it('an error names every file of the layering and the merged field', () => {
    const a = file('err/a.yaml', 'iam: { port: 1000 }\n');
    const b = file('err/b.yaml', 'links: { iamUrl: not-a-url }\n');
    const err = configError(() => loadStackConfig([a, b], {}));
    expect(err.source).toBe(`${a} + ${b}`);
    expect(err.problems).toEqual(['links.iamUrl: an http:// or https:// URL, e.g. http://mock-iam:8080']);
  });

  it('a layer that is not a mapping is refused, naming that file', () => {
    const a = file('bad/a.yaml', 'iam: { port: 1000 }\n');
    const b = file('bad/b.yaml', '- a list\n');
    const err = configError(() => loadStackConfig([a, b], {}));
    expect(err.source).toBe(b);
    expect(err.problems).toEqual(['(root): must be a mapping of sections (host, links, iam, gateway, backend, ociApiKeys)']);
  });

  it('the compose layer on the default config: the links of the compose services, the seeds unchanged', () => {
    const alone = loadStackConfig(DEFAULT_CONFIG_FILE, {});
    const layered = loadStackConfig([DEFAULT_CONFIG_FILE, join(DEFAULT_CONFIG_FILE, '..', 'compose-stack.yaml')], {});
    expect(resolveLinks(alone)).toEqual({ iamUrl: 'http://127.0.0.1:8080', backendUrl: 'http://127.0.0.1:8081' });
    expect(resolveLinks(layered)).toEqual({ iamUrl: 'http://mock-iam:8080', backendUrl: 'http://echo-backend:8081' });
    expect(layered.iam).toEqual(alone.iam);
    expect(layered.gateway.deployments.map((f) => f.split(/[\\/]/).pop())).toEqual(['use-case-1-global-verify-claims.compose.json']);
  });
});
