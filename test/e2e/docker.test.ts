/**
 * `docker compose up` (CONTRACT.md), checked without a Docker engine: docker-compose.yml, the
 * Dockerfile and .dockerignore are parsed and held to the contract (services, ports, health,
 * start order, the entry of `npm start`, a non-root user, production dependencies only), and
 * Debian's `docker-compose config -q` must accept the compose file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, resolveLinks, type StackConfig } from '../../common/config.js';
import { COMPONENTS, parseComponents } from '../../stack/stack.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** CONTRACT.md: each service, the component it runs, the ports it publishes, where its health is. */
const CONTRACT = {
  'mock-iam': { component: 'iam', ports: [8080], health: 8080 },
  'gateway-emulator': { component: 'gateway', ports: [8000, 8001], health: 8001 },
  'echo-backend': { component: 'backend', ports: [8081], health: 8081 },
} as const;
type ServiceName = keyof typeof CONTRACT;

interface ComposeService {
  build?: string | { context?: string };
  image?: string;
  entrypoint?: unknown;
  command?: string | string[];
  ports?: Array<string | number | { target: number; published: number | string }>;
  healthcheck?: { test?: string | string[]; interval?: string; retries?: number };
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  environment?: unknown;
}

const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const services = compose.services;
const argv = (value: string | string[] | undefined) => (Array.isArray(value) ? value.map(String) : (value ?? '').split(/\s+/).filter(Boolean));
const flagValues = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag && args[i + 1] ? [args[i + 1]!] : a.startsWith(`${flag}=`) ? [a.slice(flag.length + 1)] : []));

/** `[ip:]published:target[/proto]`, a bare port, or the long syntax. */
function publishedPorts(service: ComposeService): Array<{ published: number; target: number; hostIp?: string }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return { published: Number(p.published), target: Number(p.target) };
    const parts = String(p).replace(/\/tcp$/, '').split(':');
    const target = Number(parts.pop());
    const published = parts.length ? Number(parts.pop()) : target;
    return { published, target, ...(parts.length ? { hostIp: parts.join(':') } : {}) };
  });
}

// ---- Dockerfile: a small line parser (continuations joined, comments dropped) ----

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    if (line.startsWith('#')) return;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const keyword = full.split(/\s+/)[0] ?? '';
    const instruction = { keyword: keyword.toUpperCase(), args: full.slice(keyword.length).trim(), line: startLine };
    if (instruction.keyword === 'FROM') stages.push([]);
    if (stages.length === 0) stages.push([]);
    stages.at(-1)!.push(instruction);
  });
  return stages;
}

/** The exec (JSON) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or the shell form split on blanks. */
function execForm(args: string): string[] {
  const text = args.trim();
  return text.startsWith('[') ? (JSON.parse(text) as string[]) : text.split(/\s+/);
}

function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage) {
    if (keyword !== 'ENV') continue;
    if (!args.includes('=')) {
      const [name, ...value] = args.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[match[1]!] = match[3] ?? match[2]!;
  }
  return env;
}

const stages = parseDockerfile(read('Dockerfile'));
const final = stages.at(-1)!;
const only = (keyword: string) => final.filter((i) => i.keyword === keyword);
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.replace(/^\/+|\/+$/g, '').replace(/^\*\*\//, ''));

// ---- What the runtime imports ----

const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const BUILTINS = new Set(builtinModules);

/** Import specifiers of a module that survive compilation (type-only imports are erased by tsx/esbuild). */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(import|export)\s+(type\s+)?([^'";]*?)\s*(?:from\s*)?['"]([^'"]+)['"]/gm)) {
    const [, kind, typeOnly, clause = '', specifier] = m;
    if (typeOnly) continue;
    // `import { type A, type B } from 'x'` is erased too (esbuild drops imports used only as types).
    const braces = clause.match(/^\{([^}]*)\}$/);
    if (braces && braces[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    if (kind === 'export' && !/^(\*|\{)/.test(clause)) continue; // `export const x = '...'` is no re-export
    found.push(specifier!);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!);

/** Every module reached from the entry points through relative imports, and the packages they import. */
function reachedFrom(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = entries.map((e) => join(ROOT, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!/\.(ts|mts|mjs|js)$/.test(file)) continue;
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        const candidates = [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), target];
        const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
        if (!hit) throw new Error(`${relative(ROOT, file)} imports ${specifier}, which does not exist`);
        queue.push(hit);
      } else if (!isBuiltin(specifier)) {
        packages.set(packageOf(specifier), relative(ROOT, file));
      }
    }
  }
  return { files, packages };
}

