import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api } from '../app/api';
import { browserLocales as locale, QuantityCell, quantityFor as quantity } from '../components/quantity';
import { formatDateTime } from '../lib/format';
import { Field } from './field';

/** One raw event of GET /api/audit/events (API.md, "Audit and replay"). */
interface AuditEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly user: string | null; readonly credentialId: string | null; readonly correlationId: string | null; readonly causationId: string | null; readonly idempotencyKey: string | null; readonly source: string | null };
  readonly recordedAt: string;
}

interface AuditPage {
  readonly items: readonly AuditEvent[];
  readonly nextCursor: string | null;
}

/** GET /api/audit/articles/:sku/replay: the article folded from its events up to `at`. */
interface Replay {
  readonly sku: string;
  readonly at: string;
  readonly eventsFolded: number;
  readonly position: string | null;
  readonly onHand: number;
  readonly balances: readonly { readonly location: string; readonly lot: string | null; readonly onHand: number }[];
  readonly reservations: readonly { readonly reference: string; readonly location: string | null; readonly quantity: number }[];
  readonly serials: readonly { readonly serial: string; readonly location: string }[];
}

const pageSize = 100;

/** A datetime-local input's value ("2026-12-04T10:30", local time) as an ISO instant; blank stays blank. */
export function localInputToIso(value: string): string {
  if (value === '') return '';
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? '' : new Date(time).toISOString();
}

interface EventFilters {
  readonly stream: string;
  readonly sku: string;
  readonly after: string;
}

