import { useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';

import { pages } from '../api/client';
import { useFilters } from '../components/filters';
import type { AdminUser, Role } from '../api/types';
import { date } from '../format';
import { allItems, Empty, More, PageTitle, ProblemNote } from '../components/ui';
import { useApi, useMe } from '../session';

export function Users() {
  const api = useApi();
  const [params, set] = useFilters();
  const email = params.get('email') ?? '';
  const role = params.get('role') ?? '';
  const query = useInfiniteQuery(pages<AdminUser>(api, '/admin/users', { email: email.includes('@') ? email.trim() : '', role }));
  const items = allItems(query);
  return (
    <>
      <PageTitle>Users and roles</PageTitle>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Email (exact)
          <input type="email" defaultValue={email} onChange={(e) => set('email', e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => set('role', e.target.value)}>
            <option value="">any</option>
            <option value="customer">customer</option>
            <option value="staff">staff</option>
            <option value="admin">admin</option>
          </select>
        </label>
      </form>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Since</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </tbody>
        </table>
      </div>
      <Empty when={!query.isLoading && !query.error && items.length === 0}>No users match.</Empty>
      <More query={query} />
    </>
  );
}

function UserRow({ user }: { user: AdminUser }) {
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const change = async (role: Role) => {
    setError(null);
    try {
      await api.request('PUT', `/admin/users/${user.id}/role`, { role });
      await queries.invalidateQueries({ queryKey: ['/admin/users'] });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr>
      <td>{user.email}</td>
      <td>{user.name ?? ''}</td>
      <td>{date(user.created_at)}</td>
      <td>
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role of {user.email}
        </label>
        <select id={`role-${user.id}`} value={user.role} onChange={(e) => void change(e.target.value as Role)} disabled={user.id === me.id}>
          <option value="customer">customer</option>
          <option value="staff">staff</option>
          <option value="admin">admin</option>
        </select>
        <ProblemNote error={error} />
      </td>
    </tr>
  );
}