/** The sources of COPY instructions of the final stage (not those copied from another stage). */
const copied = only('COPY')
  .filter((i) => !i.args.includes('--from='))
  .flatMap((i) => {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    return parts.slice(0, -1).map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''));
  });
const inImage = (file: string) => copied.some((c) => file === c || file.startsWith(`${c}/`));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|mjs|js)$/.test(f) && !/\.test\.|\.d\.ts$/.test(f))
    .map((f) => join(dir, f));
}

// -------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('has the three services of CONTRACT.md, all built from this folder as one image', () => {
    expect(Object.keys(services).sort()).toEqual(Object.keys(CONTRACT).sort());
    const images = new Set(Object.values(services).map((s) => s.image));
    expect(images.size).toBe(1);
    for (const [name, service] of Object.entries(services)) {
      const context = typeof service.build === 'string' ? service.build : service.build?.context;
      expect(context, `${name}.build`).toBe('.');
    }
  });

  it.each(Object.entries(CONTRACT))('%s publishes the contract ports on the same numbers', (name, contract) => {
    const ports = publishedPorts(services[name]!);
    expect(ports.map((p) => p.target).sort()).toEqual([...contract.ports].sort());
    for (const p of ports) expect(p.published, `${name}: ${p.target}`).toBe(p.target);
  });

  it.each(Object.entries(CONTRACT))('%s runs its component through the entry of npm start', (name, contract) => {
    const service = services[name]!;
    // The image's ENTRYPOINT is `npm start`'s entry; a service must not replace it.
    expect(service.entrypoint, `${name}.entrypoint`).toBeUndefined();
    const args = argv(service.command);
    const components = flagValues(args, '--component');
    expect(components, `${name}: one --component`).toHaveLength(1);
    expect(parseComponents(components[0])).toEqual([contract.component]);
    expect(COMPONENTS).toContain(contract.component);
  });

  it.each(Object.entries(CONTRACT))('%s: the health check GETs /_harness/health on the service\'s own port', (name, contract) => {
    const test = argv(services[name]!.healthcheck?.test);
    expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    const urls = test.filter((a) => /^https?:\/\//.test(a));
    expect(urls).toEqual([`http://127.0.0.1:${contract.health}/_harness/health`]);
    const script = test.find((a) => /\.m?[jt]s$/.test(a));
    expect(script && existsSync(join(ROOT, script)), `${name}: the health check script exists`).toBe(true);
  });

  it('the gateway starts once the IAM and the backend are healthy; they wait for nothing', () => {
    expect(services['gateway-emulator']!.depends_on).toEqual({ 'mock-iam': { condition: 'service_healthy' }, 'echo-backend': { condition: 'service_healthy' } });
    expect(services['mock-iam']!.depends_on).toBeUndefined();
    expect(services['echo-backend']!.depends_on).toBeUndefined();
  });

  it('no environment beyond CONTRACT.md (HOST and the *_PORT variables)', () => {
    for (const [name, service] of Object.entries(services)) {
      const env = service.environment ?? {};
      const names = Array.isArray(env) ? env.map((e: string) => e.split('=')[0]) : Object.keys(env as object);
      for (const variable of names) expect(['HOST', 'IAM_PORT', 'GATEWAY_PORT', 'GATEWAY_ADMIN_PORT', 'BACKEND_PORT'], `${name}: ${variable}`).toContain(variable);
    }
  });

  describe('the config each service starts with (its --config files, HOST as in the image)', () => {
    const configOf = (name: ServiceName): StackConfig => {
      const files = flagValues(argv(services[name]!.command), '--config');
      expect(files.length, `${name}: --config`).toBeGreaterThan(0);
      return loadStackConfig(
        files.map((f) => join(ROOT, f)),
        { HOST: envOf(final).HOST },
      );
    };

    it('every service starts from the default stack config, with the same layers', () => {
      const layers = Object.values(services).map((s) => flagValues(argv(s.command), '--config').join(' '));
      expect(new Set(layers).size).toBe(1);
      expect(layers[0]!.split(' ')[0]).toBe('config/default-stack.yaml');
    });

    it.each(Object.entries(CONTRACT))('%s listens on the contract ports, on 0.0.0.0', (name, contract) => {
      const config = configOf(name as ServiceName);
      expect(config.host).toBe('0.0.0.0');
      const own = { iam: [config.iam.port], gateway: [config.gateway.port, config.gateway.adminPort], backend: [config.backend.port] }[contract.component];
      expect(own).toEqual([...contract.ports]);
    });

    it('the gateway reaches the IAM and the backend by service name; tokens keep the configured issuer', () => {
      const config = configOf('gateway-emulator');
      expect(resolveLinks(config)).toEqual({ iamUrl: 'http://mock-iam:8080', backendUrl: 'http://echo-backend:8081' });
      expect(config.iam.issuer).toBe('idcs');
      expect(config.gateway.useCaseDeployments).toBe(true);
    });

    it('deployment files name the services, never the loopback of the gateway container', () => {
      const config = configOf('gateway-emulator');
      expect(config.gateway.deployments.length).toBeGreaterThan(0);
      const servicePorts = new Map(Object.entries(CONTRACT).flatMap(([name, c]) => c.ports.map((p) => [`${name}:${p}`, name])));
      for (const file of config.gateway.deployments) {
        // Where the gateway fetches from: JWKS `uri`s and backend `url`s (issuers are names, not places).
        const urls: URL[] = [];
        const walk = (value: unknown): void => {
          if (Array.isArray(value)) value.forEach(walk);
          else if (value && typeof value === 'object') {
            for (const [key, v] of Object.entries(value)) {
              if ((key === 'uri' || key === 'url') && typeof v === 'string') urls.push(new URL(v));
              else walk(v);
            }
          }
        };
        walk(JSON.parse(readFileSync(file, 'utf8')));
        expect(urls.length, relative(ROOT, file)).toBeGreaterThan(0);
        for (const url of urls) expect(servicePorts.has(url.host), `${relative(ROOT, file)}: ${url}`).toBe(true);
      }
    });

    it('the compose variant of a deployment file differs from the default one only in its URLs and name', () => {
      const normalize = (file: string) => {
        const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        delete value.displayName;
        return JSON.stringify(value).replace(/http:\/\/(127\.0\.0\.1|mock-iam|echo-backend):\d+/g, 'URL');
      };
      const defaults = loadStackConfig(join(ROOT, 'config/default-stack.yaml'), {}).gateway.deployments;
      const composed = configOf('gateway-emulator').gateway.deployments;
      expect(composed).toHaveLength(defaults.length);
      composed.forEach((file, i) => expect(normalize(file)).toBe(normalize(defaults[i]!)));
    });

    it('the IAM keeps its signing keys in a volume at the folder of the key file, inside WORKDIR', () => {
      const keyFile = configOf('mock-iam').iam.signingKeys.file!;
      const workdir = only('WORKDIR').at(-1)!.args;
      const inImage = posix.join(workdir, relative(ROOT, dirname(keyFile)).split('\\').join('/'));
      const targets = (services['mock-iam']!.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
      expect(targets).toContain(inImage);
      // ...which the image creates for the non-root user (a fresh named volume copies its owner).
      expect(only('RUN').some((r) => r.args.includes(`chown node:node ${inImage}`) || r.args.includes(`chown -R node:node ${inImage}`))).toBe(true);
    });
  });
});

