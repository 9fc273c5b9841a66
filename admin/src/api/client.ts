// The console's one way to the API: bearer tokens, one refresh at a time, problems as errors.
import { Problem, problemOf } from './problem';

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** Where the refresh token lives between page loads (the access token never leaves memory). */
export interface RefreshStore {
  get(): string | null;
  set(token: string | null): void;
}

export const sessionRefreshStore: RefreshStore = {
  get: () => sessionStorage.getItem('shop.refresh'),
  set: (t) => (t ? sessionStorage.setItem('shop.refresh', t) : sessionStorage.removeItem('shop.refresh')),
};

export function memoryRefreshStore(initial: string | null = null): RefreshStore {
  let token = initial;
  return { get: () => token, set: (t) => void (token = t) };
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `path?k=v&...`, leaving out the filters that are not set. */
function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

interface Tokens {
  access_token: string;
  refresh_token: string;
}

export class Api {
  private access: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly doFetch: typeof fetch;
  /** Called when the session is over (refresh refused): the console goes back to sign-in. */
  onSignedOut: () => void = () => {};

  constructor(
    readonly base: string,
    private readonly store: RefreshStore,
    doFetch?: typeof fetch,
  ) {
    this.doFetch = doFetch ?? ((input, init) => fetch(input, init));
  }

  get signedIn(): boolean {
    return this.access !== null || this.store.get() !== null;
  }


  async signIn(email: string, password: string): Promise<unknown> {
    const body = await this.send<Tokens & { user: unknown }>('POST', '/auth/login', { email, password }, false);
    this.keep(body);
    return body.user;
  }

  /** Ends the session at the API (the refresh token stops working), then here. */
  async signOut(): Promise<void> {
    const refresh = this.store.get();
    try {
      if (refresh) await this.request('POST', '/auth/logout', { refresh_token: refresh });
    } finally {
      this.forget();
    }
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  /** One page of a cursor-paginated list. */
  page<T>(path: string, query: Query, cursor?: string): Promise<Page<T>> {
    return this.get<Page<T>>(path, { ...query, cursor });
  }

  /**
   * Sends with the access token; on a 401, refreshes (one refresh in flight for every
   * caller) and retries once. A second 401 is the caller's.
   */
  async request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    if (this.access === null && this.store.get() !== null) await this.refresh(null);
    const sentWith = this.access;
    try {
      return await this.send<T>(method, path, body, true, headers);
    } catch (e) {
      if (!(e instanceof Problem) || e.status !== 401 || this.store.get() === null) throw e;
      // Another request may have refreshed while this one was out: then just retry.
      const fresh = this.access !== sentWith && this.access !== null ? true : await this.refresh(sentWith);
      if (!fresh) throw e;
      return this.send<T>(method, path, body, true, headers);
    }
  }

  private refresh(stale: string | null): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    if (stale !== null && this.access !== stale) return Promise.resolve(this.access !== null);
    this.refreshing = (async () => {
      const token = this.store.get();
      if (!token) return false;
      try {
        this.keep(await this.send<Tokens>('POST', '/auth/token/refresh', { refresh_token: token }, false));
        return true;
      } catch (e) {
        if (e instanceof Problem && (e.status === 401 || e.status === 400)) {
          this.forget();
          this.onSignedOut();
          return false;
        }
        throw e;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private keep(tokens: Tokens): void {
    this.access = tokens.access_token;
    this.store.set(tokens.refresh_token);
  }

  private forget(): void {
    this.access = null;
    this.store.set(null);
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    authed: boolean,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (authed && this.access) h.authorization = `Bearer ${this.access}`;
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Problem(0, { title: 'The API cannot be reached', detail: String(e), code: 'network' });
    }
    if (!res.ok) throw await problemOf(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** The options `useInfiniteQuery` needs to walk a list by its cursors. */
export function pages<T>(api: Api, path: string, query: Query = {}) {
  return {
    queryKey: [path, query] as const,
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => api.page<T>(path, query, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<T>) => last.next_cursor ?? undefined,
  };
}
