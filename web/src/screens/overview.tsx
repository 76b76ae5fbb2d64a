import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../app/api';
import { useSession } from '../app/session';
import { LoadState } from '../components/load-state';
import { browserLocales } from '../components/quantity';
import { expiring, ledgerPage, lowStock } from './reports-data';
import { ExpiringTable, LowStockTable } from './reports';

interface Projection {
  readonly status: string;
  readonly lagEvents: number;
  readonly lagMs: number;
}

/** Midnight today in the browser's time zone, as an ISO timestamp: "today" for a warehouse. */
function startOfToday(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** Today's movements of one kind: how many lines (the first 500 of the ledger, newest first). */
async function todaysLines(kind: string): Promise<{ count: number; more: boolean }> {
  const page = await ledgerPage({ from: startOfToday() }, undefined, 500);
  return { count: page.items.filter((row) => row.kind === kind).length, more: page.nextCursor !== null };
}

function Tile({ title, value, icon, href }: { readonly title: string; readonly value: string; readonly icon: string; readonly href: string }) {
  return (
    <div className="col-6 col-lg-3">
      <Link href={href} className="card h-100 text-decoration-none">
        <div className="card-body">
          <div className="text-body-secondary small">
            <i className={`bi bi-${icon} me-1`} aria-hidden="true" />
            {title}
          </div>
          <div className="fs-3 fw-semibold overview-figure">{value}</div>
        </div>
      </Link>
    </div>
  );
}

/**
 * How far the read model is behind the event store. GET /api/admin/projections is for admins
 * only, so only admins see it; other roles' reads already wait for their own writes
 * (X-Min-Position), and the shell shows "Catching up" whenever a read has to wait.
 */
function ReadModelLag() {
  const lag = useQuery({ queryKey: ['projections'], queryFn: () => api.get<Projection>('/api/admin/projections'), refetchInterval: 5_000 });
  const number = new Intl.NumberFormat(browserLocales);
  const text = lag.data ? (lag.data.lagEvents === 0 ? 'Up to date' : `${number.format(lag.data.lagEvents)} events, ${number.format(lag.data.lagMs / 1000)} s`) : lag.isError ? 'Unknown' : '…';
  return <Tile title="Read model behind" value={text} icon="hourglass-split" href="/admin" />;
}

/** Overview: low stock, lots expiring within 30 days, today's receipts and shipments, read-model lag (admins). */
export function OverviewScreen() {
  const { user } = useSession();
  const low = useQuery({ queryKey: ['reports', 'low-stock'], queryFn: lowStock });
  const soon = useQuery({ queryKey: ['reports', 'expiring', 30], queryFn: () => expiring(30) });
  const received = useQuery({ queryKey: ['today', 'received'], queryFn: () => todaysLines('received') });
  const shipped = useQuery({ queryKey: ['today', 'shipped'], queryFn: () => todaysLines('shipped') });
  const number = new Intl.NumberFormat(browserLocales);
  const count = (data: { count: number; more: boolean } | undefined): string => (data ? `${number.format(data.count)}${data.more ? '+' : ''}` : '…');
  return (
    <section>
      <h1 className="h3">Overview</h1>
      <div className="row g-2 mb-3">
        <Tile title="Low stock" value={low.data ? number.format(low.data.items.length) : '…'} icon="graph-down" href="/reports" />
        <Tile title="Expiring within 30 days" value={soon.data ? number.format(soon.data.items.length) : '…'} icon="calendar-x" href="/reports" />
        <Tile title="Receipt lines today" value={count(received.data)} icon="box-arrow-in-down" href="/movements" />
        <Tile title="Shipment lines today" value={count(shipped.data)} icon="truck" href="/movements" />
        {user?.role === 'admin' && <ReadModelLag />}
      </div>
      <div className="row g-3">
        <div className="col-xl-6">
          <h2 className="h5">Low stock</h2>
          <LoadState pending={low.isPending} error={low.error} empty={low.data?.items.length === 0} emptyText="No article is at or below its reorder point.">
            <LowStockTable lines={(low.data?.items ?? []).slice(0, 10)} />
          </LoadState>
        </div>
        <div className="col-xl-6">
          <h2 className="h5">Lots expiring within 30 days</h2>
          <LoadState pending={soon.isPending} error={soon.error} empty={soon.data?.items.length === 0} emptyText="No lot expires within 30 days.">
            <ExpiringTable lots={(soon.data?.items ?? []).slice(0, 10)} />
          </LoadState>
        </div>
      </div>
    </section>
  );
}
