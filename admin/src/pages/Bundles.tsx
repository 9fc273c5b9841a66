import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { pages } from '../api/client';
import { mapProblem } from '../api/problem';
import type { Bundle } from '../api/types';
import { money } from '../format';
import { allItems, Empty, Field, FormMessage, More, PageTitle } from '../components/ui';
import { useApi, useMe } from '../session';

interface BundleForm {
  name: string;
  slug: string;
  type: 'standard' | 'pro' | 'special';
  discount_percent: string;
  skus: string;
  description: string;
}

const FIELDS = ['name', 'slug', 'type', 'discount_percent', 'skus', 'description'];

export function Bundles() {
  const api = useApi();
  const me = useMe();
  const query = useInfiniteQuery(pages<Bundle>(api, '/bundles', {}));
  const items = allItems(query);
  const [editing, setEditing] = useState<Bundle | null>(null);
  return (
    <>
      <PageTitle>Bundles</PageTitle>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Bundle</th>
              <th scope="col">Type</th>
              <th scope="col">Products</th>
              <th scope="col">Price</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.slug}>
                <td>
                  {b.name}
                  <br />
                  <small>{b.slug}</small>
                </td>
                <td>{b.type}</td>
                <td>{b.products.map((p) => p.name).join(', ')}</td>
                <td>
                  {money(b.price, me.currency)} <s>{money(b.list_price, me.currency)}</s> (−{b.discount_percent}%)
                </td>
                <td>
                  <button type="button" onClick={() => setEditing(b)}>
                    Edit {b.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Empty when={!query.isLoading && items.length === 0}>No bundles yet.</Empty>
      <More query={query} />
      <BundleEditor key={editing?.slug ?? 'new'} bundle={editing} done={() => setEditing(null)} />
    </>
  );
}

function BundleEditor({ bundle, done }: { bundle: Bundle | null; done: () => void }) {
  const api = useApi();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<BundleForm>({
    defaultValues: {
      name: bundle?.name ?? '',
      slug: bundle?.slug ?? '',
      type: bundle?.type ?? 'standard',
      discount_percent: String(bundle?.discount_percent ?? 10),
      skus: bundle?.products.map((p) => p.sku ?? '').filter(Boolean).join(', ') ?? '',
      description: bundle?.description ?? '',
    },
  });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    const body = {
      name: f.name,
      type: f.type,
      description: f.description,
      discount_percent: Number(f.discount_percent),
      skus: f.skus
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    try {
      if (bundle) await api.request('PATCH', `/admin/bundles/${bundle.slug}`, body);
      else await api.request('POST', '/admin/bundles', { ...body, slug: f.slug || undefined });
      await queries.invalidateQueries({ queryKey: ['/bundles'] });
      form.reset();
      done();
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as keyof BundleForm, err), FIELDS));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="bundle-h">
      <h2 id="bundle-h">{bundle ? `Edit ${bundle.name}` : 'New bundle'}</h2>
      <FormMessage text={message} />
      <div className="grid">
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} {...form.register('name', { required: 'A bundle needs a name' })} />}
        </Field>
        {!bundle && (
          <Field label="Slug" error={errors.slug} hint="Made from the name when empty">
            {(p) => <input {...p} {...form.register('slug')} />}
          </Field>
        )}
        <Field label="Type" error={errors.type}>
          {(p) => (
            <select {...p} {...form.register('type')}>
              <option value="standard">standard</option>
              <option value="pro">pro</option>
              <option value="special">special</option>
            </select>
          )}
        </Field>
        <Field label="Discount (%)" error={errors.discount_percent}>
          {(p) => <input {...p} type="number" min={0} max={90} {...form.register('discount_percent')} />}
        </Field>
      </div>
      <Field label="Variant SKUs" error={errors.skus} hint="Comma-separated; at least 3 distinct products">
        {(p) => <input {...p} {...form.register('skus', { required: 'List the variants' })} />}
      </Field>
      <Field label="Description" error={errors.description}>
        {(p) => <textarea {...p} rows={2} {...form.register('description')} />}
      </Field>
      <button type="submit" disabled={isSubmitting}>
        {bundle ? 'Save bundle' : 'Create bundle'}
      </button>
      {bundle && (
        <button type="button" onClick={done}>
          Cancel
        </button>
      )}
    </form>
  );
}
