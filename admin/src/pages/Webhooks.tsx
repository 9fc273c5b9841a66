import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { pages } from '../api/client';
import { mapProblem } from '../api/problem';
import { EVENT_KINDS, type Attempt, type Webhook } from '../api/types';
import { dateTime } from '../format';
import { allItems, Empty, Field, FormMessage, More, PageTitle, ProblemNote } from '../components/ui';
import { useApi } from '../session';

export function Webhooks() {
  const api = useApi();
  const queries = useQueryClient();
  const query = useInfiniteQuery(pages<Webhook>(api, '/admin/webhooks', {}));
  const items = allItems(query);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const remove = async (w: Webhook) => {
    if (!window.confirm(`Stop sending to ${w.url}?`)) return;
    setError(null);
    try {
      await api.request('DELETE', `/admin/webhooks/${w.id}`);
      await queries.invalidateQueries({ queryKey: ['/admin/webhooks'] });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <PageTitle>Outbound webhooks</PageTitle>
      <ProblemNote error={error} />
      {items.map((w) => (
        <article key={w.id} className="card" aria-label={`Webhook ${w.url}`}>
          <h2>
            <code>{w.url}</code>
          </h2>
          <p>
            {w.events.join(', ')} · since {dateTime(w.created_at)}
          </p>
          <button type="button" onClick={() => setOpen(open === w.id ? null : w.id)} aria-expanded={open === w.id}>
            Deliveries
          </button>
          <button type="button" className="danger" onClick={() => void remove(w)}>
            Delete
          </button>
          {open === w.id && <Deliveries id={w.id} />}
        </article>
      ))}
      <Empty when={!query.isLoading && !query.error && items.length === 0}>No subscriptions yet.</Empty>
      <More query={query} />
      <Subscribe />
    </>
  );
}

function Deliveries({ id }: { id: string }) {
  const api = useApi();
  const query = useInfiniteQuery(pages<Attempt>(api, `/admin/webhooks/${id}/deliveries`, {}));
  const items = allItems(query);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Event</th>
            <th scope="col">Attempt</th>
            <th scope="col">Outcome</th>
            <th scope="col">Next retry</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={`${a.event_id}-${a.attempt}`}>
              <td>{dateTime(a.at)}</td>
              <td>
                {a.event}
                <br />
                <small>{a.event_id}</small>
              </td>
              <td>{a.attempt}</td>
              <td>
                {a.outcome} {a.status_code ?? ''} ({a.duration_ms} ms){a.error ? ` · ${a.error}` : ''}
              </td>
              <td>{dateTime(a.next_retry_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Empty when={!query.isLoading && items.length === 0}>Nothing sent yet.</Empty>
      <More query={query} />
    </div>
  );
}

function Subscribe() {
  const api = useApi();
  const queries = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const form = useForm<{ url: string; events: string[] }>({ defaultValues: { url: '', events: ['order.paid'] } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (f) => {
    setMessage(null);
    try {
      const made = await api.request<Webhook>('POST', '/admin/webhooks', { url: f.url.trim(), events: f.events });
      setSecret(made.secret ?? null);
      form.reset();
      await queries.invalidateQueries({ queryKey: ['/admin/webhooks'] });
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as 'url', err), ['url', 'events']));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-labelledby="subscribe-h">
      <h2 id="subscribe-h">New subscription</h2>
      {secret && (
        <p role="status" className="secret">
          Signing secret (shown once; keep it now): <code>{secret}</code>
        </p>
      )}
      <FormMessage text={message} />
      <Field label="URL (https)" error={errors.url}>
        {(p) => <input {...p} type="url" {...form.register('url', { required: 'Enter the receiver’s URL' })} />}
      </Field>
      <fieldset>
        <legend>Events</legend>
        {errors.events?.message && <small className="error">{errors.events.message}</small>}
        {EVENT_KINDS.map((k) => (
          <label key={k} className="check">
            <input type="checkbox" value={k} {...form.register('events')} /> {k}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={isSubmitting}>
        Subscribe
      </button>
    </form>
  );
}
