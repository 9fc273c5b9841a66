import { describe, expect, it, vi } from 'vitest';
import { Api, memoryRefreshStore, pages } from '../src/api/client';
import { Problem, formPath, mapProblem, problemOf } from '../src/api/problem';

type Call = { method: string; url: string; auth: string | null; body: unknown };

/** A fake API: `answer` decides each response; every call is recorded. */
function fakeApi(answer: (c: Call, n: number) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetcher = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      auth: headers.authorization ?? null,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    return answer(call, calls.length);
  });
  return { calls, fetcher: fetcher as unknown as typeof fetch };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const expired = () =>
  json(401, { title: 'Unauthorized', status: 401, code: 'invalid_token' }, 'application/problem+json');

describe('Api', () => {
  it('refreshes once for many requests refused at the same time, then retries each once', async () => {
    let refreshes = 0;
    const { calls, fetcher } = fakeApi(async (c) => {
      if (c.url.endsWith('/auth/token/refresh')) {
        refreshes += 1;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: `A${refreshes + 1}`, refresh_token: `R${refreshes + 1}` });
      }
      return c.auth === 'Bearer A2' ? json(200, { ok: c.url }) : expired();
    });
    const store = memoryRefreshStore();
    const api = new Api('http://api/v1', store, fetcher);
    // Signed in with A1/R1, which the server now refuses.
    (api as unknown as { keep(t: object): void }).keep({ access_token: 'A1', refresh_token: 'R1' });

    const results = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);

    expect(results).toEqual([{ ok: 'http://api/v1/a' }, { ok: 'http://api/v1/b' }, { ok: 'http://api/v1/c' }]);
    expect(refreshes).toBe(1);
    expect(calls.filter((c) => c.url.endsWith('/refresh'))[0].body).toEqual({ refresh_token: 'R1' });
    expect(store.get()).toBe('R2');
    expect(calls.filter((c) => c.url.endsWith('/a')).map((c) => c.auth)).toEqual(['Bearer A1', 'Bearer A2']);
  });

  it('retries only once: a second 401 is the caller’s', async () => {
    let refreshes = 0;
    const { calls, fetcher } = fakeApi((c) => {
      if (c.url.endsWith('/refresh')) {
        refreshes += 1;
        return json(200, { access_token: 'A2', refresh_token: 'R2' });
      }
      return expired();
    });
    const api = new Api('http://api/v1', memoryRefreshStore(), fetcher);
    (api as unknown as { keep(t: object): void }).keep({ access_token: 'A1', refresh_token: 'R1' });

    const err = await api.get('/me').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).status).toBe(401);
    expect(refreshes).toBe(1);
    // The request, then one retry with the refreshed token: no loop.
    expect(calls.filter((c) => c.url.endsWith('/me')).map((c) => c.auth)).toEqual(['Bearer A1', 'Bearer A2']);
  });

  it('ends the session when the refresh is refused', async () => {
    const { fetcher } = fakeApi((c) =>
      c.url.endsWith('/refresh')
        ? json(401, { title: 'Reused', status: 401, code: 'token_reused' }, 'application/problem+json')
        : expired(),
    );
    const store = memoryRefreshStore();
    const api = new Api('http://api/v1', store, fetcher);
    (api as unknown as { keep(t: object): void }).keep({ access_token: 'A1', refresh_token: 'R1' });
    const signedOut = vi.fn();
    api.onSignedOut = signedOut;

    await expect(api.get('/me')).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    expect(signedOut).toHaveBeenCalledOnce();
    expect(store.get()).toBeNull();
    expect(api.signedIn).toBe(false);
  });

  it('signs out at the API with the refresh token, and forgets both tokens', async () => {
    const { calls, fetcher } = fakeApi((c) =>
      c.url.endsWith('/login')
        ? json(200, { user: { id: 'u1' }, access_token: 'A1', refresh_token: 'R1' })
        : new Response(null, { status: 204 }),
    );
    const store = memoryRefreshStore();
    const api = new Api('http://api/v1', store, fetcher);
    expect(await api.signIn('a@b.c', 'pw')).toEqual({ id: 'u1' });
    expect(store.get()).toBe('R1');

    await api.signOut();

    const logout = calls.find((c) => c.url.endsWith('/auth/logout'));
    expect(logout).toMatchObject({ method: 'POST', auth: 'Bearer A1', body: { refresh_token: 'R1' } });
    expect(store.get()).toBeNull();
    expect(api.signedIn).toBe(false);
  });

  it('walks a list by its cursors and leaves empty filters out of the query', async () => {
    const { calls, fetcher } = fakeApi((c) =>
      c.url.includes('cursor=c2')
        ? json(200, { items: [3], next_cursor: null })
        : json(200, { items: [1, 2], next_cursor: 'c2' }),
    );
    const api = new Api('/api/v1', memoryRefreshStore(), fetcher);
    const opts = pages<number>(api, '/admin/orders', { status: 'paid', email: '', limit: 2 });

    const first = await opts.queryFn({ pageParam: opts.initialPageParam });
    expect(opts.getNextPageParam(first)).toBe('c2');
    const second = await opts.queryFn({ pageParam: 'c2' });
    expect(opts.getNextPageParam(second)).toBeUndefined();

    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/admin/orders?status=paid&limit=2',
      '/api/v1/admin/orders?status=paid&limit=2&cursor=c2',
    ]);
    expect(opts.queryKey).toEqual(['/admin/orders', { status: 'paid', email: '', limit: 2 }]);
  });
});

describe('problems', () => {
  it('reads a problem document with its field errors and extra members', async () => {
    const res = json(
      422,
      {
        title: 'Validation failed',
        status: 422,
        code: 'validation_failed',
        detail: 'the request has invalid fields',
        errors: [{ field: 'variants[0].price', message: 'must be at least 1' }, { nonsense: true }],
        returnable: 2,
      },
      'application/problem+json',
    );
    const p = await problemOf(res);
    expect(p).toMatchObject({ status: 422, code: 'validation_failed', detail: 'the request has invalid fields' });
    expect(p.errors).toEqual([{ field: 'variants[0].price', message: 'must be at least 1' }]);
    expect(p.body.returnable).toBe(2);
  });

  it('makes a problem of a body that is not JSON', async () => {
    const p = await problemOf(new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }));
    expect(p).toMatchObject({ status: 502, code: 'http_502', title: 'Bad Gateway', errors: [] });
  });

  it('puts field errors beside the fields they name and returns the rest', () => {
    expect(formPath('variants[1].price')).toBe('variants.1.price');
    expect(formPath('seller.vat_number')).toBe('seller.vat_number');
    const set = vi.fn();
    const p = new Problem(422, {
      title: 'Validation failed',
      code: 'validation_failed',
      errors: [
        { field: 'variants[1].price', message: 'too low' },
        { field: 'seller.vat_number', message: 'bad VAT' },
        { field: 'weird', message: 'not in the form' },
      ],
    });
    const rest = mapProblem(p, set, ['variants', 'seller.vat_number', 'name']);
    expect(set.mock.calls).toEqual([
      ['variants.1.price', { type: 'server', message: 'too low' }],
      ['seller.vat_number', { type: 'server', message: 'bad VAT' }],
    ]);
    expect(rest).toBe('Validation failed · weird: not in the form');
    // Every error placed: nothing left to show above the form.
    expect(mapProblem(new Problem(422, { errors: [{ field: 'name', message: 'x' }] }), set, ['name'])).toBeNull();
    // A problem without field errors is shown whole.
    expect(mapProblem(new Problem(409, { title: 'Conflict', detail: 'slug taken' }), set, ['name'])).toBe('slug taken');
  });
});
