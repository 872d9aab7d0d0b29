import type { ApplicationFailure } from '@temporalio/common';
import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import type { Envelope, Reply } from './yeastar-transport.js';

/** Yeastar errcode → PBX failure type. Codes not listed: retryable UNAVAILABLE if ≤ 0, else non-retryable VALIDATION. */
export const ERRCODE_FAILURE: Record<number, PbxFailure> = {
  [-2]: PbxFailure.Unavailable,
  [-1]: PbxFailure.Unavailable,
  10001: PbxFailure.Unsupported,
  10002: PbxFailure.Unsupported,
  10003: PbxFailure.Unsupported,
  10004: PbxFailure.Session,
  10005: PbxFailure.Forbidden,
  40001: PbxFailure.Validation,
  40002: PbxFailure.Validation,
  40003: PbxFailure.Duplicate,
  40004: PbxFailure.Validation,
  60001: PbxFailure.NotFound,
  60002: PbxFailure.Capacity,
  70004: PbxFailure.Forbidden,
  70082: PbxFailure.Busy,
  70084: PbxFailure.Forbidden,
  70087: PbxFailure.Forbidden,
  70091: PbxFailure.InUse,
  70093: PbxFailure.NotFound,
  70120: PbxFailure.Forbidden,
  70123: PbxFailure.Forbidden,
  70128: PbxFailure.NotFound,
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
    ERRCODE_FAILURE[body.errcode] ?? (body.errcode <= 0 ? PbxFailure.Unavailable : PbxFailure.Validation);
  const head = `${ctx.object}: ${ctx.operation} failed with ${body.errcode} ${body.errmsg ?? ''}`.trimEnd();
  if (type === PbxFailure.Duplicate) {
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

/**
 * Anything but the JSON envelope (a maintenance page, a proxy's 408/425/5xx, a body cut off in transit) means
 * the PBX is not answering properly right now, whatever the status: retry it. 429 is throttling.
 */
export function failureFromReply(reply: Reply, ctx: FailureContext): ApplicationFailure {
  if (reply.kind === 'envelope') return failureFromEnvelope(reply.body, ctx);
  if (reply.kind === 'network') {
    return pbxFailure(
      PbxFailure.Unavailable,
      `${ctx.object}: ${ctx.operation} failed: network error ${reply.code}`,
      {
        ...ctx,
        code: reply.code,
      },
    );
  }
  return pbxFailure(
    reply.status === 429 ? PbxFailure.Busy : PbxFailure.Unavailable,
    `${ctx.object}: ${ctx.operation} failed: HTTP ${reply.status} with ${reply.content}`,
    { ...ctx, code: reply.status },
  );
}
