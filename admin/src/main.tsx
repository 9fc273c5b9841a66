import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { Api, sessionRefreshStore } from './api/client';
import { Problem } from './api/problem';
import { App } from './App';
import { SessionProvider } from './session';
import './style.css';

/**
 * Where the API is: `config.json` beside the app on AWS (written by `make deploy`), the same
 * origin's `/api/v1` locally.
 */
async function apiBase(): Promise<string> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) {
      const config = (await res.json()) as { api_url?: string };
      if (config.api_url) return config.api_url.replace(/\/$/, '');
    }
  } catch {
    // No config: the API is on this origin.
  }
  return '/api/v1';
}

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal is an answer, not a hiccup: only network failures are retried.
      retry: (count, error) => count < 2 && error instanceof Problem && error.status === 0,
      refetchOnWindowFocus: false,
    },
  },
});

void apiBase().then((base) => {
  const api = new Api(base, sessionRefreshStore);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <SessionProvider api={api}>
          <BrowserRouter basename="/admin">
            <App />
          </BrowserRouter>
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
});
