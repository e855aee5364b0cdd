/**
 * The grammar of a deployment's path prefix and of a route path [C D-spec, D-params, D-call].
 * Route matching reads the same parsed segments, so what validates here is what routes later.
 *
 * Functions return reasons only (no field path); the caller knows where the string came from.
 */

/** Characters OCI allows in a path besides `/` (and `{ }` around a route parameter) [C D-spec]. */
const PATH_CHARACTER = /[A-Za-z0-9$\-_.+!*'(),%;:@&=]/;
/** `{name}` or `{name*}`; names of `[A-Za-z0-9_]` only [C D-params]. */
const PARAMETER = /^\{([A-Za-z0-9_]+)(\*?)\}$/;

export type RoutePathSegment =
  | { kind: 'literal'; value: string }
  /** `{name}`: exactly one segment. */
  | { kind: 'parameter'; name: string }
  /** `{name*}`: the rest of the path (zero or more segments); the key in `request.path` is `name`. */
  | { kind: 'wildcard'; name: string };

function disallowedCharacters(text: string, alsoAllowed: string): string[] {
  const bad = new Set<string>();
  for (const ch of text) {
    if (ch !== '/' && !alsoAllowed.includes(ch) && !PATH_CHARACTER.test(ch)) bad.add(ch);
    if (bad.size >= 5) break;
  }
  return [...bad];
}

function charactersReason(bad: string[]): string {
  const list = bad.map((c) => JSON.stringify(c)).join(', ');
  return `${list} ${bad.length === 1 ? 'is not an allowed character' : 'are not allowed characters'} (allowed: A-Z a-z 0-9 $ - _ . + ! * ' ( ) , % ; : @ & =)`;
}

/**
 * The reasons a route path is invalid; empty when it is valid. The length limit is the schema's.
 * A trailing `/` is allowed and makes a different route (`/a` is not `/a/`) [C D-spec, I].
 */
export function routePathProblems(path: string): string[] {
  const problems: string[] = [];
  if (!path.startsWith('/')) problems.push('must start with "/"');
  if (path.includes('//')) problems.push('must not contain "//" (adjacent slashes)');
  const bad = disallowedCharacters(path.replace(/\{[^{}/]*\}/g, ''), '');
  if (bad.length > 0) problems.push(charactersReason(bad));

  const segments = path.split('/').slice(1);
  const seen = new Set<string>();
  segments.forEach((segment, i) => {
    if (!segment.includes('{') && !segment.includes('}')) return;
    const match = PARAMETER.exec(segment);
    if (!match) {
      problems.push(
        /^[^{}]*\{[A-Za-z0-9_]+\*?\}[^{}]*$/.test(segment)
          ? `a parameter must be a whole segment; got "${segment}"`
          : `"${segment}" is not a valid parameter (write {name} or {name*}; a name has only A-Z a-z 0-9 _)`,
      );
      return;
    }
    const [, name = '', star] = match;
    if (seen.has(name)) problems.push(`parameter name "${name}" is used twice`);
    seen.add(name);
    // {name*} swallows the rest of the path, so nothing can follow it [I].
    if (star && i !== segments.length - 1) problems.push(`the wildcard parameter "${segment}" must be the last segment`);
  });
  return problems;
}

/**
 * The reasons a path prefix is invalid. It cannot hold parameters or wildcards, and the request
 * path must start with it exactly [C D-call]. A trailing `/` (other than `/` itself) would make
 * every route path start with `//`, so it is refused [I].
 */
export function pathPrefixProblems(prefix: string): string[] {
  const problems: string[] = [];
  if (!prefix.startsWith('/')) problems.push('must start with "/"');
  if (prefix.includes('{') || prefix.includes('}')) problems.push('cannot contain parameters or wildcards ("{...}")');
  if (prefix.includes('//')) problems.push('must not contain "//" (adjacent slashes)');
  else if (prefix.length > 1 && prefix.endsWith('/')) problems.push('must not end with "/"');
  const bad = disallowedCharacters(prefix, '{}');
  if (bad.length > 0) problems.push(charactersReason(bad));
  return problems;
}

/** The segments of a route path that `routePathProblems` accepted (`/` gives one empty literal). */
export function parseRoutePath(path: string): RoutePathSegment[] {
  return path
    .split('/')
    .slice(1)
    .map((segment): RoutePathSegment => {
      const match = PARAMETER.exec(segment);
      if (!match) return { kind: 'literal', value: segment };
      return match[2] ? { kind: 'wildcard', name: match[1] ?? '' } : { kind: 'parameter', name: match[1] ?? '' };
    });
}

/** The same route for two paths that differ only in parameter names (`/a/{x}` and `/a/{y}`). */
export function routePathShape(path: string): string {
  return path.replace(/\{[A-Za-z0-9_]+\*\}/g, '{*}').replace(/\{[A-Za-z0-9_]+\}/g, '{}');
}
