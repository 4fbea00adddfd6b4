import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';
import { DEMO_WEBHOOK_PATH } from '../../src/api/demo-receiver';
import { newWebhookSecret } from '../support/webhook-receiver';
import { type ApiStack, startApiStack, TEST_API_KEY } from './support/api-stack';

const SCREENSHOTS = path.join(PROJECT_ROOT, '.reports', 'screenshots');

describe('demo shop', () => {
  let stack: ApiStack;
  let browser: Browser;
  beforeAll(async () => {
    // The worker sends merchant webhooks to the demo shop's own receiver, as `npm start` wires it.
    const secret = newWebhookSecret();
    stack = await startApiStack({ demo: true, merchantWebhooks: (apiUrl) => ({ url: `${apiUrl}${DEMO_WEBHOOK_PATH}`, secrets: [secret], retryScheduleMs: [200] }) });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 30_000);

  const checkout = (form: Record<string, string>) =>
    fetch(`${stack.apiUrl}/demo/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });

  it('serves a self-contained page that never carries an API key', async () => {
    const response = await fetch(`${stack.apiUrl}/demo`);
    expect(response.status).toBe(200);
    const page = await response.text();
    for (const id of ['amount-input', 'checkout-button']) expect(page).toContain(`data-testid="${id}"`);
    expect(page).not.toContain(TEST_API_KEY);
    expect(page).not.toMatch(/(src|href)="https?:/);
  });

  it('redirects a checkout to the CodePay cashier (303) and refuses a bad amount (400)', async () => {
    const ok = await checkout({ amount: '8.80', currency: 'USD' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(/\/cashier\//);
    const bad = await checkout({ amount: '8.888', currency: 'USD' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('data-testid="checkout-error"');
  });

  it('shows only demo orders on its read-only routes', async () => {
    expect((await fetch(`${stack.apiUrl}/demo/status/REALORDER1`)).status).toBe(404);
    expect((await fetch(`${stack.apiUrl}/demo/return?merchant_order_no=REALORDER1`)).status).toBe(404);
  });

  it('refuses a webhook whose signature does not verify with the shop\'s secret', async () => {
    const forged = await fetch(`${stack.apiUrl}${DEMO_WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_X_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ type: 'payment.paid', timestamp: new Date().toISOString(), data: { merchantOrderNo: 'DEMOX' } }),
    });
    expect(forged.status).toBe(401);
  });

  it('takes a shopper from the shop through the cashier to "paid", flipped by the signed payment.paid webhook', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${stack.apiUrl}/demo`);
    // The page's own style ran under the CSP: the button has its colour, not the browser default.
    // Evaluated as text: the project's types have no DOM lib (React's typings declare only empty DOM interfaces).
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid="checkout-button"]')).backgroundColor`)).toBe('rgb(11, 99, 246)');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-shop.png') });
    await page.getByTestId('amount-input').fill('8.80');
    await Promise.all([page.waitForURL(/\/cashier\//), page.getByTestId('checkout-button').click()]);
    await Promise.all([page.waitForURL(/\/demo\/return/), page.getByTestId('pay-button').click()]);
    const status = page.getByTestId('payment-status');
    await status.filter({ hasText: /^paid$/ }).waitFor({ timeout: 20_000 });
    await page.getByTestId('webhook-events').filter({ hasText: 'payment.paid' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-return-paid.png') });
    const no = new URL(page.url()).searchParams.get('merchant_order_no');
    const payment = await stack.api<{ status: string; paidAmount: string; webhooks: { type: string; status: string }[] }>('GET', `/v1/payments/${no}`);
    expect(payment.body).toMatchObject({ status: 'PAID', paidAmount: '8.80' });
    expect(payment.body.webhooks.find((w) => w.type === 'payment.paid')).toMatchObject({ status: 'delivered' });
    expect(violations).toEqual([]);
    await context.close();
  });
});
