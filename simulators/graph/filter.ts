import { GraphHttpError } from './http.js';

/**
 * The `$filter` subset Graph supports on directory objects (reference §1): eq, ne, startsWith, endsWith,
 * in, and/or/not, parentheses, `collection/any(x:x eq 'v')`. ne, not, endsWith, null comparisons and
 * extension attributes are "advanced queries" that need ConsistencyLevel: eventual + $count=true.
 */
export interface CompiledFilter {
  test(obj: object): boolean;
  advanced: boolean;
}

type Literal = string | number | boolean | null;
type Token =
  { kind: 'punct'; value: string } | { kind: 'ident'; value: string } | { kind: 'literal'; value: Literal };

const TOKEN = /\s*(?:([(),:])|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)(?![\w])|([A-Za-z_][\w./]*))/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(source);
    if (!m) throw invalid(source);
    if (m[1] !== undefined) tokens.push({ kind: 'punct', value: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'literal', value: m[2].replace(/''/g, "'") });
    else if (m[3] !== undefined) tokens.push({ kind: 'literal', value: Number(m[3]) });
    else if (m[4] !== undefined) {
      const word = m[4];
      if (word === 'true' || word === 'false') tokens.push({ kind: 'literal', value: word === 'true' });
      else if (word === 'null') tokens.push({ kind: 'literal', value: null });
      else tokens.push({ kind: 'ident', value: word });
    }
  }
  return tokens;
}

function invalid(source: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Invalid filter clause: syntax error in '${source}'.`);
}

function unsupported(property: string, resource: string): GraphHttpError {
  return new GraphHttpError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
  );
}

function normalise(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function read(obj: object, path: string): unknown {
  let value: unknown = obj;
  for (const part of path.split('/')) value = (value as Record<string, unknown> | null | undefined)?.[part];
  return value;
}

type Predicate = (obj: object) => boolean;

export function compileFilter(
  source: string,
  filterable: ReadonlySet<string>,
  resource: string,
): CompiledFilter {
  const tokens = tokenize(source);
  let pos = 0;
  let advanced = false;

  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw invalid(source);
    return t;
  };
  const expectPunct = (value: string) => {
    const t = next();
    if (t.kind !== 'punct' || t.value !== value) throw invalid(source);
  };
  const isWord = (t: Token | undefined, word: string) =>
    t?.kind === 'ident' && t.value.toLowerCase() === word;
  const literal = (): Literal => {
    const t = next();
    if (t.kind !== 'literal') throw invalid(source);
    return t.value;
  };
  const property = (name: string): string => {
    if (name.startsWith('onPremisesExtensionAttributes/')) {
      if (!filterable.has('onPremisesExtensionAttributes')) throw unsupported(name, resource);
      advanced = true;
      return name;
    }
    if (!filterable.has(name)) throw unsupported(name, resource);
    return name;
  };

  const comparison = (op: string, expected: Literal): ((actual: unknown) => boolean) => {
    const want = normalise(expected);
    if (expected === null) advanced = true;
    switch (op) {
      case 'eq':
        return (actual) => normalise(actual ?? null) === want;
      case 'ne':
        advanced = true;
        return (actual) => normalise(actual ?? null) !== want;
      case 'ge':
        return (actual) => typeof actual === 'string' && actual.toLowerCase() >= String(want);
      case 'le':
        return (actual) => typeof actual === 'string' && actual.toLowerCase() <= String(want);
      default:
        throw invalid(source);
    }
  };

  const stringFunction = (name: string): Predicate => {
    const fn = name.toLowerCase();
    expectPunct('(');
    const t = next();
    if (t.kind !== 'ident') throw invalid(source);
    const prop = property(t.value);
    expectPunct(',');
    const arg = literal();
    expectPunct(')');
    if (typeof arg !== 'string') throw invalid(source);
    const want = arg.toLowerCase();
    if (fn === 'endswith') advanced = true;
    const check = (v: unknown) =>
      typeof v === 'string' &&
      (fn === 'startswith' ? v.toLowerCase().startsWith(want) : v.toLowerCase().endsWith(want));
    return (obj) => check(read(obj, prop));
  };

  const anyClause = (collection: string): Predicate => {
    const prop = property(collection);
    expectPunct('(');
    const variable = next();
    if (variable.kind !== 'ident') throw invalid(source);
    expectPunct(':');
    let inner: (v: unknown) => boolean;
    const head = next();
    if (head.kind === 'ident' && head.value === variable.value) {
      const op = next();
      if (op.kind !== 'ident') throw invalid(source);
      inner = comparison(op.value.toLowerCase(), literal());
    } else if (head.kind === 'ident' && /^(startswith|endswith)$/i.test(head.value)) {
      expectPunct('(');
      if (next().kind !== 'ident') throw invalid(source);
      expectPunct(',');
      const arg = String(literal()).toLowerCase();
      expectPunct(')');
      const starts = head.value.toLowerCase() === 'startswith';
      if (!starts) advanced = true;
      inner = (v) =>
        typeof v === 'string' && (starts ? v.toLowerCase().startsWith(arg) : v.toLowerCase().endsWith(arg));
    } else throw invalid(source);
    expectPunct(')');
    return (obj) => {
      const values = read(obj, prop);
      return Array.isArray(values) && values.some(inner);
    };
  };

  const primary = (): Predicate => {
    const t = next();
    if (t.kind === 'punct' && t.value === '(') {
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    if (t.kind !== 'ident') throw invalid(source);
    if (/^(startswith|endswith)$/i.test(t.value) && peek()?.kind === 'punct') return stringFunction(t.value);
    if (t.value.endsWith('/any')) return anyClause(t.value.slice(0, -'/any'.length));
    const prop = property(t.value);
    const op = next();
    if (op.kind !== 'ident') throw invalid(source);
    if (op.value.toLowerCase() === 'in') {
      expectPunct('(');
      const values = new Set<unknown>([normalise(literal())]);
      while (peek()?.kind === 'punct' && peek()?.value === ',') {
        next();
        values.add(normalise(literal()));
      }
      expectPunct(')');
      return (obj) => values.has(normalise(read(obj, prop) ?? null));
    }
    const check = comparison(op.value.toLowerCase(), literal());
    return (obj) => check(read(obj, prop));
  };

  const unary = (): Predicate => {
    if (isWord(peek(), 'not')) {
      next();
      advanced = true;
      const inner = unary();
      return (obj) => !inner(obj);
    }
    return primary();
  };

  const andExpr = (): Predicate => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      next();
      const l = left;
      const r = unary();
      left = (obj) => l(obj) && r(obj);
    }
    return left;
  };

  const orExpr = (): Predicate => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      next();
      const l = left;
      const r = andExpr();
      left = (obj) => l(obj) || r(obj);
    }
    return left;
  };

  const test = orExpr();
  if (pos !== tokens.length) throw invalid(source);
  return { test, advanced };
}
