import type { ApplicationFailure } from '@temporalio/common';
import { PBX_FAILURE, pbxFailure, type PbxFailureType } from '../errors.js';
import type { Envelope, Reply } from './transport.js';

/** Yeastar errcode → PBX failure type. Codes not listed: retryable UNAVAILABLE if ≤ 0, else non-retryable VALIDATION. */
export const ERRCODE_FAILURE: Record<number, PbxFailureType> = {
  [-2]: PBX_FAILURE.UNAVAILABLE,
  [-1]: PBX_FAILURE.UNAVAILABLE,
  10001: PBX_FAILURE.UNSUPPORTED,
  10002: PBX_FAILURE.UNSUPPORTED,
  10003: PBX_FAILURE.UNSUPPORTED,
  10004: PBX_FAILURE.SESSION,
  10005: PBX_FAILURE.FORBIDDEN,
  40001: PBX_FAILURE.VALIDATION,
  40002: PBX_FAILURE.VALIDATION,
  40003: PBX_FAILURE.DUPLICATE,
  40004: PBX_FAILURE.VALIDATION,
  60001: PBX_FAILURE.NOT_FOUND,
  60002: PBX_FAILURE.CAPACITY,
  70004: PBX_FAILURE.FORBIDDEN,
  70082: PBX_FAILURE.BUSY,
  70084: PBX_FAILURE.FORBIDDEN,
  70087: PBX_FAILURE.FORBIDDEN,
  70091: PBX_FAILURE.IN_USE,
  70093: PBX_FAILURE.NOT_FOUND,
  70120: PBX_FAILURE.FORBIDDEN,
  70123: PBX_FAILURE.FORBIDDEN,
  70128: PBX_FAILURE.NOT_FOUND,
};

const SECRET_FIELD = /pass|secret|token|pin/i;

export interface FailureContext {
  /** e.g. `extension 1042 (alice@contoso.com)`. */
  object: string;
  /** Open API endpoint, e.g. `extension/create`. */
  operation: string;
}

function describeParams(body: Envelope): { text: string; fields: string[] } {
  const params = body.invalid_param_list ?? [];
  const fields = params.map((p) => p.field ?? '?');
  const text = params
    .map((p) => {
      const why = p.validation_type === 'required' ? 'is required' : 'is invalid';
      const shown =
        p.value === undefined || SECRET_FIELD.test(p.field ?? '') ? '' : ` (${JSON.stringify(p.value)})`;
      return `${p.field ?? '?'}${shown} ${why}`;
    })
    .join('; ');
  return { text, fields };
}

function describeDuplicates(body: Envelope): { text: string; fields: string[]; heldBy?: string } {
  const dups = body.duplicate_field_list ?? [];
  const first = dups[0];
  const heldBy = first?.external_source
    ? `${first.external_source} ${first.external_source_name ?? ''}`.trim()
    : undefined;
  const text = dups
    .map((d) =>
      `${d.field} "${d.value}" is already used by ${d.external_source ?? 'another object'} ${d.external_source_name ?? ''}`.trim(),
    )
    .join('; ');
  return {
    text: text || body.submsg || 'a unique field is already in use',
    fields: dups.map((d) => d.field ?? '?'),
    heldBy,
  };
}

export function failureFromEnvelope(body: Envelope, ctx: FailureContext): ApplicationFailure {
  const type =
    ERRCODE_FAILURE[body.errcode] ?? (body.errcode <= 0 ? PBX_FAILURE.UNAVAILABLE : PBX_FAILURE.VALIDATION);
  const head = `${ctx.object}: ${ctx.operation} failed with ${body.errcode} ${body.errmsg ?? ''}`.trimEnd();
  if (type === PBX_FAILURE.DUPLICATE) {
    const d = describeDuplicates(body);
    return pbxFailure(type, `${head}: ${d.text}`, {
      ...ctx,
      code: body.errcode,
      fields: d.fields,
      heldBy: d.heldBy,
    });
  }
  const p = describeParams(body);
  return pbxFailure(type, p.text ? `${head}: ${p.text}` : head, {
    ...ctx,
    code: body.errcode,
    fields: p.fields,
  });
}

export function failureFromReply(reply: Reply, ctx: FailureContext): ApplicationFailure {
  if (reply.kind === 'envelope') return failureFromEnvelope(reply.body, ctx);
  if (reply.kind === 'network') {
    return pbxFailure(
      PBX_FAILURE.UNAVAILABLE,
      `${ctx.object}: ${ctx.operation} failed: network error ${reply.code}`,
      {
        ...ctx,
        code: reply.code,
      },
    );
  }
  const type =
    reply.status === 429
      ? PBX_FAILURE.BUSY
      : reply.status >= 500
        ? PBX_FAILURE.UNAVAILABLE
        : PBX_FAILURE.UNSUPPORTED;
  return pbxFailure(type, `${ctx.object}: ${ctx.operation} failed with HTTP ${reply.status}`, {
    ...ctx,
    code: reply.status,
  });
}
