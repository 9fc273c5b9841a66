import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { StaffProduct } from '../api/types';
import { ProblemNote } from './ui';
import { useApi } from '../session';

/** Set a variant's stock, or adjust it by a signed amount (never below zero: the API refuses). */
export function StockEditor({ product }: { product: StaffProduct }) {
  return (
    <section aria-labelledby="stock-h">
      <h2 id="stock-h">Stock</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">In stock</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {product.variants.map((v) => (
              <StockRow key={v.sku} productId={product.id} sku={v.sku} stock={v.stock} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function StockRow({ productId, sku, stock }: { productId: string; sku: string; stock: number }) {
  const api = useApi();
  const queries = useQueryClient();
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const send = async (mode: 'set' | 'delta') => {
    const n = Number(amount);
    if (!Number.isInteger(n) || amount.trim() === '') {
      setError(new Error('Enter a whole number'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.request('PUT', `/admin/products/${productId}/stock`, { sku, [mode]: n });
      setAmount('');
      await queries.invalidateQueries({ queryKey: ['product', productId] });
      await queries.invalidateQueries({ queryKey: ['/admin/products'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <td>{sku}</td>
      <td data-testid={`stock-${sku}`}>{stock}</td>
      <td>
        <label className="sr-only" htmlFor={`stock-${sku}`}>
          Stock change for {sku}
        </label>
        <input id={`stock-${sku}`} type="number" value={amount} onChange={(e) => setAmount(e.target.value)} size={6} />
        <button type="button" onClick={() => void send('set')} disabled={busy} aria-label={`Set the stock of ${sku}`}>
          Set
        </button>
        <button type="button" onClick={() => void send('delta')} disabled={busy} aria-label={`Adjust the stock of ${sku}`}>
          Adjust
        </button>
        <ProblemNote error={error} />
      </td>
    </tr>
  );
}
