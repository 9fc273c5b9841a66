import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { mapProblem } from '../api/problem';
import type { Settings } from '../api/types';
import { moneyInput, parseMoney } from '../format';
import { Field, FormMessage, PageTitle, ProblemNote } from '../components/ui';
import { useApi } from '../session';

/** Whole-number settings: name, label, hint. */
const NUMBERS: [keyof Settings, string, string][] = [
  ['nth_customer', 'Every Nth customer wins', 'The luck coupon goes to every Nth try'],
  ['coupon_percent', 'Luck coupon (% off)', '1 to 90'],
  ['coupon_reservation_minutes', 'Luck coupon reserved for (minutes)', ''],
  ['first_time_discount_percent', 'First-order discount (%)', ''],
  ['bundle_discount_percent', 'Default bundle discount (%)', ''],
  ['stock_reservation_minutes', 'Stock reserved at checkout (minutes)', ''],
  ['low_stock_threshold', 'Low stock at or below', 'Units per variant'],
  ['guest_cart_days', 'Guest carts kept (days)', ''],
  ['abandoned_cart_minutes', 'A cart is abandoned after (minutes)', ''],
  ['return_window_days', 'Returns accepted for (days after delivery)', ''],
];

const LIMITS = [
  'checkouts_per_hour',
  'payment_syncs_per_hour',
  'coupon_failures_per_hour',
  'luck_tries_per_address_per_hour',
  'reviews_per_hour',
  'guest_orders_per_email',
  'guest_orders_per_address',
  'bad_webhook_signatures_per_hour',
];

interface SettingsForm {
  numbers: Record<string, string>;
  currency: string;
  staff_email: string;
  delivery_fee: string;
  free_delivery_threshold: string;
  seller: { name: string; address: string; vat_number: string; vat_rate_percent: string };
  limits: Record<string, string>;
}

const NUMBER_NAMES: string[] = NUMBERS.map(([k]) => k);

export function SettingsPage() {
  const api = useApi();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api.get<Settings>('/admin/settings') });
  if (settings.error) return <ProblemNote error={settings.error} />;
  if (!settings.data) return <p aria-busy="true">Loading…</p>;
  return <SettingsEditor settings={settings.data} />;
}

function SettingsEditor({ settings }: { settings: Settings }) {
  const api = useApi();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const cur = settings.currency;
  const defaults: SettingsForm = {
    numbers: Object.fromEntries(NUMBERS.map(([k]) => [k, String(settings[k])])),
    currency: settings.currency,
    staff_email: settings.staff_email ?? '',
    delivery_fee: moneyInput(settings.delivery_fee, cur),
    free_delivery_threshold: moneyInput(settings.free_delivery_threshold, cur),
    seller: {
      name: settings.seller.name,
      address: settings.seller.address,
      vat_number: settings.seller.vat_number,
      vat_rate_percent: String(settings.seller.vat_rate_percent),
    },
    limits: Object.fromEntries(LIMITS.map((k) => [k, String(settings.limits?.[k] ?? '')])),
  };
  const form = useForm<SettingsForm>({ defaultValues: defaults });
  const { errors, isSubmitting } = form.formState;
  const err = (name: string) => {
    const e = name.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], errors);
    return (e as { message?: string } | undefined)?.message;
  };

  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    setSaved(false);
    const fee = parseMoney(f.delivery_fee, cur);
    const threshold = parseMoney(f.free_delivery_threshold, cur);
    if (fee === null) return form.setError('delivery_fee', { message: 'Enter an amount such as 4.99' });
    if (threshold === null) return form.setError('free_delivery_threshold', { message: 'Enter an amount such as 50.00' });
    const limits = Object.fromEntries(LIMITS.filter((k) => f.limits[k] !== '').map((k) => [k, Number(f.limits[k])]));
    try {
      const next = await api.request<Settings>('PUT', '/admin/settings', {
        ...Object.fromEntries(NUMBER_NAMES.map((k) => [k, Number(f.numbers[k])])),
        currency: f.currency.trim().toLowerCase(),
        staff_email: f.staff_email.trim() || null,
        delivery_fee: fee,
        free_delivery_threshold: threshold,
        seller: {
          name: f.seller.name,
          address: f.seller.address,
          vat_number: f.seller.vat_number,
          vat_rate_percent: Number(f.seller.vat_rate_percent),
        },
        limits,
      });
      queries.setQueryData(['settings'], next);
      setSaved(true);
    } catch (e) {
      setMessage(
        mapProblem(e, (n, error) => form.setError((NUMBER_NAMES.includes(n) ? `numbers.${n}` : n) as 'currency', error), [
          ...NUMBER_NAMES,
          'currency',
          'staff_email',
          'delivery_fee',
          'free_delivery_threshold',
          'seller',
          'limits',
        ]),
      );
    }
  });

  return (
    <>
      <PageTitle>Settings</PageTitle>
      <form onSubmit={submit} noValidate aria-label="Store settings">
        <FormMessage text={message} />
        {saved && <p role="status">Settings saved.</p>}
        <fieldset>
          <legend>Pricing and the luck coupon</legend>
          <div className="grid">
            {NUMBERS.map(([k, label, hint]) => (
              <Field key={k} label={label} hint={hint || undefined} error={err(`numbers.${k}`)}>
                {(p) => <input {...p} type="number" {...form.register(`numbers.${k}`)} />}
              </Field>
            ))}
            <Field label="Currency" hint="ISO 4217, such as gbp" error={err('currency')}>
              {(p) => <input {...p} {...form.register('currency')} />}
            </Field>
            <Field label={`Delivery fee (${cur.toUpperCase()})`} error={err('delivery_fee')}>
              {(p) => <input {...p} inputMode="decimal" {...form.register('delivery_fee')} />}
            </Field>
            <Field label={`Free delivery from (${cur.toUpperCase()})`} error={err('free_delivery_threshold')}>
              {(p) => <input {...p} inputMode="decimal" {...form.register('free_delivery_threshold')} />}
            </Field>
            <Field label="Staff email" hint="Where low-stock alerts go" error={err('staff_email')}>
              {(p) => <input {...p} type="email" {...form.register('staff_email')} />}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Seller (printed on invoices)</legend>
          <div className="grid">
            <Field label="Seller name" error={err('seller.name')}>
              {(p) => <input {...p} {...form.register('seller.name')} />}
            </Field>
            <Field label="VAT number" error={err('seller.vat_number')}>
              {(p) => <input {...p} {...form.register('seller.vat_number')} />}
            </Field>
            <Field label="VAT rate (%)" error={err('seller.vat_rate_percent')}>
              {(p) => <input {...p} type="number" {...form.register('seller.vat_rate_percent')} />}
            </Field>
          </div>
          <Field label="Seller address" error={err('seller.address')}>
            {(p) => <textarea {...p} rows={3} {...form.register('seller.address')} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Limits (per hour unless named otherwise; empty keeps the default)</legend>
          <div className="grid">
            {LIMITS.map((k) => (
              <Field key={k} label={k.replace(/_/g, ' ')} error={err(`limits.${k}`)}>
                {(p) => <input {...p} type="number" {...form.register(`limits.${k}`)} />}
              </Field>
            ))}
          </div>
        </fieldset>
        <button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </>
  );
}
