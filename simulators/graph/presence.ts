import type { RequestCtx } from './context.js';
import { GraphHttpError, json, parseJsonBody, type Router, type SimRequest } from './http.js';
import { contextUrl } from './odata.js';
import { PRESENCE_READ, requireRole } from './permissions.js';
import { tooManyRequests } from './throttling.js';
import { findUser } from './users.js';

const MAX_IDS = 650;

function presenceOf(ctx: RequestCtx, id: string) {
  const p = ctx.sim.tenant.presence.get(id) ?? {
    availability: 'PresenceUnknown',
    activity: 'PresenceUnknown',
  };
  return { id, availability: p.availability, activity: p.activity };
}

/** Permission, then the per-app presence rate limit shared by all presence endpoints (reference §5). */
function admit(ctx: RequestCtx): void {
  requireRole(ctx, PRESENCE_READ);
  const limit = ctx.sim.settings.presenceRateLimit;
  const wait = limit ? ctx.sim.presenceWindows.take(ctx.caller.clientId, limit) : undefined;
  if (wait !== undefined) throw tooManyRequests(wait);
}

function single(req: SimRequest, { id = '' }: Record<string, string>, ctx: RequestCtx) {
  admit(ctx);
  const user = findUser(ctx, id);
  return json({
    '@odata.context': contextUrl(req, 'communications/presences/$entity'),
    ...presenceOf(ctx, user.id),
  });
}

export function registerPresence(router: Router<RequestCtx>): void {
  router
    .add('GET', '/users/{id}/presence', single)
    .add('GET', '/communications/presences/{id}', single)
    .add('POST', '/communications/getPresencesByUserId', (req, _p, ctx) => {
      admit(ctx);
      const ids = parseJsonBody(req)['ids'];
      if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) {
        throw new GraphHttpError(
          400,
          'BadRequest',
          "The request body must contain 'ids', an array of user ids.",
        );
      }
      if (ids.length > MAX_IDS) {
        throw new GraphHttpError(400, 'BadRequest', `The number of ids must not exceed ${MAX_IDS}.`);
      }
      return json({
        '@odata.context': contextUrl(req, 'Collection(microsoft.graph.presence)'),
        value: (ids as string[]).map((id) => presenceOf(ctx, id)),
      });
    });
}
