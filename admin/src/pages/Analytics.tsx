import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ProductsReport, Ranked, SalesReport } from '../api/types';
import { date, localDayEnd, localDayStart, money } from '../format';
import SalesChart from '../components/SalesChart';
import { PageTitle, ProblemNote } from '../components/ui';
import { useApi, useMe } from '../session';

function day(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export default function Analytics() {
  const api = useApi();
  const me = useMe();
  const now = new Date();
  const [from, setFrom] = useState(day(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29)));
  const [to, setTo] = useState(day(now));
  const [interval, setInterval] = useState<'day' | 'week' | 'month'>('day');
  const sales = useQuery({
    queryKey: ['sales', from, to, interval],
    queryFn: () => api.get<SalesReport>('/admin/analytics/sales', { from: localDayStart(from), to: localDayEnd(to), interval }),
  });
  const products = useQuery({ queryKey: ['analytics-products'], queryFn: () => api.get<ProductsReport>('/admin/analytics/products', { limit: 10 }) });
  const m = (n: number | null | undefined) => money(n, sales.data?.currency ?? me.currency);
  return (
    <>
      <PageTitle>Analytics</PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Per
          <select value={interval} onChange={(e) => setInterval(e.target.value as 'day')}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
          </select>
        </label>
      </form>
      <ProblemNote error={sales.error} />
      {sales.data && <SalesChart report={sales.data} />}
      {sales.data && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Orders</th>
                <th scope="col">Revenue</th>
                <th scope="col">Average</th>
                <th scope="col">Discounts</th>
                <th scope="col">Refunds</th>
                <th scope="col">Net</th>
              </tr>
            </thead>
            <tbody>
              {sales.data.buckets
                .filter((b) => b.orders > 0 || b.refunds > 0)
                .map((b) => (
                  <tr key={b.start}>
                    <td>{date(b.start)}</td>
                    <td>{b.orders}</td>
                    <td>{m(b.revenue)}</td>
                    <td>{m(b.average_order_value)}</td>
                    <td>{m(b.discounts)}</td>
                    <td>{m(b.refunds)}</td>
                    <td>{m(b.net)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
      <ProblemNote error={products.error} />
      {products.data && (
        <div className="columns">
          <Ranking title="Best sellers by units" rows={products.data.best_sellers_by_units} show={(r) => `${r.count} units`} />
          <Ranking title="Best sellers by revenue" rows={products.data.best_sellers_by_revenue} show={(r) => m(r.revenue)} />
          <Ranking title="Most wished" rows={products.data.most_wished} show={(r) => `${r.count} wishes`} />
          <Ranking title="Most abandoned in carts" rows={products.data.most_abandoned} show={(r) => `${r.count} carts`} />
        </div>
      )}
    </>
  );
}

function Ranking({ title, rows, show }: { title: string; rows: Ranked[]; show: (r: Ranked) => string }) {
  return (
    <section>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="empty">Nothing yet.</p>
      ) : (
        <ol>
          {rows.map((r) => (
            <li key={r.product_id}>
              {r.name ?? r.product_id}: {show(r)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
