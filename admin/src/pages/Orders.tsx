import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { pages } from '../api/client';
import { useFilters } from '../components/filters';
import type { Order } from '../api/types';
import { dateTime, localDayEnd, localDayStart, money } from '../format';
import { allItems, Empty, More, PageTitle, Status } from '../components/ui';
import { useApi } from '../session';

const STATUSES = ['pending', 'paid', 'processing', 'shipped', 'delivered', 'cancelled', 'partially_refunded', 'refunded'];

export function Orders() {
  const api = useApi();
  const [params, set] = useFilters();
  const form = {
    status: params.get('status') ?? '',
    email: params.get('email') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const query = useInfiniteQuery(
    pages<Order>(api, '/admin/orders', {
      status: form.status,
      // The API wants a whole, valid address: filter only once one is typed.
      email: form.email.includes('@') ? form.email.trim() : '',
      from: localDayStart(form.from),
      to: localDayEnd(form.to),
    }),
  );
  const items = allItems(query);
  return (
    <>
      <PageTitle>Orders</PageTitle>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={form.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Email
          <input type="email" defaultValue={form.email} onChange={(e) => set('email', e.target.value)} />
        </label>
        <label>
          From
          <input type="date" value={form.from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={form.to} onChange={(e) => set('to', e.target.value)} />
        </label>
      </form>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link to={`/orders/${o.id}`}>{o.number}</Link>
                </td>
                <td>{dateTime(o.created_at)}</td>
                <td>{o.email}</td>
                <td>
                  <Status value={o.status} />
                </td>
                <td>{money(o.total, o.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Empty when={!query.isLoading && !query.error && items.length === 0}>No orders match.</Empty>
      <More query={query} />
    </>
  );
}