describe('Dockerfile', () => {
  it('builds from a slim or alpine node 20 image, the same base in every stage', () => {
    const bases = stages.map((s) => s[0]!.args.split(/\s+/)[0]);
    for (const base of bases) expect(base).toMatch(/^node:20[-.\w]*-(slim|alpine)|^node:20-alpine/);
    // The esbuild binary under tsx is installed for the build stage's platform and libc.
    expect(new Set(bases).size).toBe(1);
  });

  it('installs production dependencies only, from the lock file', () => {
    const installs = stages.flat().filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toMatch(/npm ci\b.*--omit=dev/);
  });

  it('runs as a non-root user from before its ENTRYPOINT and CMD', () => {
    const users = only('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1)!.args.split(':')[0]);
    const userLine = users.at(-1)!.line;
    for (const i of [...only('ENTRYPOINT'), ...only('CMD')]) expect(i.line).toBeGreaterThan(userLine);
  });

  it('NODE_ENV=production, HOST=0.0.0.0 (CONTRACT.md: inside containers)', () => {
    expect(envOf(final)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
  });

  it('EXPOSEs exactly the contract ports', () => {
    const exposed = only('EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ''))));
    expect(exposed.sort()).toEqual(Object.values(CONTRACT).flatMap((c) => c.ports).sort());
  });

  it('has a HEALTHCHECK running the health check script with node', () => {
    const checks = only('HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const command = execForm(checks[0]!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    expect(command[0]).toBe('node');
    expect(existsSync(join(ROOT, command[1]!))).toBe(true);
  });

  it('ENTRYPOINT runs the entry of `npm start` with node (node is PID 1, not npm), CMD defaults to the whole stack', () => {
    const start = packageJson.scripts.start!.split(/\s+/); // tsx bin/start.ts
    expect(start[0]).toBe('tsx');
    const entrypoint = execForm(only('ENTRYPOINT').at(-1)!.args);
    expect(entrypoint).toEqual(['node', '--import', 'tsx', ...start.slice(1)]);
    const cmd = execForm(only('CMD').at(-1)!.args);
    expect(parseComponents(flagValues(cmd, '--component')[0])).toEqual([...COMPONENTS]);
  });

  it('copies every module the entry points reach, and .dockerignore keeps none of them out', () => {
    const entries = ['bin/start.ts', 'bin/healthcheck.mjs'];
    const { files } = reachedFrom(entries);
    const configs = ['config/default-stack.yaml', 'config/compose-stack.yaml', ...loadStackConfig(join(ROOT, 'config/compose-stack.yaml'), {}).gateway.deployments.map((f) => relative(ROOT, f))];
    for (const file of [...[...files].map((f) => relative(ROOT, f)), ...configs]) {
      const top = file.split(/[\\/]/)[0]!;
      expect(inImage(file), `${file} is copied`).toBe(true);
      expect(dockerignore, `${file} is not ignored`).not.toContain(top);
    }
    expect(copied).not.toContain('test');
    expect(copied).not.toContain('node_modules'); // installed in the build stage
  });

  it('nothing the runtime imports is a devDependency (and tsx, which runs it, is a dependency)', () => {
    const { packages } = reachedFrom(['bin/start.ts', 'bin/healthcheck.mjs']);
    const scanned = new Map(packages);
    for (const dir of ['bin', 'stack', 'common', 'mock-iam', 'gateway-emulator']) {
      // What the image holds of it (bin/ also has tools that are not copied, e.g. the scenario runner).
      for (const file of sourceFiles(dir).filter(inImage)) {
        for (const specifier of runtimeImports(read(file))) if (!specifier.startsWith('.') && !isBuiltin(specifier)) scanned.set(packageOf(specifier), file);
      }
    }
    expect(scanned.size).toBeGreaterThan(3);
    const missing = [...scanned].filter(([name]) => !Object.hasOwn(packageJson.dependencies, name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
    expect(Object.keys(packageJson.dependencies)).toContain('tsx');
  });

  it('the import scanner sees value imports and skips type-only ones', () => {
    const text = [
      "import type { A } from 'types-only';",
      "import { type B, type C } from 'inline-types';",
      "import Koa, { type Context } from 'koa';",
      "import {\n  a,\n  b,\n} from '@scope/pkg/deep/path.js';",
      "export { x } from './local.js';",
      "export const s = 'not-an-import';",
      "await import('dynamic');",
      ' * import x from "in-a-comment-line-is-still-a-line";',
    ].join('\n');
    expect(runtimeImports(text)).toEqual(['koa', '@scope/pkg/deep/path.js', './local.js', 'dynamic']);
    expect(packageOf('@scope/pkg/deep/path.js')).toBe('@scope/pkg');
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, .git, tests and local state out of the build context', () => {
    for (const entry of ['node_modules', '.git', 'test', '.harness']) expect(dockerignore).toContain(entry);
  });
});

// Debian's docker-compose (1.29, Python) validates a compose file without an engine. CI installs it
// (.ci/run) and must not skip; a local run without it skips, saying why.
const composeBinary = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const haveCompose = !composeBinary.error && composeBinary.status === 0;
const skipCompose = !haveCompose && !process.env.CI;
describe('docker-compose config', () => {
  it.skipIf(skipCompose)(`docker-compose config -q accepts docker-compose.yml${skipCompose ? ' (SKIPPED: docker-compose is not installed and CI is unset; apt-get install docker-compose)' : ''}`, () => {
    if (!haveCompose) throw new Error(`docker-compose is not installed (CI is set, so this does not skip): ${composeBinary.error?.message ?? composeBinary.stderr}. .ci/run installs it with apt-get; see its output.`);
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
