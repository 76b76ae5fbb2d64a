import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Route, Switch } from 'wouter';
import { api } from '../app/api';
import { useSession } from '../app/session';
import { LoadState } from '../components/load-state';
import { NewArticleForm } from '../components/new-record-forms';
import { QuantityCell } from '../components/quantity';
import { ArticleDetail } from './article-detail';
import { Field } from './field';
import type { Page } from './reports-data';

/** An article of the catalog (GET /api/articles). */
export interface Article {
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
  readonly tracking: string;
  readonly barcode: string | null;
  readonly reorderPoint: number | null;
  readonly reorderQuantity: number | null;
  readonly shelfLifeDays: number | null;
  readonly archived: boolean;
}

/** "Articles": search in SKU, name and barcode; cursor pages ("Load more"); each row opens its detail. */
function ArticleList() {
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const articles = useInfiniteQuery({
    queryKey: ['articles', search],
    queryFn: ({ pageParam }) => api.get<Page<Article>>('/api/articles', { search, limit: 100, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = articles.data?.pages.flatMap((page) => page.items) ?? [];
  const { user } = useSession();
  // Only managers and admins may add to the catalog (API.md); others see no form.
  const canCreate = user?.role === 'admin' || user?.role === 'manager';
  function apply(event: FormEvent) {
    event.preventDefault();
    setSearch(draft.trim());
  }
  return (
    <section>
      <h1 className="h3">Articles</h1>
      {canCreate && <NewArticleForm />}
      <form className="row g-2 align-items-end" role="search" aria-label="Article search" onSubmit={apply}>
        <div className="col-sm-8 col-lg-5">
          <Field label="Search articles" name="search" type="search" placeholder="SKU, name or barcode" value={draft} onChange={(event) => setDraft(event.target.value)} />
        </div>
        <div className="col-sm-4 mb-3">
          <button type="submit" className="btn btn-primary">
            <i className="bi bi-search me-1" aria-hidden="true" />
            Search
          </button>
        </div>
      </form>
      <LoadState pending={articles.isPending} error={articles.error} empty={items.length === 0} emptyText="No article matches.">
        <div className="table-responsive">
          <table className="table table-sm table-hover" aria-label="Articles">
            <thead className="table-light">
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Name</th>
                <th scope="col">Unit</th>
                <th scope="col">Tracking</th>
                <th scope="col">Barcode</th>
                <th scope="col" className="text-end">Reorder point</th>
              </tr>
            </thead>
            <tbody>
              {items.map((article) => (
                <tr key={article.sku} className="article-row">
                  <td className="text-nowrap">
                    <Link href={`/${encodeURIComponent(article.sku)}`}>{article.sku}</Link>
                    {article.archived && <span className="badge text-bg-secondary ms-1">Archived</span>}
                  </td>
                  <td>{article.name}</td>
                  <td>{article.unit}</td>
                  <td>{article.tracking}</td>
                  <td className="font-monospace">{article.barcode ?? ''}</td>
                  {article.reorderPoint === null ? <td className="text-end">—</td> : <QuantityCell value={article.reorderPoint} />}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {articles.hasNextPage && (
          <button type="button" className="btn btn-outline-secondary" disabled={articles.isFetchingNextPage} onClick={() => void articles.fetchNextPage()}>
            {articles.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </LoadState>
    </section>
  );
}

/** The /articles routes (nested): the list, and an article's detail at /articles/:sku. */
export function ArticlesScreen() {
  return (
    <Switch>
      <Route path="/">
        <ArticleList />
      </Route>
      <Route path="/:sku">{(params) => <ArticleDetail sku={decodeURIComponent(params.sku)} />}</Route>
    </Switch>
  );
}
