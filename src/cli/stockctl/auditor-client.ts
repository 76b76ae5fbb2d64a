import { NotFound, Unreachable, UsageError } from './failures.js';

/** Where the auditor mode reaches the service: its base URL, the bearer token and the tenant. */
export interface AuditorTarget {
  readonly url: string;
  readonly token: string;
  readonly tenant: string;
}

/** A problem+json answer's fields that stockctl shows. */
interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
}

/**
 * The REST API as the auditor mode reads it: GET only, with the token and X-Tenant on every
 * request. 401 and 403 are Unreachable (exit 3), 404 NotFound (exit 4), a refused connection
 * Unreachable; the problem's detail is passed on.
 */
export class AuditorClient {
  constructor(private readonly target: AuditorTarget) {}

  get tenant(): string {
    return this.target.tenant;
  }

  /** GETs `path` (with its query) and answers the parsed JSON body. */
  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const url = new URL(path, this.target.url);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${this.target.token}`, 'x-tenant': this.target.tenant, accept: 'application/json' } });
    } catch (error) {
      throw new Unreachable(`cannot reach ${this.target.url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, { cause: error });
    }
    if (response.ok) return (await response.json()) as T;
    const problem = (await response.json().catch(() => ({}))) as Problem;
    const why = `${response.status} ${problem.title ?? response.statusText}${problem.detail ? `: ${problem.detail}` : ''}`;
    if (response.status === 401 || response.status === 403) throw new Unreachable(`the service refused ${url.pathname} (${why})`);
    if (response.status === 404) throw new NotFound(`${url.pathname}: ${why}`);
    if (response.status === 422 || response.status === 400) throw new UsageError(`the service refused the request: ${why}`);
    throw new Unreachable(`${url.pathname}: ${why}`);
  }
}
