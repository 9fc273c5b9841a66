import { useEffect, useState } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { mapProblem } from '../api/problem';
import type { CategoryNode, StaffProduct } from '../api/types';
import { moneyInput, parseMoney } from '../format';
import { Field, FormMessage, PageTitle, ProblemNote, Status } from '../components/ui';
import { ProductImages } from '../components/ProductImages';
import { StockEditor } from '../components/StockEditor';
import { useApi, useMe } from '../session';

interface VariantForm {
  sku: string;
  name: string;
  price: string;
  stock: string;
  unique: boolean;
}

interface ProductForm {
  name: string;
  slug: string;
  description: string;
  category: string;
  tags: string;
  tier: 'standard' | 'pro';
  featured: boolean;
  status: 'active' | 'draft' | 'archived';
  variants: VariantForm[];
}

const FIELDS = ['name', 'slug', 'description', 'category', 'tags', 'tier', 'featured', 'status', 'variants'];

function flatten(nodes: CategoryNode[], depth = 0): { slug: string; label: string }[] {
  return nodes.flatMap((n) => [{ slug: n.slug, label: `${'— '.repeat(depth)}${n.name}` }, ...flatten(n.children, depth + 1)]);
}

export function ProductEdit() {
  const { id } = useParams();
  const api = useApi();
  const product = useQuery({
    queryKey: ['product', id],
    queryFn: () => api.get<StaffProduct>(`/admin/products/${id}`),
    enabled: Boolean(id),
    // Until the worker has made an image's sizes.
    refetchInterval: (q) => (q.state.data?.images.some((i) => !i.sizes) ? 3000 : false),
  });
  if (id && product.error) return <ProblemNote error={product.error} />;
  if (id && !product.data) return <p aria-busy="true">Loading…</p>;
  return <Editor key={product.data?.id ?? 'new'} product={product.data} />;
}

