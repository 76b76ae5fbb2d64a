import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { newIdempotencyKey } from '../api/client';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { useSession } from '../app/session';
import { LoadState } from '../components/load-state';
import { NewLocationForm } from '../components/new-record-forms';
import { QuantityCell, browserLocales } from '../components/quantity';
import { formatDate } from '../lib/format';
import { Field } from './field';
import { visibleCodes, type Location } from './location-search';
import type { Page } from './reports-data';


interface LocationWithStock extends Location {
  readonly stock: ReadonlyArray<{ readonly sku: string; readonly lot: string | null; readonly expiresOn: string | null; readonly onHand: number; readonly reserved: number; readonly available: number }>;
}

/** Who may block and unblock a location. */
const blockers: readonly Role[] = ['admin', 'manager'];

/** Every location (all pages of the flat list). */
async function allLocations(): Promise<Location[]> {
  const all: Location[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Location>>('/api/locations', { limit: 500, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

function Tree({ parent, children, shown, selected, onSelect }: { readonly parent: string | null; readonly children: ReadonlyMap<string | null, readonly Location[]>; readonly shown: Set<string> | undefined; readonly selected: string | undefined; readonly onSelect: (code: string) => void }) {
  const nodes = (children.get(parent) ?? []).filter((node) => !shown || shown.has(node.code));
  if (nodes.length === 0) return null;
  return (
    <ul className={parent === null ? 'list-unstyled mb-0' : 'list-unstyled ms-3 mb-0'} role={parent === null ? 'tree' : 'group'} aria-label={parent === null ? 'Location tree' : undefined}>
      {nodes.map((node) => (
        <li key={node.code} role="treeitem" aria-selected={node.code === selected} aria-expanded={children.has(node.code) ? true : undefined}>
          <button type="button" className={`btn btn-sm text-start location-node ${node.code === selected ? 'btn-primary' : 'btn-link link-body-emphasis text-decoration-none'}`} onClick={() => onSelect(node.code)}>
            <i className={`bi bi-${node.type === 'warehouse' ? 'building' : 'box'} me-1`} aria-hidden="true" />
            <span className="font-monospace">{node.code}</span>
            {node.name && <span className="text-body-secondary ms-1 small">{node.name}</span>}
            {node.blocked && <span className="badge text-bg-danger ms-1">Blocked</span>}
          </button>
          <Tree parent={node.code} children={children} shown={shown} selected={selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

function Contents({ code, canBlock }: { readonly code: string; readonly canBlock: boolean }) {
  const queries = useQueryClient();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const location = useQuery({ queryKey: ['location', code], queryFn: () => api.get<LocationWithStock>(`/api/locations/${encodeURIComponent(code)}`) });
  async function toggle(block: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      await api.command('POST', `/api/locations/${encodeURIComponent(code)}/${block ? 'block' : 'unblock'}`, undefined, { idempotencyKey: newIdempotencyKey() });
      await queries.invalidateQueries({ queryKey: ['locations'] });
      await queries.invalidateQueries({ queryKey: ['location', code] });
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  }
  const data = location.data;
  return (
    <LoadState pending={location.isPending} error={location.error} empty={false} emptyText="">
      {data && (
        <div>
          <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
            <h2 className="h5 mb-0 font-monospace">{data.code}</h2>
            <span className="badge text-bg-secondary">{data.type}</span>
            {data.blocked && <span className="badge text-bg-danger">Blocked</span>}
            {canBlock && (
              <button type="button" className={`btn btn-sm ms-auto ${data.blocked ? 'btn-outline-success' : 'btn-outline-danger'}`} disabled={busy} onClick={() => void toggle(!data.blocked)}>
                <i className={`bi bi-${data.blocked ? 'unlock' : 'lock'} me-1`} aria-hidden="true" />
                {data.blocked ? 'Unblock' : 'Block'}
              </button>
            )}
          </div>
          {data.name && <p className="text-body-secondary">{data.name}</p>}
          {error && (
            <div className="alert alert-danger" role="alert">
              {error}
            </div>
          )}
          {data.stock.length === 0 ? (
            <p className="text-body-secondary">Nothing is stored here.</p>
          ) : (
            <div className="table-responsive">
              <table className="table table-sm table-hover text-nowrap" aria-label={`Contents of ${data.code}`}>
                <thead className="table-light">
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Lot</th>
                    <th scope="col">Expiry</th>
                    <th scope="col" className="text-end">On hand</th>
                    <th scope="col" className="text-end">Reserved</th>
                    <th scope="col" className="text-end">Available</th>
                  </tr>
                </thead>
                <tbody>
                  {data.stock.map((line) => (
                    <tr key={`${line.sku}\u0000${line.lot ?? ''}`} className="location-line">
                      <td>
                        <Link href={`/articles/${encodeURIComponent(line.sku)}`}>{line.sku}</Link>
                      </td>
                      <td>{line.lot ?? ''}</td>
                      <td>{line.expiresOn ? formatDate(line.expiresOn, browserLocales) : ''}</td>
                      <QuantityCell value={line.onHand} />
                      <QuantityCell value={line.reserved} />
                      <QuantityCell value={line.available} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </LoadState>
  );
}

/** "Locations": the tree with a search at every depth, a location's contents, block/unblock (managers, admins). */
export function LocationsScreen() {
  const { user } = useSession();
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const locations = useQuery({ queryKey: ['locations'], queryFn: allLocations });
  const list = locations.data ?? [];
  const children = new Map<string | null, Location[]>();
  for (const location of list) children.set(location.parent, [...(children.get(location.parent) ?? []), location]);
  const shown = visibleCodes(list, search);
  const canBlock = user !== null && user !== undefined && blockers.includes(user.role);
  return (
    <section>
      <h1 className="h3">Locations</h1>
      <div className="row g-3">
        <div className="col-md-5 col-xl-4">
          <div role="search">
            <Field label="Search locations" name="search" type="search" value={search} placeholder="Code or name" onChange={(event) => setSearch(event.target.value)} />
          </div>
          {canBlock && <NewLocationForm />}
          <div className="location-tree border rounded p-2">
            <LoadState pending={locations.isPending} error={locations.error} empty={list.length === 0 || shown?.size === 0} emptyText={search ? 'No location matches.' : 'No locations yet.'}>
              <Tree parent={null} children={children} shown={shown} selected={selected} onSelect={setSelected} />
            </LoadState>
          </div>
        </div>
        <div className="col-md-7 col-xl-8">{selected ? <Contents key={selected} code={selected} canBlock={canBlock} /> : <p className="text-body-secondary">Choose a location to see what it holds.</p>}</div>
      </div>
    </section>
  );
}
