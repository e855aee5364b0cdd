/**
 * SCIM filters (RFC 7644 §3.4.2.2), evaluated case-insensitively on attribute names.
 *
 * Parsing: the grammar and precedence come from `scim2-parse-filter` (its parser: `Tokens` +
 * `parseFilter`, the same two calls its `parse()` makes). We feed it our own tokens because
 * the library's tokenizer (a) drops token positions, which error messages need, and (b) rewrites
 * backslashes in strings so that `"a\\b"` and `"\u00e9"` do not decode as JSON strings. Our
 * tokenizer uses the library's token regex, keeps string literals as written (the library then
 * decodes them with JSON.parse), and records each token's offset. One more rewrite: the library
 * turns `emails[type eq "work"].value co "x"` into `emails[type eq "work"] and emails.value co "x"`,
 * which matches a user whose *home* address contains "x"; we rewrite it to the equivalent
 * `emails[(type eq "work") and value co "x"]` before parsing. The library's own `filter()`
 * evaluator is not used (it is case-sensitive on attribute names).
 *
 * Semantics (design choices where RFC 7644 is silent are marked *):
 * - eq/ne/co/sw/ew/gt/ge/lt/le compare strings case-insensitively unless `caseExact(path)`;
 *   numbers numerically; booleans only with eq/ne. Types that differ never match.
 * - A multi-valued attribute matches when any element matches; a complex value without a
 *   sub-attribute compares its `value` sub-attribute (`emails co "example.com"`).
 * - gt/ge/lt/le: strings lexically; two ISO 8601 date-times by instant* (lexical order fails
 *   on `…34Z` vs `…34.5Z`); a boolean attribute value → 400 invalidFilter (RFC 7644 §3.4.2.2).
 * - ne: the attribute is present and no value equals the operand*. An absent attribute does not
 *   match `ne`; use `not (attr eq "x")` for "absent or different".
 * - pr: at least one value that is not null, "" , [] or {} .
 * - `eq null` ≡ `not (attr pr)`, `ne null` ≡ `attr pr`*.
 * - Value filters `attr[…]` match when one element satisfies the inner filter, whose attribute
 *   names are sub-attributes of `attr`; elements of a simple multi-valued attribute are seen as
 *   `{value: element}`. Value filters do not nest (RFC 7644 ABNF).
 * Errors: 400 ScimError, scimType `invalidFilter`, messageId `error.common.validation.invalidFilter`,
 * detail naming the problem and its 1-based character position.
 */
import { ScimError } from '../../common/errors.js';
import type { Compare, Filter } from 'scim2-parse-filter';
import { parseFilter as libraryParseFilter, Tokens, type Token } from 'scim2-parse-filter/lib/src/parser.js';
import { formatAttributePath, isPlainObject, parseAttributePath, resolvePath, type AttributePath, type AttributePathOptions } from './attribute-path.js';

export const INVALID_FILTER_MESSAGE_ID = 'error.common.validation.invalidFilter';
export const DEFAULT_MAX_FILTER_LENGTH = 10_000;
export const DEFAULT_MAX_FILTER_DEPTH = 32;

export type ScimAttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';

export interface FilterOptions extends AttributePathOptions {
  /**
   * Whether string comparisons on this attribute are case-sensitive (SCIM `caseExact`).
   * Receives the path as `formatAttributePath` writes it, in the filter's own letter case
   * (`userName`, `emails.value`, `urn:…:custom:User:MyAttr`). Default: `defaultCaseExact`.
   */
  readonly caseExact?: (path: string) => boolean;
  /** Optional schema knowledge: the attribute's SCIM type, to reject operands of the wrong type. */
  readonly attributeType?: (path: string) => ScimAttributeType | undefined;
  /** Longest filter text accepted (default 10 000 characters). */
  readonly maxLength?: number;
  /** Deepest nesting of parentheses, `not` and value filters (default 32). */
  readonly maxDepth?: number;
  /**
   * For a filter applied to the elements of a multi-valued attribute (the `[…]` of a PATCH
   * path): that attribute's path, e.g. `emails`. Attribute names are then its sub-attributes.
   */
  readonly scope?: string;
}

export type ResourcePredicate = (resource: unknown) => boolean;

/** Only `id` and password/secret-like attributes are case-exact unless told otherwise. */
export function defaultCaseExact(path: string): boolean {
  const lower = path.toLowerCase();
  const last = lower.slice(Math.max(lower.lastIndexOf(':'), lower.lastIndexOf('.')) + 1);
  return lower === 'id' || /password|secret/.test(last);
}

