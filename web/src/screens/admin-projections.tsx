import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemError } from '../api/client';
import { api } from '../app/api';
import { browserLocales } from '../components/quantity';
import { formatDateTime } from '../lib/format';

/** A read schema's figures (GET /api/admin/projections). */
interface SchemaStatus {
  readonly version: number;
  readonly schema: string;
  readonly status: 'live' | 'building';
  readonly position: string;
  readonly headPosition: string;
  readonly lagEvents: number;
  readonly lagMs: number;
  readonly progress: number | null;
}

/** A rebuild started through the API, as the serving process knows it. */
interface RebuildJob {
  readonly startedAt: string;
  readonly progress?: { readonly events: number; readonly total: number };
  readonly state: 'building' | 'done' | 'failed';
  readonly error?: string;
}

interface ProjectionsStatus extends SchemaStatus {
  readonly building: SchemaStatus | null;
  readonly rebuild: RebuildJob | null;
}

interface Verification {
  readonly ok: boolean;
  readonly differences: readonly unknown[];
}

/** How often the status is asked for while a rebuild runs. */
const pollMs = 500;
const statusKey = ['admin', 'projections'] as const;

/** Events per second and seconds left of a rebuild, from its start and progress; undefined until it has moved. */
export function rebuildPace(job: RebuildJob, now: number): { rate: number; etaSeconds: number } | undefined {
  const elapsedSeconds = (now - Date.parse(job.startedAt)) / 1000;
  if (!job.progress || job.progress.events <= 0 || elapsedSeconds <= 0) return undefined;
  const rate = job.progress.events / elapsedSeconds;
  return { rate, etaSeconds: Math.max(0, (job.progress.total - job.progress.events) / rate) };
}

function number(value: number, digits = 0): string {
  return new Intl.NumberFormat(browserLocales as string[] | undefined, { maximumFractionDigits: digits }).format(value);
}

/** The live progress bar of a rebuild: events done / total, rate, ETA; done or failed when it ends. */
function RebuildProgress({ job }: { readonly job: RebuildJob }) {
  const done = job.progress?.events ?? 0;
  const total = job.progress?.total ?? 0;
  const finished = job.state === 'done';
  const percent = finished ? 100 : total > 0 ? Math.floor((done / total) * 100) : 0;
  const pace = rebuildPace(job, Date.now());
  const label = finished ? 'Rebuild done' : job.state === 'failed' ? 'Rebuild failed' : 'Rebuilding';
  return (
    <div className="mb-3 rebuild-progress" data-state={job.state}>
      <div className="d-flex flex-wrap justify-content-between small mb-1">
        <span className="fw-semibold">{label}</span>
        <span>
          {number(done)} / {number(total)} events
          {pace && !finished && ` · ${number(pace.rate)} events/s · about ${number(Math.ceil(pace.etaSeconds))} s left`}
        </span>
      </div>
      <div className="progress" role="progressbar" aria-label="Rebuild progress" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} aria-valuetext={`${label}: ${percent}%`}>
        {/* React sets the width through the CSSOM, which the CSP allows (no style attribute in the HTML). */}
        <div style={{ width: `${percent}%` }} className={`progress-bar ${finished ? 'bg-success' : job.state === 'failed' ? 'bg-danger' : 'progress-bar-striped progress-bar-animated'}`} />
      </div>
      {job.error && <p className="text-danger small mb-0">{job.error}</p>}
      <p className="small text-body-secondary mb-0">Started {formatDateTime(job.startedAt, browserLocales)}. Reads are served from the live read model meanwhile.</p>
    </div>
  );
}

/** "Read models": the live read schema's lag, and "Rebuild" and "Verify" with their outcome. */
export function ProjectionsSection() {
  const queries = useQueryClient();
  const status = useQuery({
    queryKey: statusKey,
    queryFn: () => api.get<ProjectionsStatus>('/api/admin/projections'),
    // Polled while a rebuild runs, so that the bar moves; left alone otherwise.
    refetchInterval: (query) => (query.state.data?.rebuild?.state === 'building' || query.state.data?.building ? pollMs : false),
    staleTime: 0,
  });
  const [verification, setVerification] = useState<Verification | undefined>();
  const rebuild = useMutation({
    mutationFn: () => api.command('POST', '/api/admin/projections/rebuild'),
    onSettled: () => void queries.invalidateQueries({ queryKey: statusKey }),
  });
  const verify = useMutation({
    mutationFn: () => api.command<Verification>('POST', '/api/admin/projections/verify'),
    onMutate: () => setVerification(undefined),
    onSuccess: setVerification,
  });
  const refusal = (error: Error | null): string | undefined =>
    error instanceof ProblemError && error.code === 'already-running' ? `Already running: ${error.detail ?? 'one at a time per tenant.'}` : error?.message;
  const live = status.data;
  return (
    <section aria-labelledby="admin-projections" className="mb-4">
      <h2 className="h5" id="admin-projections">
        Read models
      </h2>
      {status.isError && (
        <div className="alert alert-danger" role="alert">
          {status.error.message}
        </div>
      )}
      {live ? (
        <dl className="row small mb-2 projection-status">
          <dt className="col-sm-3">Live version</dt>
          <dd className="col-sm-9">
            {live.version} <span className="text-body-secondary">({live.schema})</span>
          </dd>
          <dt className="col-sm-3">Position</dt>
          <dd className="col-sm-9">
            {live.position} of {live.headPosition}
          </dd>
          <dt className="col-sm-3">Behind</dt>
          <dd className="col-sm-9">{live.lagEvents === 0 ? 'up to date' : `${number(live.lagEvents)} events, ${number(live.lagMs / 1000, 1)} s`}</dd>
        </dl>
      ) : (
        status.isPending && <p className="text-body-secondary">Loading…</p>
      )}
      <div className="d-flex flex-wrap gap-2 mb-2">
        <button type="button" className="btn btn-primary" disabled={rebuild.isPending || live?.rebuild?.state === 'building'} onClick={() => rebuild.mutate()}>
          <i className="bi bi-arrow-repeat me-1" aria-hidden="true" />
          Rebuild
        </button>
        <button type="button" className="btn btn-outline-primary" disabled={verify.isPending} onClick={() => verify.mutate()}>
          <i className="bi bi-check2-circle me-1" aria-hidden="true" />
          {verify.isPending ? 'Verifying…' : 'Verify'}
        </button>
      </div>
      {(rebuild.error ?? verify.error) && (
        <div className="alert alert-warning" role="alert">
          {refusal(rebuild.error ?? verify.error)}
        </div>
      )}
      {verification && (
        <div className={`alert ${verification.ok ? 'alert-success' : 'alert-danger'}`} role="status">
          {verification.ok ? 'Verified: the read model matches the events.' : `The read model differs from the events in ${verification.differences.length} places; rebuild it.`}
        </div>
      )}
      {live?.rebuild && <RebuildProgress job={live.rebuild} />}
    </section>
  );
}
