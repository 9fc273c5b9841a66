import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { mapProblem } from '../api/problem';
import { NEXT_STATUS, type AdminOrder, type OrderStatus } from '../api/types';
import { dateTime, money, moneyInput, parseMoney } from '../format';
import { Field, FormMessage, PageTitle, ProblemNote, Status } from '../components/ui';
import { useApi } from '../session';

const REFUNDABLE: OrderStatus[] = ['paid', 'processing', 'shipped', 'delivered', 'partially_refunded'];

export function OrderDetail() {
  const { id } = useParams();
  const api = useApi();
  const order = useQuery({ queryKey: ['order', id], queryFn: () => api.get<AdminOrder>(`/admin/orders/${id}`) });
  if (order.error) return <ProblemNote error={order.error} />;
  if (!order.data) return <p aria-busy="true">Loading…</p>;
  const o = order.data;
  const m = (n: number) => money(n, o.currency);
  const a = o.shipping_address;
  return (
    <>
      <PageTitle>
        Order {o.number} <Status value={o.status} />
      </PageTitle>
      <p>
        <Link to="/orders">← Orders</Link>
      </p>
      <div className="columns">
        <section aria-labelledby="lines-h">
          <h2 id="lines-h">Lines</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Qty</th>
                  <th scope="col">Unit</th>
                  <th scope="col">Discount</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {o.lines.map((l) => (
                  <tr key={l.sku}>
                    <td>
                      {l.name}
                      <br />
                      <small>{l.sku}</small>
                    </td>
                    <td>{l.quantity}</td>
                    <td>{m(l.unit_price)}</td>
                    <td>{l.discount ? `−${m(l.discount)}` : ''}</td>
                    <td>{m(l.line_total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <dl className="totals">
            <dt>Subtotal</dt>
            <dd>{m(o.subtotal)}</dd>
            {o.bundle_discount > 0 && (
              <>
                <dt>Bundle discount</dt>
                <dd>−{m(o.bundle_discount)}</dd>
              </>
            )}
            {o.first_time_discount > 0 && (
              <>
                <dt>First-order discount</dt>
                <dd>−{m(o.first_time_discount)}</dd>
              </>
            )}
            {o.coupon_discount > 0 && (
              <>
                <dt>Coupon {o.coupon}</dt>
                <dd>−{m(o.coupon_discount)}</dd>
              </>
            )}
            <dt>Delivery</dt>
            <dd>{m(o.delivery_fee)}</dd>
            <dt>Total</dt>
            <dd>
              <strong>{m(o.total)}</strong>
            </dd>
          </dl>
        </section>
        <section aria-labelledby="who-h">
          <h2 id="who-h">Customer</h2>
          <p>
            {o.email} {o.user_id ? '' : '(guest)'}
            <br />
            {a.name}, {a.line1}
            {a.line2 ? `, ${a.line2}` : ''}, {a.city} {a.postcode}, {a.country}
          </p>
          {o.notes && <p>Notes: {o.notes}</p>}
          {o.gift_message && <p>Gift message: {o.gift_message}</p>}
          <h2>Payment</h2>
          <p data-testid="payment">
            {o.payment.status}: paid {m(o.payment.amount_paid)} of {m(o.payment.amount)}, refunded{' '}
            <span data-testid="refunded">{m(o.payment.amount_refunded)}</span>
            {o.payment.provider_ref && (
              <>
                <br />
                <small>{o.payment.provider_ref}</small>
              </>
            )}
          </p>
          <p>Placed {dateTime(o.created_at)}</p>
        </section>
      </div>
      <section aria-labelledby="tracking-h">
        <h2 id="tracking-h">Tracking</h2>
        <ol className="tracking">
          {o.tracking.map((t, i) => (
            <li key={i}>
              <Status value={t.status} /> {dateTime(t.at)}
              {t.tracking_number && ` · ${t.carrier ?? ''} ${t.tracking_number}`}
              {t.location && ` · ${t.location}`}
              {t.note && ` · ${t.note}`}
            </li>
          ))}
        </ol>
      </section>
      <div className="columns">
        {NEXT_STATUS[o.status].length > 0 && <Move order={o} />}
        {REFUNDABLE.includes(o.status) && o.payment.amount_paid > o.payment.amount_refunded && <Refund order={o} />}
      </div>
    </>
  );
}

interface MoveForm {
  status: OrderStatus;
  tracking_number: string;
  carrier: string;
  location: string;
  note: string;
}

function Move({ order }: { order: AdminOrder }) {
  const api = useApi();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const next = NEXT_STATUS[order.status];
  const form = useForm<MoveForm>({
    defaultValues: { status: next[0], tracking_number: '', carrier: '', location: '', note: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const status = form.watch('status');
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    if (f.status === 'cancelled' && !window.confirm(`Cancel order ${order.number}? A paid order is refunded in full.`)) return;
    try {
      const blank = (s: string) => (s.trim() ? s.trim() : undefined);
      await api.request('POST', `/admin/orders/${order.id}/status`, {
        status: f.status,
        tracking_number: blank(f.tracking_number),
        carrier: blank(f.carrier),
        location: blank(f.location),
        note: blank(f.note),
      });
      await queries.invalidateQueries({ queryKey: ['order', order.id] });
      await queries.invalidateQueries({ queryKey: ['/admin/orders'] });
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as keyof MoveForm, err), ['status', 'tracking_number', 'carrier', 'location', 'note']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="move-h">
      <h2 id="move-h">Move the order</h2>
      <FormMessage text={message} />
      <Field label="New status" error={errors.status}>
        {(p) => (
          <select {...p} {...form.register('status')}>
            {next.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      {status === 'shipped' && (
        <>
          <Field label="Tracking number" error={errors.tracking_number}>
            {(p) => <input {...p} {...form.register('tracking_number')} />}
          </Field>
          <Field label="Carrier" error={errors.carrier}>
            {(p) => <input {...p} {...form.register('carrier')} />}
          </Field>
        </>
      )}
      <Field label="Location" error={errors.location}>
        {(p) => <input {...p} {...form.register('location')} />}
      </Field>
      <Field label="Note" error={errors.note}>
        {(p) => <input {...p} {...form.register('note')} />}
      </Field>
      <button type="submit" disabled={isSubmitting} className={status === 'cancelled' ? 'danger' : undefined}>
        {status === 'cancelled' ? 'Cancel the order' : `Mark ${status}`}
      </button>
    </form>
  );
}

function Refund({ order }: { order: AdminOrder }) {
  const api = useApi();
  const queries = useQueryClient();
  const left = order.payment.amount_paid - order.payment.amount_refunded;
  const [message, setMessage] = useState<string | null>(null);
  // One key per refund the admin means: a double click or a retry does not refund twice.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const form = useForm<{ amount: string; reason: string; restock: boolean }>({
    defaultValues: { amount: moneyInput(left, order.currency), reason: '', restock: false },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    const amount = parseMoney(f.amount, order.currency);
    if (amount === null || amount <= 0) {
      form.setError('amount', { message: 'Enter an amount such as 12.50' });
      return;
    }
    try {
      await api.request(
        'POST',
        `/admin/orders/${order.id}/refund`,
        { amount, reason: f.reason.trim() || undefined, restock: f.restock },
        { 'idempotency-key': key },
      );
      setKey(crypto.randomUUID());
      await queries.invalidateQueries({ queryKey: ['order', order.id] });
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as 'amount', err), ['amount', 'reason', 'restock']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="refund-h">
      <h2 id="refund-h">Refund</h2>
      <p>{money(left, order.currency)} can still be refunded.</p>
      <FormMessage text={message} />
      <Field label={`Amount (${order.currency.toUpperCase()})`} error={errors.amount}>
        {(p) => <input {...p} inputMode="decimal" {...form.register('amount', { required: 'Enter an amount' })} />}
      </Field>
      <Field label="Reason" error={errors.reason}>
        {(p) => <input {...p} {...form.register('reason')} />}
      </Field>
      <label className="check">
        <input type="checkbox" {...form.register('restock')} /> Put the items back in stock
      </label>
      <button type="submit" disabled={isSubmitting}>
        Refund
      </button>
    </form>
  );
}
