import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';
import type { Stack } from '../../src/tools/stack';
import { startE2eStack } from '../support/e2e-stack';

const SCREENSHOTS = path.join(PROJECT_ROOT, '.reports', 'screenshots');

/** The shopper's path on a phone: demo shop → CodePay cashier → Pay → the shop's return page. */
describe('shopper in a mobile browser', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startE2eStack();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);

  it('pays in the sandbox cashier and sees the shop\'s order flip to "paid" when the signed webhook arrives', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/demo`);
    await page.getByTestId('amount-input').fill('8.80');
    await Promise.all([page.waitForURL(/\/cashier\//), page.getByTestId('checkout-button').click()]);
    await expect(page.content()).resolves.toContain('8.80');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cashier.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/demo\/return/), page.getByTestId('pay-button').click()]);
    const status = page.getByTestId('payment-status');
    await status.filter({ hasText: /^paid$/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'return-paid.png'), fullPage: true });
    expect(await page.getByTestId('webhook-events').textContent()).toContain('payment.paid');
    await context.close();
  });
});
