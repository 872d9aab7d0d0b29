import { invalid, required, syntax } from './envelope.js';
import type { SimSettings } from './settings.js';

/** Body-field readers: a wrong JSON type is 40001 (syntax), a bad or missing value is 40002. */
export type Body = Record<string, unknown>;

interface StrRule {
  required?: boolean;
  max?: number;
  min?: number;
}

export function str(body: Body, field: string, rule: StrRule = {}): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (rule.required) throw required(field);
    return v === '' ? '' : undefined;
  }
  if (typeof v !== 'string') throw syntax(field, v);
  if ((rule.max !== undefined && v.length > rule.max) || (rule.min !== undefined && v.length < rule.min)) {
    throw invalid(field, v);
  }
  return v;
}

export function int(
  body: Body,
  field: string,
  rule: { required?: boolean; min?: number; max?: number } = {},
) {
  const v = body[field];
  if (v === undefined || v === null) {
    if (rule.required) throw required(field);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw syntax(field, v);
  if ((rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max))
    throw invalid(field, v);
  return v;
}

export function oneOf<T extends string>(body: Body, field: string, values: readonly T[], isRequired = false) {
  const v = str(body, field, { required: isRequired });
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw invalid(field, v);
  return v as T;
}

export function intList(body: Body, field: string, isRequired = false): number[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (isRequired) throw required(field);
    return undefined;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x)))
    throw syntax(field, v);
  return v as number[];
}

/** Ids inside Organization_Info / Member_info items, keyed per the `refItemKey` setting. */
export function refList(body: Body, field: string, key: SimSettings['refItemKey']): number[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw syntax(field, v);
  return v.map((item: unknown) => {
    const raw =
      typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
    const id = key === 'value' ? (typeof raw === 'string' ? Number(raw) : NaN) : raw;
    if (typeof id !== 'number' || !Number.isInteger(id)) throw invalid(field, item);
    return id;
  });
}

export function ref(key: SimSettings['refItemKey'], id: number): Record<string, unknown> {
  return key === 'value' ? { value: String(id) } : { id };
}

export interface Paging {
  page: number;
  pageSize: number;
  sortBy: string;
  orderBy: 'asc' | 'desc';
}

export type PageLimits = Pick<SimSettings, 'defaultPageSize' | 'maxPageSize' | 'pageSizeOverMax'>;

export function paging(query: URLSearchParams, settings: PageLimits, sortFields: readonly string[]): Paging {
  const num = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw invalid(name, raw);
    return n;
  };
  let pageSize = num('page_size', settings.defaultPageSize);
  if (pageSize > settings.maxPageSize) {
    if (settings.pageSizeOverMax === 'reject') throw invalid('page_size', pageSize);
    pageSize = settings.maxPageSize;
  }
  const sortBy = query.get('sort_by') || 'id';
  if (!sortFields.includes(sortBy)) throw invalid('sort_by', sortBy);
  const orderBy = query.get('order_by') || 'asc';
  if (orderBy !== 'asc' && orderBy !== 'desc') throw invalid('order_by', orderBy);
  return { page: num('page', 1), pageSize, sortBy, orderBy };
}

export function paginate<T extends Record<string, unknown>>(items: T[], p: Paging) {
  const sorted = [...items].sort((a, b) => {
    const x = a[p.sortBy];
    const y = b[p.sortBy];
    const c =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
    return p.orderBy === 'asc' ? c : -c;
  });
  const start = (p.page - 1) * p.pageSize;
  return { total_number: items.length, data: sorted.slice(start, start + p.pageSize) };
}

export function requireId(query: URLSearchParams | Body, field = 'id'): number {
  const raw = query instanceof URLSearchParams ? query.get(field) : query[field];
  if (raw === null || raw === undefined || raw === '') throw required(field);
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n)) throw syntax(field, raw);
  return n;
}
