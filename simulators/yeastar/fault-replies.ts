import { STATUS_CODES } from 'node:http';
import type { FaultSpec } from './faults.js';

/** What goes on the wire once an injected fault has shaped (or replaced) the PBX's JSON reply. */
export interface Reply {
  status: number;
  payload: Record<string, unknown>;
}

export interface Wire {
  status: number;
  contentType: string;
  text: string;
}

const JSON_TYPE = 'application/json';

/** Whether the PBX acts on the request before the fault shapes (or drops) the reply. */
export function performsRequest(fault: FaultSpec | undefined): boolean {
  if (fault?.kind === 'errcode') return false;
  if (fault?.kind === 'body') return fault.perform ?? fault.body === 'truncated-json';
  return true;
}

function maintenancePage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>The system is under maintenance. Please try again later.</p></body></html>`;
}

function bodyFault(fault: FaultSpec, reply: Reply | undefined): Wire {
  const status = fault.httpStatus ?? 200;
  if (fault.body === 'html')
    return { status, contentType: 'text/html; charset=utf-8', text: maintenancePage(status) };
  if (fault.body === 'truncated-json') {
    const text = JSON.stringify(reply?.payload ?? { errcode: 0, errmsg: 'SUCCESS' });
    return { status, contentType: JSON_TYPE, text: text.slice(0, Math.floor(text.length / 2)) };
  }
  return { status, contentType: 'text/plain; charset=utf-8', text: fault.body ?? '' };
}

function omitKey(payload: Record<string, unknown>, key: string): Record<string, unknown> {
  if (payload.errcode !== 0) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([k]) => k !== key));
}

/** null = drop the connection; `reply` is undefined when the fault answered before the request was performed. */
export function toWire(fault: FaultSpec | undefined, reply: Reply | undefined): Wire | null {
  if (fault?.kind === 'drop-response') return null;
  if (fault?.kind === 'body') return bodyFault(fault, reply);
  if (!reply) throw new Error(`fault ${fault?.kind} needs a reply`);
  const payload =
    fault?.kind === 'malformed-list' ? omitKey(reply.payload, fault.omit ?? 'data') : reply.payload;
  return { status: reply.status, contentType: JSON_TYPE, text: JSON.stringify(payload) };
}
