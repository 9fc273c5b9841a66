import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { pages } from '../api/client';
import { mapProblem } from '../api/problem';
import type { Coupon } from '../api/types';
import { date, money, parseMoney } from '../format';
import { allItems, Empty, Field, FormMessage, More, PageTitle, ProblemNote } from '../components/ui';
import { useApi, useMe } from '../session';

interface CouponForm {
  code: string;
  kind: 'percent' | 'amount';
  value: string;
  min_subtotal: string;
  expires_at: string;
  max_redemptions: string;
}

export function Coupons() {
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const query = useInfiniteQuery(pages<Coupon>(api, '/admin/coupons', {}));
  const items = allItems(query);
  const [error, setError] = useState<unknown>(null);

  const setActive = async (c: Coupon, active: boolean) => {
    setError(null);
    try {
      await api.request('PATCH', `/admin/coupons/${encodeURIComponent(c.code)}`, { active });
      await queries.invalidateQueries({ queryKey: ['/admin/coupons'] });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <PageTitle>Coupons</PageTitle>
      <ProblemNote error={error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Off</th>
              <th scope="col">Minimum</th>
              <th scope="col">Used</th>
              <th scope="col">Expires</th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.code}>
                <td>
                  <code>{c.code}</code> {c.luck && <small>(luck)</small>}
                </td>
                <td>{c.percent_off ? `${c.percent_off}%` : money(c.amount_off, me.currency)}</td>
                <td>{money(c.min_subtotal, me.currency)}</td>
                <td>
                  {c.redemptions}
                  {c.max_redemptions ? ` / ${c.max_redemptions}` : ''}
                </td>
                <td>{date(c.expires_at)}</td>
                <td>
                  {c.active ? 'yes' : 'no'}{' '}
                  <button type="button" onClick={() => void setActive(c, !c.active)}>
                    {c.active ? `Deactivate ${c.code}` : `Activate ${c.code}`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Empty when={!query.isLoading && items.length === 0}>No coupons yet.</Empty>
      <More query={query} />
      <NewCoupon />
    </>
  );
}

function NewCoupon() {
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<CouponForm>({
    defaultValues: { code: '', kind: 'percent', value: '10', min_subtotal: '', expires_at: '', max_redemptions: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const kind = form.watch('kind');
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    const amount = f.kind === 'amount' ? parseMoney(f.value, me.currency) : null;
    if (f.kind === 'amount' && amount === null) return form.setError('value', { message: 'Enter an amount such as 5.00' });
    const min = f.min_subtotal ? parseMoney(f.min_subtotal, me.currency) : 0;
    if (min === null) return form.setError('min_subtotal', { message: 'Enter an amount such as 50.00' });
    try {
      const made = await api.request<Coupon>('POST', '/admin/coupons', {
        code: f.code.trim() || undefined,
        percent_off: f.kind === 'percent' ? Number(f.value) : undefined,
        amount_off: amount ?? undefined,
        min_subtotal: min || undefined,
        expires_at: f.expires_at ? new Date(f.expires_at).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
        max_redemptions: f.max_redemptions ? Number(f.max_redemptions) : undefined,
      });
      form.reset();
      setMessage(null);
      await queries.invalidateQueries({ queryKey: ['/admin/coupons'] });
      window.alert(`Coupon ${made.code} created.`);
    } catch (e) {
      setMessage(
        mapProblem(e, (n, err) => form.setError((n === 'percent_off' || n === 'amount_off' ? 'value' : n) as keyof CouponForm, err), [
          'code',
          'percent_off',
          'amount_off',
          'min_subtotal',
          'expires_at',
          'max_redemptions',
        ]),
      );
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-coupon-h">
      <h2 id="new-coupon-h">New coupon</h2>
      <FormMessage text={message} />
      <div className="grid">
        <Field label="Code" error={errors.code} hint="Generated when empty">
          {(p) => <input {...p} {...form.register('code')} />}
        </Field>
        <Field label="Kind" error={errors.kind}>
          {(p) => (
            <select {...p} {...form.register('kind')}>
              <option value="percent">percent off</option>
              <option value="amount">amount off</option>
            </select>
          )}
        </Field>
        <Field label={kind === 'percent' ? 'Percent off' : `Amount off (${me.currency.toUpperCase()})`} error={errors.value}>
          {(p) => <input {...p} inputMode="decimal" {...form.register('value', { required: 'Enter a value' })} />}
        </Field>
        <Field label={`Minimum subtotal (${me.currency.toUpperCase()})`} error={errors.min_subtotal}>
          {(p) => <input {...p} inputMode="decimal" {...form.register('min_subtotal')} />}
        </Field>
        <Field label="Expires" error={errors.expires_at}>
          {(p) => <input {...p} type="datetime-local" {...form.register('expires_at')} />}
        </Field>
        <Field label="Maximum uses" error={errors.max_redemptions}>
          {(p) => <input {...p} type="number" min={1} {...form.register('max_redemptions')} />}
        </Field>
      </div>
      <button type="submit" disabled={isSubmitting}>
        Create coupon
      </button>
    </form>
  );
}
