import { lazy, Suspense } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Page } from '../api/client';
import type { AbandonedCart, Order, SalesReport, StaffProduct } from '../api/types';
import { money } from '../format';
import { PageTitle, ProblemNote } from '../components/ui';
import { can, useApi, useMe } from '../session';

const SalesChart = lazy(() => import('../components/SalesChart'));

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "100+" when a full page came back: counts here are of one page of at most 100. */
function count(page: Page<unknown> | undefined): string {
  if (!page) return '…';
  return page.next_cursor ? `${page.items.length}+` : String(page.items.length);
}

export function Dashboard() {
  const me = useMe();
  const admin = can(me.role, 'shop');
  return (
    <>
      <PageTitle>Dashboard</PageTitle>
      <div className="cards">
        {admin && <Sales />}
        {admin && <ToShip />}
        <LowStock />
        {admin && <Abandoned />}
      </div>
      {admin && <Trend />}
    </>
  );
}

function Sales() {
  const api = useApi();
  const now = new Date();
  const dayStart = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1);
  const today = useQuery({
    queryKey: ['sales', 'today', iso(dayStart)],
    staleTime: 0,
    queryFn: () => api.get<SalesReport>('/admin/analytics/sales', { from: iso(dayStart), to: iso(now), interval: 'day' }),
  });
  const month = useQuery({
    queryKey: ['sales', 'month', iso(monthStart)],
    staleTime: 0,
    queryFn: () => api.get<SalesReport>('/admin/analytics/sales', { from: iso(monthStart), to: iso(now), interval: 'month' }),
  });
  return (
    <>
      <section className="card" aria-labelledby="today-h">
        <h2 id="today-h">Today</h2>
        <ProblemNote error={today.error} />
        {today.data && (
          <p>
            <strong>{money(today.data.totals.revenue, today.data.currency)}</strong> from {plural(today.data.totals.orders, 'order')}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="month-h">
        <h2 id="month-h">This month</h2>
        <ProblemNote error={month.error} />
        {month.data && (
          <p>
            <strong>{money(month.data.totals.revenue, month.data.currency)}</strong> from {plural(month.data.totals.orders, 'order')},
            refunds {money(month.data.totals.refunds, month.data.currency)}
          </p>
        )}
      </section>
    </>
  );
}

function ToShip() {
  const api = useApi();
  const paid = useQuery({ staleTime: 0, queryKey: ['to-ship', 'paid'], queryFn: () => api.page<Order>('/admin/orders', { status: 'paid', limit: 100 }) });
  const processing = useQuery({
    staleTime: 0,
    queryKey: ['to-ship', 'processing'],
    queryFn: () => api.page<Order>('/admin/orders', { status: 'processing', limit: 100 }),
  });
  return (
    <section className="card" aria-labelledby="ship-h">
      <h2 id="ship-h">To ship</h2>
      <ProblemNote error={paid.error ?? processing.error} />
      <p>
        <Link to="/orders?status=paid">{count(paid.data)} paid</Link> ·{' '}
        <Link to="/orders?status=processing">{count(processing.data)} processing</Link>
      </p>
    </section>
  );
}

function LowStock() {
  const api = useApi();
  const me = useMe();
  const low = useQuery({
    queryKey: ['low-stock'],
    queryFn: () => api.page<StaffProduct>('/admin/products', { low_stock: true, limit: 100 }),
  });
  return (
    <section className="card" aria-labelledby="low-h">
      <h2 id="low-h">Low stock</h2>
      <ProblemNote error={low.error} />
      <p>
        <Link to="/products?low_stock=true">{count(low.data)} {low.data?.items.length === 1 && !low.data.next_cursor ? 'product' : 'products'}</Link>
      </p>
      <ul className="compact">
        {low.data?.items.slice(0, 5).map((p) => (
          <li key={p.id}>
            <Link to={`/products/${p.id}`}>{p.name}</Link>:{' '}
            {p.variants.map((v) => `${v.sku} ${v.stock}`).join(', ')} ({money(p.price_from, me.currency)})
          </li>
        ))}
      </ul>
    </section>
  );
}

function Abandoned() {
  const api = useApi();
  const carts = useQuery({
    queryKey: ['abandoned'],
    queryFn: () => api.page<AbandonedCart>('/admin/carts/abandoned', { limit: 100 }),
  });
  const value = carts.data?.items.reduce((sum, c) => sum + c.value, 0) ?? 0;
  const currency = carts.data?.items[0]?.currency;
  return (
    <section className="card" aria-labelledby="abandoned-h">
      <h2 id="abandoned-h">Abandoned carts</h2>
      <ProblemNote error={carts.error} />
      <p>
        {count(carts.data)} carts{currency ? `, ${money(value, currency)}` : ''}
      </p>
    </section>
  );
}

function Trend() {
  const api = useApi();
  const now = new Date();
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29);
  const report = useQuery({
    queryKey: ['sales', 'trend', iso(from)],
    queryFn: () => api.get<SalesReport>('/admin/analytics/sales', { from: iso(from), to: iso(now), interval: 'day' }),
  });
  return (
    <section aria-labelledby="trend-h">
      <h2 id="trend-h">Sales, last 30 days</h2>
      <ProblemNote error={report.error} />
      {report.data && (
        <Suspense fallback={<p aria-busy="true">Loading the chart…</p>}>
          <SalesChart report={report.data} />
        </Suspense>
      )}
    </section>
  );
}
