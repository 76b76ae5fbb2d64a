import { useRef, useState } from 'react';
import { NetworkError, newIdempotencyKey, ProblemError } from '../api/client';
import { api, queryClient } from '../app/api';
import { createIdempotencyKeys } from '../lib/idempotency';
import { formErrors, parseProblem, type FormErrors } from '../lib/problem';
import { fromApiNumber } from '../lib/quantity';

/** A movement the service recorded. */
export interface Recorded {
  readonly movementId: string;
  readonly position?: string;
}

/** Where a submission stands; a refusal keeps its messages by field and line. */
export type SubmissionState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'sending' }
  | { readonly kind: 'recorded'; readonly result: Recorded }
  | { readonly kind: 'refused'; readonly title: string; readonly detail: string; readonly errors: FormErrors; readonly available?: { readonly line: number; readonly quantity: string } }
  | { readonly kind: 'offline'; readonly message: string };

/**
 * Submits a form's body to a movement path: one Idempotency-Key per submission, the same key on
 * a retry while the last attempt's fate is unknown (web/src/lib/idempotency.ts), and a second
 * press while one is on its way ignored, so that a double click records one movement. A refusal
 * is read into messages by field and line; the form's text is never touched here.
 */
export function useSubmission(path: string) {
  const keys = useRef(createIdempotencyKeys(newIdempotencyKey));
  const sending = useRef(false);
  const [state, setState] = useState<SubmissionState>({ kind: 'idle' });

  async function submit(body: unknown): Promise<Recorded | undefined> {
    if (sending.current) return undefined;
    sending.current = true;
    setState({ kind: 'sending' });
    const idempotencyKey = keys.current.keyFor(body);
    try {
      const result = await api.command<Recorded>('POST', path, body, { idempotencyKey });
      keys.current.settle({ kind: 'answer', status: 201 });
      // Stock read anywhere now waits for this movement (the client sends X-Min-Position).
      void queryClient.invalidateQueries({ queryKey: ['stock'] });
      setState({ kind: 'recorded', result });
      return result;
    } catch (error) {
      if (error instanceof ProblemError) {
        keys.current.settle({ kind: 'answer', status: error.status, code: error.code });
        const problem = parseProblem(error.status, error.body);
        const line = problem.extra['line'];
        const available = problem.extra['available'];
        setState({
          kind: 'refused',
          title: problem.title,
          detail: problem.detail ?? problem.title,
          errors: formErrors(problem),
          ...(problem.code === 'insufficient-stock' && typeof line === 'number' && typeof available === 'number' ? { available: { line, quantity: fromApiNumber(available) } } : {}),
        });
      } else {
        keys.current.settle({ kind: 'network-error' });
        setState({ kind: 'offline', message: error instanceof NetworkError ? `${error.message} Submitting again will not record it twice.` : String(error) });
      }
      return undefined;
    } finally {
      sending.current = false;
    }
  }

  return { state, submit, reset: () => setState({ kind: 'idle' }) };
}
