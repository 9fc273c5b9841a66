import { useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { pages } from '../api/client';
import type { Return } from '../api/types';
import { dateTime, money, moneyInput, parseMoney } from '../format';
import { allItems, Empty, More, PageTitle, ProblemNote, Status } from '../components/ui';
import { useApi } from '../session';

export function Returns() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'requested';
  const query = useInfiniteQuery(pages<Return>(api, '/admin/returns', { status: status === 'any' ? '' : status }));
  const items = allItems(query);
  return (
    <>
      <PageTitle>Returns</PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setParams({ status: e.target.value }, { replace: true })}>
            {['requested', 'received', 'refunded', 'rejected', 'any'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      {items.map((r) => (
        <ReturnCard key={r.id} ret={r} />
      ))}
      <Empty when={!query.isLoading && !query.error && items.length === 0}>No returns here.</Empty>
      <More query={query} />
    </>
  );
}

function ReturnCard({ ret }: { ret: Return }) {
  const api = useApi();
  const queries = useQueryClient();
  const [restock, setRestock] = useState(true);
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const m = (n: number) => money(n, ret.currency);

  const act = async (path: string, body: object) => {
    setBusy(true);
    setError(null);
    try {
      await api.request('POST', `/admin/returns/${ret.id}/${path}`, body);
      await queries.invalidateQueries({ queryKey: ['/admin/returns'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const receive = () => {
    const refund = amount.trim() ? parseMoney(amount, ret.currency) : undefined;
    if (refund === null) return setError(new Error('Enter an amount such as 12.50, or leave it empty'));
    void act('receive', { restock, refund_amount: refund });
  };

  return (
    <article className="card" aria-label={`Return of order ${ret.order_number}`}>
      <h2>
        <Link to={`/orders/${ret.order_id}`}>{ret.order_number}</Link> <Status value={ret.status} /> {m(ret.amount)}
      </h2>
      <p>
        {dateTime(ret.created_at)} · {ret.reason}
        {ret.comment ? ` · “${ret.comment}”` : ''}
      </p>
      <ul className="compact">
        {ret.lines.map((l) => (
          <li key={l.sku}>
            {l.quantity} × {l.name} ({l.sku}) {m(l.amount)}
          </li>
        ))}
      </ul>
      {ret.refund?.error && <p className="problem">The refund failed: {ret.refund.error}. Receiving again retries it.</p>}
      {ret.note && <p>Note: {ret.note}</p>}
      {(ret.status === 'requested' || ret.status === 'received') && (
        <div className="inline">
          {ret.status === 'requested' && (
            <label className="check">
              <input type="checkbox" checked={restock} onChange={(e) => setRestock(e.target.checked)} /> Restock
            </label>
          )}
          <label>
            Refund amount
            <input value={amount} onChange={(e) => setAmount(e.target.value)} placeholder={moneyInput(ret.amount, ret.currency)} inputMode="decimal" />
          </label>
          <button type="button" onClick={receive} disabled={busy}>
            {ret.status === 'received' ? 'Retry the refund' : 'Receive'}
          </button>
        </div>
      )}
      {ret.status === 'requested' && (
        <div className="inline">
          <label>
            Rejection note
            <input value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="button" className="danger" onClick={() => void act('reject', { note })} disabled={busy || !note.trim()}>
            Reject
          </button>
        </div>
      )}
      <ProblemNote error={error} />
    </article>
  );
}
