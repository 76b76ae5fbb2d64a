import type { Request } from 'express';
import { z } from 'zod';
import type { EventStore, Position } from '../../eventstore/event-store.js';
import type { Logger } from '../../logger.js';
import type { Credentials, Principal } from '../../tenancy/credentials.js';
import { eventStreamHeaders, serveEventStream } from '../live/event-stream.js';
import type { LiveStreams } from '../live/live-streams.js';
import { movementNotices } from '../live/movement-notices.js';
import { HttpProblem } from '../problem.js';
import { route, type AnyRoute } from '../route.js';
import { presentedSecret } from '../router.js';
import { stringSchema } from '../schemas/common.js';

/** What the live route needs. */
export interface LiveRouteDependencies {
  readonly store: EventStore;
  readonly credentials: Credentials;
  readonly streams: LiveStreams;
  readonly logger: Logger;
}

const positionPattern = /^\d{1,20}$/;

/** GET /api/live: `after`, for clients that cannot send Last-Event-ID (EventSource's first connection). */
export const liveQuery = z.object({
  after: stringSchema().regex(positionPattern, 'must be a position token').optional(),
});

/** The data of one event of GET /api/live (the OpenAPI document's description of the stream). */
export const liveEventSchema = z.object({
  position: z.string(),
  kind: z.enum(['received', 'transferred', 'reserved', 'reservation-released', 'shipped', 'returned', 'adjusted', 'counted', 'reversed']),
  movementId: z.string(),
  skus: z.array(z.string()),
  locations: z.array(z.string()),
});

/**
 * Where the stream starts: after Last-Event-ID (a browser's reconnection sends it, and it wins over
 * the `after` its URL still carries), else after `after`, else after the tenant's newest event:
 * a new client is told of movements from now on. A position of another tenant is only a place in
 * the global order: the subscription reads this tenant's events, whatever the position.
 */
async function startAfter(request: Request, after: string | undefined, store: EventStore, tenant: string): Promise<Position> {
  const header = request.headers['last-event-id'];
  if (header !== undefined) {
    if (typeof header !== 'string' || !positionPattern.test(header)) {
      throw new HttpProblem(400, 'malformed-header', 'Malformed Last-Event-ID', 'Last-Event-ID must be the id (a position) of an event of this stream.');
    }
    return header;
  }
  return after ?? (await store.headPosition(tenant));
}

/** Whether the secret the request presented still belongs to the credential the stream was opened with. */
async function stillHeld(credentials: Credentials, request: Request, principal: Principal): Promise<boolean> {
  const { secret } = presentedSecret(request);
  if (secret === undefined) return false;
  const now = await credentials.authenticate(principal.tenant, secret);
  return now !== undefined && now.credentialId === principal.credentialId;
}

/** GET /api/live: the tenant's movements as server-sent events (API.md, "Live updates"). */
export function liveRoutes(dependencies: LiveRouteDependencies): AnyRoute[] {
  const { store, credentials, streams, logger } = dependencies;
  return [
    route<unknown, z.output<typeof liveQuery>>({
      method: 'get',
      path: '/api/live',
      summary:
        "The tenant's movements as they are committed, as server-sent events: one per movement, in position order, its `id` the position; a comment every 15 s. Resume with the `Last-Event-ID` header (or `after`) to get only later ones.",
      tag: 'Live updates',
      access: 'read',
      query: liveQuery,
      responses: [
        {
          status: 200,
          description: 'An endless `text/event-stream`; each event\'s `data` is the JSON described here. A client that falls too far behind is disconnected and resumes with Last-Event-ID.',
          mediaType: 'text/event-stream',
          schema: liveEventSchema,
        },
        {
          status: 429,
          description: '`rate-limited`: too many live streams open (per credential, per tenant or in this process).',
          headers: { 'Retry-After': { description: 'Seconds to wait before reconnecting.', type: 'integer' } },
        },
      ],
      handle: async ({ query, tenant, principal, request }) => {
        const after = await startAfter(request, query.after, store, tenant);
        // Admitted last, once nothing can refuse the request any more; the place is the stream's from here.
        let end: () => void = () => undefined;
        const release = streams.admit(tenant, principal.credentialId, () => end());
        return {
          status: 200,
          headers: eventStreamHeaders,
          stream: (response) =>
            serveEventStream(response, {
              notices: movementNotices(store.subscribeTenant(tenant, { after })),
              limits: streams.limits,
              stillAuthenticated: async () => await stillHeld(credentials, request, principal),
              register: (ending) => {
                end = ending;
                return release;
              },
              logger,
            }),
        };
      },
    }),
  ];
}