/** The raw events, oldest first, a page of 100 at a time by the `after` cursor, with their metadata. */
function EventList() {
  const [draft, setDraft] = useState<EventFilters>({ stream: '', sku: '', after: '' });
  const [filters, setFilters] = useState<EventFilters>(draft);
  const events = useInfiniteQuery({
    queryKey: ['audit', 'events', filters],
    queryFn: ({ pageParam }) => api.get<AuditPage>('/api/audit/events', { stream: filters.stream, sku: filters.sku, after: pageParam ?? filters.after, limit: pageSize }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ stream: draft.stream.trim(), sku: draft.sku.trim(), after: draft.after.trim() });
  }
  return (
    <section aria-labelledby="audit-events">
      <h2 className="h5" id="audit-events">
        Events
      </h2>
      <form className="row g-2 align-items-end" onSubmit={apply} role="search" aria-label="Event filters">
        <div className="col-sm-4">
          <Field label="Stream" name="stream" placeholder="stock-SKU-1 or user-alice" value={draft.stream} onChange={(event) => setDraft({ ...draft, stream: event.target.value })} />
        </div>
        <div className="col-sm-3">
          <Field label="SKU" name="sku" value={draft.sku} onChange={(event) => setDraft({ ...draft, sku: event.target.value })} />
        </div>
        <div className="col-sm-3">
          <Field label="After position" name="after" inputMode="numeric" value={draft.after} onChange={(event) => setDraft({ ...draft, after: event.target.value })} />
        </div>
        <div className="col-sm-2 mb-3">
          <button type="submit" className="btn btn-primary w-100">
            <i className="bi bi-funnel me-1" aria-hidden="true" />
            Filter
          </button>
        </div>
      </form>
      {events.isError && (
        <div className="alert alert-danger" role="alert">
          {events.error.message}
        </div>
      )}
      <p className="text-body-secondary small mb-1" aria-live="polite">
        {events.isPending ? 'Loading…' : `${items.length}${events.hasNextPage ? '+' : ''} events, oldest first`}
      </p>
      <div className="table-responsive border rounded audit-events">
        <table className="table table-sm mb-0 align-top">
          <thead className="table-light">
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Recorded</th>
              <th scope="col">Stream</th>
              <th scope="col">Type</th>
              <th scope="col">Metadata</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => (
              <tr key={event.id} className="audit-event">
                <td className="font-monospace">{event.position}</td>
                <td className="text-nowrap">{formatDateTime(event.recordedAt, locale)}</td>
                <td className="text-break">
                  {event.stream}
                  <span className="text-body-secondary"> #{event.revision}</span>
                </td>
                <td>{event.type}</td>
                <td className="small">
                  <dl className="audit-metadata mb-0">
                    {Object.entries(event.metadata)
                      .filter(([, value]) => value !== null)
                      .map(([name, value]) => (
                        <div key={name}>
                          <dt className="d-inline fw-normal text-body-secondary">{name}:</dt> <dd className="d-inline text-break">{String(value)}</dd>
                        </div>
                      ))}
                  </dl>
                </td>
                <td>
                  <code className="audit-data small text-break">{JSON.stringify(event.data)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!events.isPending && items.length === 0 && <p className="p-3 mb-0 text-body-secondary">No events match these filters.</p>}
      </div>
      {events.hasNextPage && (
        <button type="button" className="btn btn-outline-secondary mt-2" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
          {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

/** One article folded from its events as recorded up to a time, straight from the event store. */
function ArticleReplay() {
  const [draft, setDraft] = useState({ sku: '', at: '' });
  const [asked, setAsked] = useState<{ sku: string; at: string } | null>(null);
  const replay = useQuery({
    queryKey: ['audit', 'replay', asked],
    queryFn: () => api.get<Replay>(`/api/audit/articles/${encodeURIComponent(asked?.sku ?? '')}/replay`, { at: asked?.at }),
    enabled: asked !== null,
  });
  function apply(event: FormEvent) {
    event.preventDefault();
    if (draft.sku.trim() !== '') setAsked({ sku: draft.sku.trim(), at: localInputToIso(draft.at) });
  }
  const answer = replay.data;
  return (
    <section aria-labelledby="audit-replay" className="mb-4">
      <h2 className="h5" id="audit-replay">
        Article replay
      </h2>
      <form className="row g-2 align-items-end" onSubmit={apply} aria-label="Article replay">
        <div className="col-sm-4">
          <Field label="SKU" name="replay-sku" required value={draft.sku} onChange={(event) => setDraft({ ...draft, sku: event.target.value })} />
        </div>
        <div className="col-sm-4">
          <Field label="As of" name="replay-at" type="datetime-local" step={1} help="Blank: now." value={draft.at} onChange={(event) => setDraft({ ...draft, at: event.target.value })} />
        </div>
        <div className="col-sm-4 mb-3 align-self-start pt-sm-4 mt-sm-2">
          <button type="submit" className="btn btn-primary">
            <i className="bi bi-clock-history me-1" aria-hidden="true" />
            Replay
          </button>
        </div>
      </form>
      {replay.isError && (
        <div className="alert alert-danger" role="alert">
          {replay.error.message}
        </div>
      )}
      {replay.isFetching && <p className="text-body-secondary">Replaying…</p>}
      {answer && !replay.isFetching && (
        <div className="card replay-result">
          <div className="card-body">
            <p className="mb-2">
              <strong>{answer.sku}</strong> as of {formatDateTime(answer.at, locale)}: <strong className="replay-on-hand">{quantity(answer.onHand)}</strong> on hand, from {answer.eventsFolded} events
              {answer.position ? ` (up to position ${answer.position})` : ''}.{' '}
              <Link href={`/stock?at=${encodeURIComponent(answer.at)}`}>Stock as of then</Link>
            </p>
            {answer.balances.length === 0 ? (
              <p className="text-body-secondary mb-0">No stock of this article at that time.</p>
            ) : (
              <table className="table table-sm mb-0">
                <thead>
                  <tr>
                    <th scope="col">Location</th>
                    <th scope="col">Lot</th>
                    <th scope="col" className="text-end">
                      On hand
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {answer.balances.map((line) => (
                    <tr key={`${line.location}|${line.lot ?? ''}`}>
                      <td>{line.location}</td>
                      <td>{line.lot ?? ''}</td>
                      <QuantityCell value={line.onHand} />
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {answer.reservations.length > 0 && (
              <p className="small mt-2 mb-0">
                Reserved: {answer.reservations.map((line) => `${line.reference} ${quantity(line.quantity)}${line.location ? ` at ${line.location}` : ''}`).join('; ')}
              </p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * "Audit" (auditor, admin): an article replayed as of a time from the event store, and the raw
 * events with their metadata (who, through which credential, correlation, idempotency key).
 * Stock as it stood at a time is the Stock screen with `?at=` (its time slider).
 */
export function AuditScreen() {
  return (
    <section>
      <div className="d-flex flex-wrap align-items-baseline gap-3 mb-2">
        <h1 className="h3 mb-0">Audit</h1>
        <Link href={`/stock?at=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`} className="link-primary">
          <i className="bi bi-sliders me-1" aria-hidden="true" />
          Stock through time
        </Link>
      </div>
      <ArticleReplay />
      <EventList />
    </section>
  );
}
