/**
 * `${name}` variables in scenario values. A string that is exactly one `${name}` becomes the
 * variable's value whatever its type (so `audiences: ${audiences}` can hand over the array a token
 * carried); inside a longer string the value is written as text (JSON for objects and arrays).
 * `$${` writes a literal `${`. Object keys are interpolated as text (a claim named
 * `APIGWMichael4${suffix}` can be expected by name).
 */

/** Given by the runner for every scenario. */
export const BUILT_IN_VARIABLES = [
  /** A short random word, new per run: keeps names unique in a shared tenancy, normalised away in recordings. */
  'suffix',
  /** `local` or `oci`. */
  'target',
  /** The identity domain (IDCS) base URL. */
  'iam.url',
  /** Its JWKS: `${iam.url}/admin/v1/SigningCert/jwk`. */
  'iam.jwksUrl',
  /** The gateway's data plane base URL. */
  'gateway.url',
] as const;

const REFERENCE = /\$(\$?)\{([A-Za-z_][\w.]*)\}/g;
const WHOLE = /^\$\{([A-Za-z_][\w.]*)\}$/;

/** The variable names a value refers to (any depth), in order, without repeats. */
export function variablesIn(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(REFERENCE)) if (m[1] !== '$') names.add(m[2]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        walk(k);
        walk(inner);
      }
    }
  };
  walk(value);
  return [...names];
}

export class UndefinedVariableError extends Error {
  constructor(readonly variable: string) {
    super(`\${${variable}} has no value (was the step that captures it skipped or did it fail?)`);
  }
}

/** The value with every `${name}` replaced (objects and arrays copied). */
export function interpolate<T>(value: T, vars: ReadonlyMap<string, unknown>): T {
  const lookUp = (name: string): unknown => {
    if (!vars.has(name) || vars.get(name) === undefined) throw new UndefinedVariableError(name);
    return vars.get(name);
  };
  const text = (v: string): string =>
    v.replace(REFERENCE, (_all, dollar: string, name: string) => {
      if (dollar === '$') return `\${${name}}`;
      const found = lookUp(name);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      return whole ? lookUp(whole[1]!) : text(v);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [text(k), walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
