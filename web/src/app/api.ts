import { QueryClient } from '@tanstack/react-query';
import { browserApiClient, ProblemError } from '../api/client';

/** The page's one API client (web/src/api/client.ts). */
export const api = browserApiClient(import.meta.env.VITE_BASE_DOMAIN as string | undefined);

/**
 * Server state. A refusal (4xx) is not retried: asking again gets the same answer; the client
 * itself already waits out a catching-up read model.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) => !(error instanceof ProblemError && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
  },
});
