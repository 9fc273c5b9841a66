import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { mapProblem } from '../api/problem';
import type { CategoryNode } from '../api/types';
import { Field, FormMessage, PageTitle, ProblemNote } from '../components/ui';
import { useApi } from '../session';

export function Categories() {
  const api = useApi();
  const tree = useQuery({ queryKey: ['categories'], queryFn: () => api.get<CategoryNode[]>('/categories') });
  return (
    <>
      <PageTitle>Categories</PageTitle>
      <ProblemNote error={tree.error} />
      <Tree nodes={tree.data ?? []} />
      <NewCategory all={tree.data ?? []} />
    </>
  );
}

function Tree({ nodes }: { nodes: CategoryNode[] }) {
  if (nodes.length === 0) return null;
  return (
    <ul className="tree">
      {nodes.map((n) => (
        <li key={n.slug}>
          <Rename node={n} />
          <Tree nodes={n.children} />
        </li>
      ))}
    </ul>
  );
}

function Rename({ node }: { node: CategoryNode }) {
  const api = useApi();
  const queries = useQueryClient();
  const [name, setName] = useState(node.name);
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      await api.request('PATCH', `/admin/categories/${node.slug}`, { name });
      await queries.invalidateQueries({ queryKey: ['categories'] });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <span className="inline">
      <label htmlFor={`cat-${node.slug}`} className="sr-only">
        Name of {node.slug}
      </label>
      <input id={`cat-${node.slug}`} value={name} onChange={(e) => setName(e.target.value)} />
      <code>{node.slug}</code>
      {name !== node.name && (
        <button type="button" onClick={() => void save()}>
          Rename
        </button>
      )}
      <ProblemNote error={error} />
    </span>
  );
}

function flatten(nodes: CategoryNode[]): CategoryNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

function NewCategory({ all }: { all: CategoryNode[] }) {
  const api = useApi();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<{ slug: string; name: string; parent: string }>({ defaultValues: { slug: '', name: '', parent: '' } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    try {
      await api.request('POST', '/admin/categories', { slug: f.slug, name: f.name, parent: f.parent || undefined });
      form.reset();
      await queries.invalidateQueries({ queryKey: ['categories'] });
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as 'slug', err), ['slug', 'name', 'parent']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-cat-h">
      <h2 id="new-cat-h">New category</h2>
      <FormMessage text={message} />
      <div className="grid">
        <Field label="Slug" error={errors.slug}>
          {(p) => <input {...p} {...form.register('slug', { required: 'A category needs a slug' })} />}
        </Field>
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} {...form.register('name', { required: 'A category needs a name' })} />}
        </Field>
        <Field label="Parent" error={errors.parent}>
          {(p) => (
            <select {...p} {...form.register('parent')}>
              <option value="">none (top level)</option>
              {flatten(all).map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <button type="submit" disabled={isSubmitting}>
        Create category
      </button>
    </form>
  );
}
