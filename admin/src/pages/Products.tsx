import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { pages } from '../api/client';
import { useFilters } from '../components/filters';
import type { StaffProduct } from '../api/types';
import { money } from '../format';
import { allItems, Empty, More, PageTitle, Status } from '../components/ui';
import { useApi, useMe } from '../session';

export function Products() {
  const api = useApi();
  const me = useMe();
  const [params, set] = useFilters();
  const filters = {
    q: params.get('q') ?? '',
    status: params.get('status') ?? '',
    low_stock: params.get('low_stock') === 'true' ? true : undefined,
  };
  const query = useInfiniteQuery(pages<StaffProduct>(api, '/admin/products', filters));
  const items = allItems(query);


  return (
    <>
      <PageTitle actions={<Link className="button" to="/products/new">New product</Link>}>Products</PageTitle>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" defaultValue={filters.q} onChange={(e) => set('q', e.target.value)} placeholder="name or sku" />
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="draft">draft</option>
            <option value="archived">archived</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={Boolean(filters.low_stock)} onChange={(e) => set('low_stock', e.target.checked ? 'true' : '')} />
          Low stock only
        </label>
      </form>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Status</th>
              <th scope="col">Variants (stock)</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/products/${p.id}`}>{p.name}</Link>
                  <br />
                  <small>{p.slug}</small>
                </td>
                <td>
                  <Status value={p.status} />
                </td>
                <td>{p.variants.map((v) => `${v.sku} (${v.stock})`).join(', ')}</td>
                <td>{money(p.price_from, me.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Empty when={!query.isLoading && items.length === 0 && !query.error}>No products match.</Empty>
      <More query={query} />
    </>
  );
}