function Editor({ product }: { product?: StaffProduct }) {
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [message, setMessage] = useState<string | null>(null);
  const categories = useQuery({ queryKey: ['categories'], queryFn: () => api.get<CategoryNode[]>('/categories') });
  const form = useForm<ProductForm>({
    defaultValues: product
      ? {
          name: product.name,
          slug: product.slug,
          description: product.description,
          category: product.category ?? '',
          tags: product.tags.join(', '),
          tier: product.tier,
          featured: product.featured,
          status: product.status,
          variants: product.variants.map((v) => ({
            sku: v.sku,
            name: v.name,
            price: moneyInput(v.price, me.currency),
            stock: String(v.stock),
            unique: v.unique,
          })),
        }
      : {
          name: '',
          slug: '',
          description: '',
          category: '',
          tags: '',
          tier: 'standard',
          featured: false,
          status: 'active',
          variants: [{ sku: '', name: '', price: '', stock: '0', unique: false }],
        },
  });
  const variants = useFieldArray({ control: form.control, name: 'variants' });
  // Variants already saved keep their sku; ones added here are new (PATCH adds them).
  const existing = product?.variants.length ?? 0;
  const { errors, isSubmitting } = form.formState;
  useEffect(() => setMessage(null), [product]);

  const save = form.handleSubmit(async (f) => {
    setMessage(null);
    const tags = f.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const price = (text: string, i: number) => {
      const p = parseMoney(text, me.currency);
      if (p === null) form.setError(`variants.${i}.price`, { message: 'Enter an amount such as 12.50' });
      return p;
    };
    const prices = f.variants.map((v, i) => price(v.price, i));
    if (prices.some((p) => p === null)) return;
    try {
      if (!product) {
        const created = await api.request<StaffProduct>('POST', '/admin/products', {
          name: f.name,
          slug: f.slug || undefined,
          description: f.description,
          category: f.category || undefined,
          tags,
          tier: f.tier,
          featured: f.featured,
          status: f.status,
          variants: f.variants.map((v, i) => ({
            sku: v.sku,
            name: v.name,
            price: prices[i],
            stock: Number(v.stock || 0),
            unique: v.unique,
          })),
        });
        await queries.invalidateQueries({ queryKey: ['/admin/products'] });
        navigate(`/products/${created.id}`, { replace: true });
      } else {
        const saved = await api.request<StaffProduct>('PATCH', `/admin/products/${product.id}`, {
          name: f.name,
          slug: f.slug,
          description: f.description,
          category: f.category || null,
          tags,
          tier: f.tier,
          featured: f.featured,
          status: f.status,
          variants: f.variants.map((v, i) => ({ sku: v.sku, name: v.name, price: prices[i], unique: v.unique })),
        });
        queries.setQueryData(['product', product.id], saved);
        await queries.invalidateQueries({ queryKey: ['/admin/products'] });
        setMessage(null);
      }
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as keyof ProductForm, err), FIELDS));
    }
  });

  const archive = useMutation({
    mutationFn: () => api.request('DELETE', `/admin/products/${product!.id}`),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['product', product!.id] }),
  });

  const options = categories.data ? flatten(categories.data) : [];
  return (
    <>
      <PageTitle
        actions={
          product && product.status !== 'archived' ? (
            <button type="button" className="danger" onClick={() => archive.mutate()} disabled={archive.isPending}>
              Archive
            </button>
          ) : undefined
        }
      >
        {product ? product.name : 'New product'} {product && <Status value={product.status} />}
      </PageTitle>
      <p>
        <Link to="/products">← Products</Link>
      </p>
      <ProblemNote error={archive.error} />
      <form onSubmit={save} noValidate aria-label="Product">
        <FormMessage text={message} />
        <div className="grid">
          <Field label="Name" error={errors.name}>
            {(p) => <input {...p} {...form.register('name', { required: 'A product needs a name' })} />}
          </Field>
          <Field label="Slug" error={errors.slug} hint={product ? undefined : 'Made from the name when empty'}>
            {(p) => <input {...p} {...form.register('slug')} />}
          </Field>
          <Field label="Category" error={errors.category}>
            {(p) => (
              <select {...p} {...form.register('category')}>
                <option value="">none</option>
                {options.map((c) => (
                  <option key={c.slug} value={c.slug}>
                    {c.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Tags" error={errors.tags} hint="Comma-separated">
            {(p) => <input {...p} {...form.register('tags')} />}
          </Field>
          <Field label="Tier" error={errors.tier}>
            {(p) => (
              <select {...p} {...form.register('tier')}>
                <option value="standard">standard</option>
                <option value="pro">pro</option>
              </select>
            )}
          </Field>
          <Field label="Status" error={errors.status}>
            {(p) => (
              <select {...p} {...form.register('status')}>
                <option value="active">active</option>
                <option value="draft">draft</option>
                {product && <option value="archived">archived</option>}
              </select>
            )}
          </Field>
        </div>
        <Field label="Description" error={errors.description}>
          {(p) => <textarea {...p} rows={4} {...form.register('description')} />}
        </Field>
        <label className="check">
          <input type="checkbox" {...form.register('featured')} /> Featured
        </label>

        <fieldset>
          <legend>Variants</legend>
          {typeof errors.variants?.message === 'string' && <small className="error">{errors.variants.message}</small>}
          {variants.fields.map((v, i) => (
            <div className="variant" key={v.id}>
              <Field label={`Variant ${i + 1} SKU`} error={errors.variants?.[i]?.sku}>
                {(p) => <input {...p} readOnly={i < existing} {...form.register(`variants.${i}.sku`, { required: 'A variant needs a sku' })} />}
              </Field>
              <Field label={`Variant ${i + 1} name`} error={errors.variants?.[i]?.name}>
                {(p) => <input {...p} {...form.register(`variants.${i}.name`, { required: 'A variant needs a name' })} />}
              </Field>
              <Field label={`Variant ${i + 1} price (${me.currency.toUpperCase()})`} error={errors.variants?.[i]?.price}>
                {(p) => <input {...p} inputMode="decimal" {...form.register(`variants.${i}.price`, { required: 'Enter a price' })} />}
              </Field>
              {!product && (
                <Field label={`Variant ${i + 1} stock`} error={errors.variants?.[i]?.stock}>
                  {(p) => <input {...p} type="number" min={0} {...form.register(`variants.${i}.stock`)} />}
                </Field>
              )}
              <label className="check">
                <input type="checkbox" {...form.register(`variants.${i}.unique`)} /> One of a kind
              </label>
              {i >= existing && variants.fields.length > 1 && (
                <button type="button" onClick={() => variants.remove(i)}>
                  Remove variant {i + 1}
                </button>
              )}
            </div>
          ))}
          <button type="button" onClick={() => variants.append({ sku: '', name: '', price: '', stock: '0', unique: false })}>
            Add a variant
          </button>
          {product && variants.fields.length > existing && <p className="hint">A new variant starts with no stock: set it below once saved.</p>}
        </fieldset>
        <button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : product ? 'Save product' : 'Create product'}
        </button>
      </form>
      {product && <StockEditor product={product} />}
      {product && <ProductImages product={product} />}
    </>
  );
}
