// The console driven in Chromium as an owner and a staff member use it, against the real local
// server and emulators; a customer buys and pays through the API and localstripe in between.
import type { Page } from '@playwright/test';
import { solidPng } from './png';
import { ADMIN_PASSWORD, call, expect, register, screenshot, signIn, stripe, test } from './shop';

const menu = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

const ADDRESS = { name: 'Ada Buyer', line1: '1 Test Street', city: 'London', postcode: 'N1 1AA', country: 'GB' };

test('an admin runs the shop from the console: catalog, an order from payment to refund, settings', async ({ page, request, shop }) => {
  await page.goto(`${shop.url}/admin/`);
  await screenshot(page, 'sign-in');
  await signIn(page, shop, shop.adminEmail, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  // A product with two variants.
  await menu(page, 'Products').click();
  await page.getByRole('link', { name: 'New product' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Console Lamp');
  await page.getByLabel('Slug').fill('console-lamp');
  // The API's field errors appear beside the fields they name.
  await page.getByLabel('Variant 1 SKU').fill('LAMP RED!');
  await page.getByLabel('Variant 1 name').fill('Red');
  await page.getByLabel('Variant 1 price (GBP)').fill('25.00');
  await page.getByRole('button', { name: 'Create product' }).click();
  const skuField = page.getByLabel('Variant 1 SKU');
  await expect(skuField).toHaveAttribute('aria-invalid', 'true');
  const described = await skuField.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${described}"]`)).not.toBeEmpty();
  await screenshot(page, 'product-new-refused');
  await page.getByLabel('Variant 1 SKU').fill('LAMP-RED');
  await page.getByLabel('Variant 1 name').fill('Red');
  await page.getByLabel('Variant 1 price (GBP)').fill('25.00');
  await page.getByLabel('Variant 1 stock').fill('5');
  await page.getByRole('button', { name: 'Add a variant' }).click();
  await page.getByLabel('Variant 2 SKU').fill('LAMP-BLUE');
  await page.getByLabel('Variant 2 name').fill('Blue');
  await page.getByLabel('Variant 2 price (GBP)').fill('27.50');
  await page.getByLabel('Variant 2 stock').fill('3');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9A-Za-z]+$/);
  await expect(page.getByTestId('stock-LAMP-RED')).toHaveText('5');

  // An image, uploaded by the browser straight to the bucket through the presigned URL.
  await page.getByLabel('Image file').setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: solidPng(64, 48, [200, 40, 40]) });
  await expect(page.getByRole('img', { name: 'Preview of the chosen file' })).toBeVisible();
  await page.getByLabel('Alt text').fill('A red lamp');
  await page.getByRole('button', { name: 'Upload image' }).click();
  await expect(page.getByRole('img', { name: 'A red lamp' })).toBeVisible();
  await expect(page.getByText('1. sized', { exact: true })).toBeVisible({ timeout: 60_000 });
  // The storefront shows it once the worker has made its sizes.
  await expect
    .poll(async () => {
      const p = await call<{ images: { alt: string; sizes?: unknown }[] }>(request, 'GET', `${shop.api}/products/console-lamp`);
      return p.images.map((i) => [i.alt, Boolean(i.sizes)]);
    }, { timeout: 60_000 })
    .toEqual([['A red lamp', true]]);

  // A second image, put first.
  await page.getByLabel('Image file').setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: solidPng(48, 48, [40, 40, 200]) });
  await page.getByLabel('Alt text').fill('A blue lamp');
  await page.getByRole('button', { name: 'Upload image' }).click();
  await expect(page.getByRole('img', { name: 'A blue lamp' })).toBeVisible();
  await page.getByRole('button', { name: 'Move image A blue lamp earlier' }).click();
  await expect(page.getByRole('button', { name: 'Move image A blue lamp earlier' })).toBeDisabled();
  const shown = await call<{ images: { alt: string }[] }>(request, 'GET', `${shop.api}/products/console-lamp`);
  expect(shown.images.map((i) => i.alt)).toEqual(['A blue lamp', 'A red lamp']);

  // A third variant added to the saved product starts with no stock.
  await page.getByRole('button', { name: 'Add a variant' }).click();
  await page.getByLabel('Variant 3 SKU').fill('LAMP-GREEN');
  await page.getByLabel('Variant 3 name').fill('Green');
  await page.getByLabel('Variant 3 price (GBP)').fill('26.00');
  await page.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByTestId('stock-LAMP-GREEN')).toHaveText('0');
  await expect(page.getByLabel('Variant 3 SKU')).toHaveAttribute('readonly', '');

  // Stock: set one variant, adjust the other.
  await page.getByLabel('Stock change for LAMP-RED').fill('10');
  await page.getByRole('button', { name: 'Set the stock of LAMP-RED' }).click();
  await expect(page.getByTestId('stock-LAMP-RED')).toHaveText('10');
  await page.getByLabel('Stock change for LAMP-BLUE').fill('-1');
  await page.getByRole('button', { name: 'Adjust the stock of LAMP-BLUE' }).click();
  await expect(page.getByTestId('stock-LAMP-BLUE')).toHaveText('2');
  await screenshot(page, 'product-edit');

  // A customer buys two red lamps and pays on (local) Stripe.
  const buyer = await register(request, shop, 'buyer');
  await call(request, 'POST', `${shop.api}/cart/items`, { token: buyer.token, body: { sku: 'LAMP-RED', quantity: 2 } });
  const placed = await call<{ order: { id: string; number: string; total: number }; payment: { client_secret: string } }>(
    request,
    'POST',
    `${shop.api}/checkout`,
    { token: buyer.token, body: { shipping_address: ADDRESS } },
  );
  const intent = placed.payment.client_secret.split('_secret')[0];
  await stripe(request, 'POST', `/v1/payment_intents/${intent}`, { payment_method: 'pm_card_visa' });
  await stripe(request, 'POST', `/v1/payment_intents/${intent}/confirm`);
  await call(request, 'POST', `${shop.api}/orders/${placed.order.id}/payment/sync`, { token: buyer.token });

  // The admin finds it by the buyer's email, and moves it along.
  await menu(page, 'Orders').click();
  await page.getByLabel('Email').fill(buyer.email);
  await page.getByRole('link', { name: placed.order.number }).click();
  await expect(page.getByRole('heading', { name: `Order ${placed.order.number}` })).toContainText('paid');
  await page.getByLabel('New status').selectOption('processing');
  await page.getByRole('button', { name: 'Mark processing' }).click();
  await expect(page.getByRole('heading', { name: `Order ${placed.order.number}` })).toContainText('processing');
  await page.getByLabel('New status').selectOption('shipped');
  await page.getByLabel('Tracking number').fill('TRK-CONSOLE-1');
  await page.getByLabel('Carrier').fill('Royal Mail');
  await page.getByRole('button', { name: 'Mark shipped' }).click();
  await expect(page.getByRole('heading', { name: `Order ${placed.order.number}` })).toContainText('shipped');
  await expect(page.locator('.tracking')).toContainText('TRK-CONSOLE-1');
  // The customer's email arrives with the tracking number.
  await expect
    .poll(async () => {
      const mails = await call<{ subject: string; text: string }[]>(request, 'GET', `${shop.url}/_local/emails?to=${encodeURIComponent(buyer.email)}`);
      return mails.some((m) => m.text.includes('TRK-CONSOLE-1'));
    }, { timeout: 30_000 })
    .toBe(true);

  // A partial refund of £10.00; Stripe shows exactly that one refund.
  await page.getByLabel('Amount (GBP)').fill('10.00');
  await page.getByLabel('Reason').fill('scratched');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(page.getByTestId('refunded')).toContainText('10.00');
  await expect(page.getByRole('heading', { name: `Order ${placed.order.number}` })).toContainText('partially refunded');
  const refunds = await stripe<{ data: { amount: number; status: string }[] }>(request, 'GET', `/v1/refunds?payment_intent=${intent}`);
  expect(refunds.data.map((r) => r.amount)).toEqual([1000]);
  await screenshot(page, 'order-detail');

  // Every Nth customer: N = 3 from the settings page.
  await menu(page, 'Settings').click();
  await page.getByLabel('Every Nth customer wins').fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved.');
  const tries = [];
  for (const label of ['luck-a', 'luck-b', 'luck-c']) {
    const who = await register(request, shop, label);
    tries.push(await call<{ won: boolean }>(request, 'POST', `${shop.api}/coupons/try-luck`, { token: who.token }));
  }
  expect(tries.map((t) => t.won)).toEqual([false, false, true]);
  await screenshot(page, 'settings');

  // A screenshot of every other page, with the data this test made.
  for (const [name, link, heading] of [
    ['products', 'Products', 'Products'],
    ['categories', 'Categories', 'Categories'],
    ['bundles', 'Bundles', 'Bundles'],
    ['orders', 'Orders', 'Orders'],
    ['returns', 'Returns', 'Returns'],
    ['coupons', 'Coupons', 'Coupons'],
    ['analytics', 'Analytics', 'Analytics'],
    ['users', 'Users', 'Users and roles'],
    ['webhooks', 'Webhooks', 'Outbound webhooks'],
  ] as const) {
    await menu(page, link).click();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await screenshot(page, name);
  }
  await menu(page, 'Dashboard').click();
  // The dashboard shows today's sale once the worker has counted the order.paid event, and the
  // refund this month.
  const total = `£${(placed.order.total / 100).toFixed(2)}`;
  await expect
    .poll(async () => {
      await page.reload();
      const today = page.getByRole('region', { name: 'Today' });
      await expect(today).toContainText(' from ');
      return today.innerText();
    }, { timeout: 30_000 })
    .toContain(`${total} from 1 order`);
  await expect(page.getByRole('region', { name: 'This month' })).toContainText('refunds £10.00');
  await expect(page.locator('figure.chart')).toContainText('1 order, revenue');
  await screenshot(page, 'dashboard');
});

