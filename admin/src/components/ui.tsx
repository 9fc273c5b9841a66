// The few building blocks every page uses: labelled fields, problems, paged lists.
import { useId, type ReactNode } from 'react';
import type { FieldError as FormFieldError } from 'react-hook-form';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import type { Page } from '../api/client';
import { Problem } from '../api/problem';

/** A label, its control and the error beside it (the control gets the id and aria wiring). */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: FormFieldError | string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const message = typeof error === 'string' ? error : error?.message;
  const described = message ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(message), 'aria-describedby': described })}
      {hint && !message && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {message && (
        <small id={`${id}-error`} className="error" role="alert">
          {message}
        </small>
      )}
    </div>
  );
}

/** What the API said when it refused (or that it could not be reached). */
export function ProblemNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof Problem
      ? `${error.title}${error.detail ? `: ${error.detail}` : ''} (${error.status} ${error.code})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p className="problem" role="alert">
      {text}
    </p>
  );
}

export function FormMessage({ text }: { text: string | null }) {
  return text ? (
    <p className="problem" role="alert">
      {text}
    </p>
  ) : null;
}

/** Every item loaded so far of a cursor-paginated list. */
export function allItems<T>(q: UseInfiniteQueryResult<InfiniteData<Page<T>>>): T[] {
  return q.data?.pages.flatMap((p) => p.items) ?? [];
}

/** "Load more" while the list has a next cursor. */
export function More<T>({ query }: { query: UseInfiniteQueryResult<InfiniteData<Page<T>>> }) {
  if (query.isLoading) return <p aria-busy="true">Loading…</p>;
  if (query.error) return <ProblemNote error={query.error} />;
  if (!query.hasNextPage) return null;
  return (
    <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
    </button>
  );
}

export function Empty({ when, children }: { when: boolean; children: ReactNode }) {
  return when ? <p className="empty">{children}</p> : null;
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value}`}>{value.replace(/_/g, ' ')}</span>;
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-title">
      <h1>{children}</h1>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}