export function invalidFilter(detail: string): ScimError {
  return new ScimError(400, detail, INVALID_FILTER_MESSAGE_ID, 'invalidFilter');
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface PositionedToken extends Token {
  /** 0-based offset in the filter text; the text length for the end token. */
  readonly at: number;
}

/**
 * The library's token regex (scim2-parse-filter 0.2.10 parser.js), sticky so offsets are known,
 * with one fix: the library's number may not be followed by whitespace or ")", so a negative
 * number anywhere but at the very end (`(loginCount gt -1)`, `x gt -1 and y pr`) matched no
 * token at all (positive ones only survived as words). A number now ends at anything that
 * cannot continue a word.
 */
const TOKEN =
  /(\s+)|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![-\w._:/]))|("(?:[^"\\]|\\.|\n)*")|([[()]|]\.?)|(\w[-\w._:/%]*)/y;
const COMPARISON_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
const OPS = new Set([...COMPARISON_OPS, 'pr']);

const where = (text: string, at: number) => (at >= text.length ? 'at the end of the filter' : `at position ${at + 1}`);
const near = (text: string, at: number) => (at >= text.length ? '' : ` (near ${JSON.stringify(text.slice(at, at + 24))})`);

/** A token as the user wrote it: strings keep their own quotes, other tokens are quoted. */
const show = (t: Token) => (t.type === 'Quoted' ? t.literal : JSON.stringify(t.literal));

function tokenize(text: string): PositionedToken[] {
  const tokens: PositionedToken[] = [];
  let at = 0;
  while (at < text.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m || m[0].length === 0) {
      const problem = text[at] === '"' ? 'unterminated string (a closing " is missing)' : `unexpected character ${JSON.stringify(text[at])}`;
      throw invalidFilter(`Invalid filter: ${problem} ${where(text, at)}${near(text, at)}`);
    }
    if (m[2] !== undefined) tokens.push({ type: 'Number', literal: m[2], at });
    else if (m[3] !== undefined) tokens.push({ type: 'Quoted', literal: m[3], at });
    else if (m[4] !== undefined) tokens.push({ type: 'Bracket', literal: m[4], at });
    else if (m[5] !== undefined) tokens.push({ type: 'Word', literal: m[5], at });
    at += m[0].length;
  }
  tokens.push({ type: 'EOT', literal: '', at: text.length });
  return tokens;
}