test('staff see the catalog only, and the API refuses them the rest', async ({ page, request, shop }) => {
  const admin = await call<{ access_token: string }>(request, 'POST', `${shop.api}/auth/login`, {
    body: { email: shop.adminEmail, password: ADMIN_PASSWORD },
  });
  const staff = await register(request, shop, 'staff');
  await call(request, 'PUT', `${shop.api}/admin/users/${staff.id}/role`, { token: admin.access_token, body: { role: 'staff' } });

  // A customer's account does not open the console.
  const customer = await register(request, shop, 'customer');
  await page.goto(`${shop.url}/admin/`);
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill('customer-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('for staff and admins');

  // Staff sign in by keyboard alone.
  await page.goto(`${shop.url}/admin/`);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(staff.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('customer-password-1');
  await page.keyboard.press('Enter');
  const menu = page.getByRole('navigation', { name: 'Main' });
  for (const shown of ['Dashboard', 'Products', 'Categories', 'Bundles']) {
    await expect(menu.getByRole('link', { name: shown, exact: true })).toBeVisible();
  }
  for (const hidden of ['Orders', 'Settings', 'Returns', 'Coupons', 'Users', 'Webhooks', 'Analytics']) {
    await expect(menu.getByRole('link', { name: hidden, exact: true })).toHaveCount(0);
  }
  await screenshot(page, 'staff-dashboard');

  // Typed URLs: the page asks, the API says no, the console shows it.
  for (const typed of ['orders', 'settings']) {
    await page.goto(`${shop.url}/admin/${typed}`);
    await expect(page.getByRole('alert')).toContainText('403');
  }
  await screenshot(page, 'staff-refused');

  // At a phone's width the menu still works.
  await page.setViewportSize({ width: 390, height: 844 });
  await menu.getByRole('link', { name: 'Products', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Products' })).toBeVisible();
  await screenshot(page, 'staff-products-phone');

  // Signing out ends the session at the API: the refresh token it held no longer works.
  const refresh = await page.evaluate(() => sessionStorage.getItem('shop.refresh'));
  expect(refresh).toBeTruthy();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('shop.refresh'))).toBeNull();
  const reuse = await request.post(`${shop.api}/auth/token/refresh`, { data: { refresh_token: refresh } });
  expect(reuse.status()).toBe(401);
});
