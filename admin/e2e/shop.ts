// Each test gets its own shop: the real local server (`shop-local`) on a free port with its own
// table, queues and bucket on the test emulators, serving the built console at /admin/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');
export const STRIPE = process.env.TEST_STRIPE_API_BASE ?? 'http://127.0.0.1:18420';
export const ADMIN_PASSWORD = 'console-admin-password-1';

export interface Shop {
  url: string;
  api: string;
  adminEmail: string;
}

async function startShop(): Promise<{ shop: Shop; child: ChildProcess }> {
  const tag = randomBytes(4).toString('hex');
  const adminEmail = `admin-${tag}@example.com`;
  const child = spawn(path.join(root, 'target/debug/shop-local'), [], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      LOCAL_PREFIX: `e2e-${tag}`,
      DYNAMODB_ENDPOINT_URL: process.env.TEST_DYNAMODB_ENDPOINT_URL ?? 'http://127.0.0.1:18000',
      AWS_SERVICES_ENDPOINT_URL: process.env.TEST_AWS_SERVICES_ENDPOINT_URL ?? 'http://127.0.0.1:15050',
      STRIPE_API_BASE: STRIPE,
      LOCAL_ADMIN_EMAIL: adminEmail,
      LOCAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOCAL_DEMO_CATALOG: '0',
      LOCAL_ADMIN_DIR: path.join(root, 'admin/dist'),
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`shop-local did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Shop API\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`shop-local exited with ${code}:\n${out}`)));
  });
  return { shop: { url, api: `${url}/api/v1`, adminEmail }, child };
}

export const test = base.extend<{ shop: Shop }>({
  shop: async ({}, use) => {
    const { shop, child } = await startShop();
    try {
      await use(shop);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  },
});
export { expect };

/** Saves a screenshot of the page as a test artefact (admin/test-results/screens/, ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.join(root, 'admin/test-results/screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, shop: Shop, email: string, password: string): Promise<void> {
  await page.goto(`${shop.url}/admin/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText(email);
}

/** A JSON call to the shop's API, which must succeed. */
export async function call<T = Record<string, unknown>>(
  request: APIRequestContext,
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<T> {
  const res = await request.fetch(url, {
    method,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    data: options.body,
  });
  const text = await res.text();
  expect(res.ok(), `${method} ${url}: ${res.status()} ${text}`).toBeTruthy();
  return (text ? JSON.parse(text) : {}) as T;
}

export async function register(request: APIRequestContext, shop: Shop, label: string): Promise<{ email: string; token: string; id: string }> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const body = await call<{ access_token: string; user: { id: string } }>(request, 'POST', `${shop.api}/auth/register`, {
    body: { email, password: 'customer-password-1', name: label },
  });
  return { email, token: body.access_token, id: body.user.id };
}

/** localstripe's API, as Stripe.js and the dashboard would use Stripe's. */
export async function stripe<T = Record<string, unknown>>(request: APIRequestContext, method: string, p: string, form?: Record<string, string>): Promise<T> {
  const res = await request.fetch(`${STRIPE}${p}`, {
    method,
    headers: { authorization: 'Bearer sk_test_local' },
    form,
  });
  expect(res.ok(), `${method} ${p}: ${res.status()}`).toBeTruthy();
  return (await res.json()) as T;
}