/** Checks bracket nesting and rewrites `attr[f].sub op v` to `attr[(f) and sub op v]`. */
function prepare(text: string, tokens: PositionedToken[], maxDepth: number): PositionedToken[] {
  const out: PositionedToken[] = [];
  let parens = 0;
  let open: number | undefined; // index in `out` of the current "["
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.literal === '(') {
      parens++;
      if (parens > maxDepth) throw invalidFilter(`Invalid filter: parentheses nest deeper than ${maxDepth} levels ${where(text, t.at)}`);
    } else if (t.literal === ')') parens--;
    else if (t.literal === '[') {
      if (open !== undefined) throw invalidFilter(`Invalid filter: value filters cannot be nested ("[" inside "[…]") ${where(text, t.at)}${near(text, t.at)}`);
      open = out.length;
    } else if (t.literal === ']' || t.literal === '].') {
      const start = open;
      open = undefined;
      const sub = tokens[i + 1];
      if (t.literal === '].' && start !== undefined && sub?.type === 'Word') {
        const op = tokens[i + 2];
        if (op === undefined || op.type !== 'Word' || !OPS.has(op.literal.toLowerCase())) {
          const at = op?.at ?? text.length;
          throw invalidFilter(`Invalid filter: expected an operator after "${sub.literal}" ${where(text, at)}${near(text, at)}`);
        }
        const value = tokens[i + 3]!;
        if (op.literal.toLowerCase() !== 'pr' && value.type === 'EOT') {
          throw invalidFilter(`Invalid filter: missing comparison value after "${op.literal}" ${where(text, value.at)}`);
        }
        const operand = op.literal.toLowerCase() === 'pr' ? [] : [value];
        out.splice(start + 1, 0, { type: 'Bracket', literal: '(', at: out[start]!.at });
        out.push({ type: 'Bracket', literal: ')', at: t.at }, { type: 'Word', literal: 'and', at: t.at }, sub, op, ...operand);
        out.push({ type: 'Bracket', literal: ']', at: t.at });
        i += 2 + operand.length;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Turns a parser error into a clear detail, given the index of the token it stopped after. */
function explain(text: string, tokens: PositionedToken[], index: number, message: string): ScimError {
  const token = tokens[Math.max(0, Math.min(index - 1, tokens.length - 1))]!;
  const previous = tokens[Math.max(0, index - 2)];
  const at = token.at;
  const eot = token.type === 'EOT';
  let problem: string;
  if (/as valFilter operator$/.test(message)) {
    problem = eot
      ? `expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) after "${previous?.literal ?? ''}"`
      : `unknown operator ${show(token)} (expected eq, ne, co, sw, ew, pr, gt, ge, lt or le)`;
  } else if (/is not json$/.test(message)) {
    problem = eot
      ? `missing comparison value after "${previous?.literal ?? ''}"`
      : `comparison value ${token.literal} is not a JSON string, number, true, false or null (strings need double quotes)`;
  } else if (/expected '\)'$/.test(message)) {
    problem = eot ? 'missing ")"' : `expected ")" but found ${show(token)}`;
  } else if (/expected '\]'$/.test(message)) {
    problem = eot ? 'missing "]"' : `expected "]" but found ${show(token)}`;
  } else if (eot) {
    if (text.trim() === '') return invalidFilter('Invalid filter: the filter is empty');
    problem = 'unexpected end of the filter (an expression is missing)';
  } else {
    problem = `unexpected ${show(token)}`;
  }
  return invalidFilter(`Invalid filter: ${problem} ${where(text, at)}${near(text, at)}`);
}

interface Parsed {
  readonly ast: Filter;
  readonly tokens: PositionedToken[];
}

function parse(text: string, maxLength: number, maxDepth: number): Parsed {
  if (typeof text !== 'string') throw invalidFilter('Invalid filter: the filter must be a string');
  if (text.length > maxLength) throw invalidFilter(`Invalid filter: the filter is ${text.length} characters long; the limit is ${maxLength}`);
  const tokens = prepare(text, tokenize(text), maxDepth);
  const list = new Tokens(tokens);
  let ast: Filter;
  try {
    ast = libraryParseFilter(list);
  } catch (e) {
    if (e instanceof ScimError) throw e;
    if (e instanceof RangeError) throw invalidFilter(`Invalid filter: the filter nests too deeply`);
    throw explain(text, tokens, list.i, e instanceof Error ? e.message : String(e));
  }
  if (list.peek().type !== 'EOT') {
    const t = tokens[list.i]!;
    throw invalidFilter(`Invalid filter: unexpected ${show(t)} after a complete expression ${where(text, t.at)}${near(text, t.at)} (missing "and" or "or"?)`);
  }
  return { ast, tokens };
}

function depthOf(f: Filter): number {
  switch (f.op) {
    case 'and':
    case 'or':
      return 1 + Math.max(...(f as { filters: Filter[] }).filters.map(depthOf));
    case 'not':
      return 1 + depthOf((f as { filter: Filter }).filter);
    case '[]':
      return 1 + depthOf((f as { valFilter: Filter }).valFilter);
    default:
      return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function compareStrings(a: string, b: string, exact: boolean): number {
  if (ISO_DATE_TIME.test(a) && ISO_DATE_TIME.test(b)) {
    const d = Date.parse(a) - Date.parse(b);
    if (!Number.isNaN(d)) return Math.sign(d);
  }
  const x = exact ? a : a.toLowerCase();
  const y = exact ? b : b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** -1/0/1, or undefined when the two values are of different types. */
function compare(actual: unknown, operand: string | number | boolean, exact: boolean): number | undefined {
  if (typeof operand === 'string') return typeof actual === 'string' ? compareStrings(actual, operand, exact) : undefined;
  if (typeof operand === 'number') return typeof actual === 'number' ? Math.sign(actual - operand) : undefined;
  return typeof actual === 'boolean' ? (actual === operand ? 0 : 1) : undefined;
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isPlainObject(value)) return Object.values(value).some(isPresent);
  return true;
}

/** Values compared by an operator: complex values stand for their `value` sub-attribute. */
function operands(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (isPlainObject(v)) {
      const key = Object.keys(v).find((k) => k.toLowerCase() === 'value');
      const inner = key === undefined ? undefined : v[key];
      if (Array.isArray(inner)) out.push(...inner);
      else if (inner !== undefined && inner !== null) out.push(inner);
    } else out.push(v);
  }
  return out;
}

interface Scope {
  readonly label: string;
}

class Compiler {
  private leaf = 0;
  private readonly attributeTokens: PositionedToken[];
  private readonly caseExact: (path: string) => boolean;

  constructor(
    private readonly text: string,
    tokens: PositionedToken[],
    private readonly options: FilterOptions,
  ) {
    // The tokens that start an attribute expression (`attr op …` or `attr[`), in text order:
    // the parser builds the AST leaves in that order, so leaf k sits at attributeTokens[k].
    this.attributeTokens = tokens.filter((t, i) => {
      const next = tokens[i + 1];
      return t.type === 'Word' && next !== undefined && ((next.type === 'Word' && OPS.has(next.literal.toLowerCase())) || next.literal === '[');
    });
    this.caseExact = options.caseExact ?? defaultCaseExact;
  }

  private fail(problem: string, token: PositionedToken | undefined): never {
    throw invalidFilter(`Invalid filter: ${problem}${token ? ` ${where(this.text, token.at)}` : ''}`);
  }

  private path(attrPath: string, token: PositionedToken | undefined, scope: Scope | undefined): { path: AttributePath; label: string } {
    let path: AttributePath;
    try {
      path = parseAttributePath(attrPath, this.options);
    } catch (e) {
      if (e instanceof ScimError) this.fail(e.detail, token);
      throw e;
    }
    if (scope !== undefined && (path.schema !== undefined || path.subAttribute !== undefined)) {
      this.fail(`inside the value filter of "${scope.label}", "${attrPath}" must be a plain sub-attribute name`, token);
    }
    return { path, label: scope ? `${scope.label}.${formatAttributePath(path)}` : formatAttributePath(path) };
  }

  compile(f: Filter, scope: Scope | undefined): ResourcePredicate {
    switch (f.op) {
      case 'and': {
        const parts = f.filters.map((x) => this.compile(x, scope));
        return (r) => parts.every((p) => p(r));
      }
      case 'or': {
        const parts = f.filters.map((x) => this.compile(x, scope));
        return (r) => parts.some((p) => p(r));
      }
      case 'not': {
        const inner = this.compile(f.filter, scope);
        return (r) => !inner(r);
      }
      case '[]': {
        const token = this.attributeTokens[this.leaf++];
        if (scope !== undefined) this.fail(`value filters cannot be nested (inside "${scope.label}[…]")`, token);
        const { path, label } = this.path(f.attrPath, token, scope);
        if (path.attribute === undefined) this.fail(`a value filter needs an attribute, not the bare schema URN "${f.attrPath}"`, token);
        const inner = this.compile(f.valFilter, { label });
        return (r) => resolvePath(r, path).some((element) => inner(isPlainObject(element) ? element : { value: element }));
      }
      case 'pr': {
        const token = this.attributeTokens[this.leaf++];
        const { path } = this.path(f.attrPath, token, scope);
        return (r) => resolvePath(r, path).some(isPresent);
      }
      default:
        return this.comparison(f as Compare, this.attributeTokens[this.leaf++], scope);
    }
  }

  private comparison(f: Compare, token: PositionedToken | undefined, scope: Scope | undefined): ResourcePredicate {
    const { path, label } = this.path(f.attrPath, token, scope);
    const op = f.op;
    const operand = f.compValue;
    const shown = JSON.stringify(operand);
    if (!COMPARISON_OPS.has(op)) this.fail(`unknown operator "${op}"`, token);
    if (typeof operand === 'number' && !Number.isFinite(operand)) this.fail(`the number ${String(operand)} in "${label} ${op}" is out of range`, token);
    if (operand === null) {
      if (op !== 'eq' && op !== 'ne') this.fail(`"${label} ${op} null": null can only be compared with eq or ne (or use "pr")`, token);
      const present = (r: unknown) => resolvePath(r, path).some(isPresent);
      return op === 'eq' ? (r) => !present(r) : present;
    }
    if ((op === 'co' || op === 'sw' || op === 'ew') && typeof operand !== 'string') {
      this.fail(`operator "${op}" needs a string value; "${label} ${op} ${shown}" has a ${typeof operand}`, token);
    }
    if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') && typeof operand === 'boolean') {
      this.fail(`operator "${op}" cannot compare booleans ("${label} ${op} ${shown}")`, token);
    }
    this.checkType(label, op, operand, token);
    const exact = this.caseExact(label);
    const fail = (problem: string) => this.fail(problem, token);
    const values = (r: unknown) => operands(resolvePath(r, path));
    switch (op) {
      case 'eq':
        return (r) => values(r).some((v) => compare(v, operand, exact) === 0);
      case 'ne':
        return (r) => {
          const vs = values(r);
          return vs.length > 0 && !vs.some((v) => compare(v, operand, exact) === 0);
        };
      case 'co':
      case 'sw':
      case 'ew': {
        const needle = exact ? (operand as string) : (operand as string).toLowerCase();
        const test =
          op === 'co' ? (s: string) => s.includes(needle) : op === 'sw' ? (s: string) => s.startsWith(needle) : (s: string) => s.endsWith(needle);
        return (r) => values(r).some((v) => typeof v === 'string' && test(exact ? v : v.toLowerCase()));
      }
      default: {
        const accept =
          op === 'gt' ? (c: number) => c > 0 : op === 'ge' ? (c: number) => c >= 0 : op === 'lt' ? (c: number) => c < 0 : (c: number) => c <= 0;
        return (r) =>
          values(r).some((v) => {
            if (typeof v === 'boolean') fail(`operator "${op}" cannot compare the boolean attribute "${label}"`);
            const c = compare(v, operand, exact);
            return c !== undefined && accept(c);
          });
      }
    }
  }

  /** With `attributeType`, rejects operands the attribute's type cannot hold. */
  private checkType(label: string, op: string, operand: string | number | boolean, token: PositionedToken | undefined): void {
    const type = this.options.attributeType?.(label);
    if (type === undefined || type === 'complex') return;
    const shown = JSON.stringify(operand);
    const ordering = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
    const wrong = (expected: string) => this.fail(`"${label}" is ${type === 'integer' ? 'an' : 'a'} ${type} attribute; ${shown} is not ${expected}`, token);
    switch (type) {
      case 'boolean':
        if (op !== 'eq' && op !== 'ne') this.fail(`operator "${op}" is not defined on the boolean attribute "${label}"`, token);
        if (typeof operand !== 'boolean') wrong('true or false');
        return;
      case 'integer':
        if (typeof operand !== 'number' || !Number.isInteger(operand)) wrong('an integer');
        return;
      case 'decimal':
        if (typeof operand !== 'number') wrong('a number');
        return;
      case 'dateTime':
        if (typeof operand !== 'string') wrong('a date-time string');
        else if (op !== 'co' && op !== 'sw' && op !== 'ew' && (!ISO_DATE_TIME.test(operand) || Number.isNaN(Date.parse(operand)))) {
          wrong('an ISO 8601 date-time (e.g. "2011-05-13T04:42:34Z")');
        }
        return;
      case 'binary':
        if (ordering) this.fail(`operator "${op}" is not defined on the binary attribute "${label}"`, token);
        if (typeof operand !== 'string') wrong('a string');
        return;
      default:
        if (typeof operand !== 'string') wrong('a string');
    }
  }
}

/** The validated AST of a filter (throws 400 invalidFilter). Mostly for diagnostics and tests. */
export function parseFilter(text: string, options: FilterOptions = {}): Filter {
  return compileParts(text, options).ast;
}

function compileParts(text: string, options: FilterOptions): { ast: Filter; predicate: ResourcePredicate } {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_FILTER_DEPTH;
  const { ast, tokens } = parse(text, options.maxLength ?? DEFAULT_MAX_FILTER_LENGTH, maxDepth);
  let depth: number;
  try {
    depth = depthOf(ast);
  } catch (e) {
    if (e instanceof RangeError) throw invalidFilter('Invalid filter: the filter nests too deeply');
    throw e;
  }
  if (depth > maxDepth) throw invalidFilter(`Invalid filter: the expression nests ${depth} levels deep; the limit is ${maxDepth}`);
  const compiler = new Compiler(text, tokens, options);
  const predicate = compiler.compile(ast, options.scope !== undefined ? { label: options.scope } : undefined);
  return { ast, predicate };
}

/**
 * Compiles a SCIM filter into a predicate over resources (plain JSON objects). Every syntax and
 * operand error is thrown here, as a 400 `ScimError` with scimType `invalidFilter`; the only error
 * the predicate itself can throw is gt/ge/lt/le meeting a boolean attribute value.
 */
export function compileFilter(text: string, options: FilterOptions = {}): ResourcePredicate {
  return compileParts(text, options).predicate;
}
