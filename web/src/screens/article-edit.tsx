import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemError, newIdempotencyKey } from '../api/client';
import { api } from '../app/api';
import type { Article } from './articles';
import { Field } from './field';

/** An article as GET /api/articles/:sku answers it, with the ETag (its revision) of that answer. */
export interface TaggedArticle {
  readonly body: Article;
  readonly etag: string | undefined;
}

interface Draft {
  readonly name: string;
  readonly barcode: string;
  readonly reorderPoint: string;
  readonly reorderQuantity: string;
  readonly shelfLifeDays: string;
}

const numberFields = ['reorderPoint', 'reorderQuantity', 'shelfLifeDays'] as const;

/** The form's text of an article's fields. */
function draftOf(article: Article): Draft {
  const text = (value: number | null): string => (value === null ? '' : String(value));
  return { name: article.name, barcode: article.barcode ?? '', reorderPoint: text(article.reorderPoint), reorderQuantity: text(article.reorderQuantity), shelfLifeDays: text(article.shelfLifeDays) };
}

/** The fields of the draft that differ from the article as it was opened: the PATCH body. */
function changesOf(draft: Draft, article: Article): Record<string, string | number | null> {
  const changes: Record<string, string | number | null> = {};
  if (draft.name.trim() !== article.name) changes.name = draft.name.trim();
  if (draft.barcode.trim() !== (article.barcode ?? '')) changes.barcode = draft.barcode.trim() || null;
  for (const name of numberFields) {
    const text = draft[name].trim();
    if (text !== (article[name] === null ? '' : String(article[name]))) changes[name] = text === '' ? null : Number(text);
  }
  return changes;
}

/** What went wrong, said plainly; a 412 is someone else's change, handled by the form itself. */
export function editError(error: unknown): string {
  if (error instanceof ProblemError && error.status === 409) return `Someone changed this article meanwhile (${error.message}). Reload it, then make your change again.`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The edit form: PATCH with the fields that changed and If-Match with the ETag of the article as
 * the form opened (not of a later live refresh: that would hide the other change the form never
 * showed). A 412 says someone else changed it; "Reload" takes their version and keeps what was
 * typed in the fields this user changed, so nothing typed is lost and nothing of theirs is undone
 * unseen.
 */
export function EditArticle({ opened, onDone }: { readonly opened: TaggedArticle; readonly onDone: () => void }) {
  const queries = useQueryClient();
  const [base, setBase] = useState(opened);
  const [draft, setDraft] = useState<Draft>(() => draftOf(opened.body));
  const [error, setError] = useState<ProblemError | string | undefined>();
  const [stale, setStale] = useState(false);
  const [reloaded, setReloaded] = useState<readonly string[]>();
  const [busy, setBusy] = useState(false);
  const article = base.body;
  const set = (name: keyof Draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value });
  const at = (path: string): string | undefined => (error instanceof ProblemError ? error.at(path) : undefined);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const headers = base.etag ? { 'If-Match': base.etag } : undefined;
      await api.command('PATCH', `/api/articles/${encodeURIComponent(article.sku)}`, changesOf(draft, article), { idempotencyKey: newIdempotencyKey(), ...(headers ? { headers } : {}) });
      await queries.invalidateQueries({ queryKey: ['article', article.sku] });
      onDone();
    } catch (caught) {
      if (caught instanceof ProblemError && caught.status === 412) {
        setStale(true);
        setError(undefined);
      } else setError(caught instanceof ProblemError && caught.status === 422 ? caught : editError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function reload() {
    setBusy(true);
    try {
      const fresh = await api.getTagged<Article>(`/api/articles/${encodeURIComponent(article.sku)}`);
      const mine = changesOf(draft, article);
      const kept = Object.keys(mine) as (keyof Draft)[];
      setDraft({ ...draftOf(fresh.body), ...Object.fromEntries(kept.map((name) => [name, draft[name]])) });
      setBase(fresh);
      setStale(false);
      setReloaded(kept);
      await queries.invalidateQueries({ queryKey: ['article', article.sku] });
    } catch (caught) {
      setError(editError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card card-body mb-3" onSubmit={(event) => void save(event)} aria-label="Edit article">
      <h2 className="h5">Edit {article.sku}</h2>
      {stale && (
        <div className="alert alert-warning d-flex flex-wrap align-items-center gap-2" role="alert">
          <span>
            <i className="bi bi-people me-2" aria-hidden="true" />
            This article was changed by someone else since you opened it. Reload it to see their change; what you typed is kept.
          </span>
          <button type="button" className="btn btn-sm btn-warning ms-auto" onClick={() => void reload()} disabled={busy}>
            <i className="bi bi-arrow-clockwise me-1" aria-hidden="true" />
            Reload
          </button>
        </div>
      )}
      {reloaded && !stale && (
        <div className="alert alert-info" role="status">
          Reloaded with the other change. {reloaded.length > 0 ? 'Your changes are kept in their fields: check them and save again.' : 'You had changed nothing.'}
        </div>
      )}
      {typeof error === 'string' && (
        <div className="alert alert-danger" role="alert">
          {error}
        </div>
      )}
      <div className="row g-2">
        <div className="col-md-6">
          <Field label="Name" name="name" value={draft.name} required onChange={set('name')} error={at('name')} />
        </div>
        <div className="col-md-6">
          <Field label="Barcode" name="barcode" value={draft.barcode} onChange={set('barcode')} error={at('barcode')} />
        </div>
        <div className="col-md-4">
          <Field label="Reorder point" name="reorderPoint" inputMode="decimal" value={draft.reorderPoint} onChange={set('reorderPoint')} error={at('reorderPoint')} />
        </div>
        <div className="col-md-4">
          <Field label="Reorder quantity" name="reorderQuantity" inputMode="decimal" value={draft.reorderQuantity} onChange={set('reorderQuantity')} error={at('reorderQuantity')} />
        </div>
        <div className="col-md-4">
          <Field label="Shelf life (days)" name="shelfLifeDays" inputMode="numeric" value={draft.shelfLifeDays} onChange={set('shelfLifeDays')} error={at('shelfLifeDays')} />
        </div>
      </div>
      <div className="d-flex gap-2">
        <button type="submit" className="btn btn-primary" disabled={busy || stale}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn-outline-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
