import { lazy, Suspense } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { can, useSession } from './session';
import { SignIn } from './pages/SignIn';
import { Dashboard } from './pages/Dashboard';
import { Products } from './pages/Products';
import { ProductEdit } from './pages/ProductEdit';
import { Categories } from './pages/Categories';
import { Bundles } from './pages/Bundles';
import { Orders } from './pages/Orders';
import { OrderDetail } from './pages/OrderDetail';
import { Returns } from './pages/Returns';
import { Coupons } from './pages/Coupons';
import { SettingsPage } from './pages/Settings';
import { Users } from './pages/Users';
import { Webhooks } from './pages/Webhooks';

// The chart library comes only with the analytics page.
const Analytics = lazy(() => import('./pages/Analytics'));

const MENU: { to: string; label: string; area: 'catalog' | 'shop' }[] = [
  { to: '/', label: 'Dashboard', area: 'catalog' },
  { to: '/products', label: 'Products', area: 'catalog' },
  { to: '/categories', label: 'Categories', area: 'catalog' },
  { to: '/bundles', label: 'Bundles', area: 'catalog' },
  { to: '/orders', label: 'Orders', area: 'shop' },
  { to: '/returns', label: 'Returns', area: 'shop' },
  { to: '/coupons', label: 'Coupons', area: 'shop' },
  { to: '/analytics', label: 'Analytics', area: 'shop' },
  { to: '/users', label: 'Users', area: 'shop' },
  { to: '/webhooks', label: 'Webhooks', area: 'shop' },
  { to: '/settings', label: 'Settings', area: 'shop' },
];

export function App() {
  const { me, loading, signOut } = useSession();
  const location = useLocation();
  if (loading) return <p aria-busy="true">Loading…</p>;
  if (!me) {
    return location.pathname === '/sign-in' ? (
      <SignIn />
    ) : (
      <Navigate to="/sign-in" replace state={{ from: location.pathname }} />
    );
  }
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav aria-label="Main">
        <p className="brand">Shop admin</p>
        <ul>
          {MENU.filter((m) => can(me.role, m.area)).map((m) => (
            <li key={m.to}>
              <NavLink to={m.to} end={m.to === '/'}>
                {m.label}
              </NavLink>
            </li>
          ))}
        </ul>
        <p className="who">
          {me.email} <span className="role">({me.role})</span>
        </p>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Dashboard />} />
            <Route path="/sign-in" element={<Navigate to="/" replace />} />
            <Route path="/products" element={<Products />} />
            <Route path="/products/new" element={<ProductEdit />} />
            <Route path="/products/:id" element={<ProductEdit />} />
            <Route path="/categories" element={<Categories />} />
            <Route path="/bundles" element={<Bundles />} />
            <Route path="/orders" element={<Orders />} />
            <Route path="/orders/:id" element={<OrderDetail />} />
            <Route path="/returns" element={<Returns />} />
            <Route path="/coupons" element={<Coupons />} />
            <Route path="/analytics" element={<Analytics />} />
            <Route path="/users" element={<Users />} />
            <Route path="/webhooks" element={<Webhooks />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="*" element={<p>There is no such page.</p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
