import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { PaymentResponse } from '../../src/views/payment-response';
import { operatorIdentity } from '../../src/api/auth';
import { withSignature } from '../../src/codepay/signing';
import { apiKeyOf } from '../../src/secrets/api-key-list';
import { PROJECT_ROOT } from '../../src/tools/temporal-binaries';
import { waitFor } from '../harness/wait-for';
import { type ApiStack, orderNo, startApiStack, TEST_API_KEY, TEST_OPERATOR_KEY } from '../api/support/api-stack';
import { paidFields } from '../api/support/notification-fields';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

/** Where the run's screenshots go; docs/operations.md shows copies of them (docs/images/console-*.png). */
const SCREENSHOTS = path.join(PROJECT_ROOT, '.reports', 'screenshots');
/** How the operator is named in events: its key's id, never the key. */
const OPERATOR_ID = operatorIdentity(apiKeyOf(TEST_OPERATOR_KEY));
/** Markup in an order description: it must show as text, never run or render. */
const HOSTILE = `Tea <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quotes"`;

describe('operator console in Chromium (in-process API, real dev server, worker, sandbox)', () => {
  let stack: ApiStack;
  let browser: Browser;
  let receiver: WebhookReceiver;
  /** The merchant endpoint fails until a test fixes it, so events end `failed` (no retries configured). */
  let endpointDown = true;
  let desktop: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => (endpointDown ? 503 : 204));
    stack = await startApiStack({ merchantWebhooks: { url: receiver.url, secrets: [receiver.secret], retryScheduleMs: [] } });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await desktop.newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await receiver?.close();
  }, 30_000);

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  const getPayment = async (no: string) => (await stack.api<PaymentResponse>('GET', `/v1/payments/${no}`)).body;
  const paidPayment = async (tag: string, description = 'Tea') => {
    const no = orderNo(tag);
    expect((await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '12.50', currency: 'USD', description })).status).toBe(201);
    expect((await stack.sandbox('POST', `/sandbox/orders/${no}/pay`)).status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'PAID');
    return no;
  };
  /** Paid, then a signed notification names a second trans_no: evidence for an operator (NEEDS_REVIEW). */
  const inReview = async (tag: string) => {
    const no = await paidPayment(tag);
    const fields = withSignature(paidFields(no, `OTHER${no}`), stack.gateway.privateKey);
    expect((await fetch(`${stack.apiUrl}/webhooks/codepay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) })).status).toBe(200);
    await waitFor(() => getPayment(no), (p) => p.status === 'NEEDS_REVIEW');
    return no;
  };
  const signIn = async (p: Page, key: string) => {
    await p.goto(`${stack.apiUrl}/console`);
    await p.getByLabel('Operator key').fill(key);
    return Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Sign in' }).click()]).then(([response]) => response);
  };
  const openPayment = (p: Page, no: string) => p.goto(`${stack.apiUrl}/console/payments/${no}`);
  /** A form post as a page would make it, with the session cookie but without the CSRF token. */
  const postWithoutToken = (route: string, form: Record<string, string>) => page.request.post(`${stack.apiUrl}${route}`, { form, maxRedirects: 0 });

  it('refuses a merchant API key and a wrong key, with a message and no cookie set', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    for (const [key, status, message] of [
      [TEST_API_KEY, 403, 'merchant API key'],
      ['op_not_a_key', 401, 'not a valid operator key'],
    ] as const) {
      const response = await signIn(p, key);
      expect(response?.status()).toBe(status);
      await expect(p.getByRole('alert').textContent()).resolves.toContain(message);
      expect(await context.cookies()).toEqual([]);
    }
    await shot(p, 'sign-in-refused');
    // Without a session every page leads to the sign-in page.
    await p.goto(`${stack.apiUrl}/console/payments`);
    expect(new URL(p.url()).pathname).toBe('/console/sign-in');
    await context.close();
  });

  it('signs an operator in with an HttpOnly, SameSite=Strict, expiring cookie that is not the key', async () => {
    await page.goto(`${stack.apiUrl}/console/sign-in`);
    await shot(page, 'sign-in');
    // By keyboard: the key field has the focus, Enter submits.
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('operator-key');
    await page.keyboard.type(TEST_OPERATOR_KEY);
    const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/console/payments');
    const cookies = await desktop.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'console_session', httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookies[0]!.expires).toBeGreaterThan(Date.now() / 1000);
    expect(cookies[0]!.value).not.toContain(TEST_OPERATOR_KEY);
    expect(await page.getByTestId('operator-id').textContent()).toBe(OPERATOR_ID);
  });

  it('finds a payment by its number and shows status, amounts, trans_no and timeline; hostile text stays text', async () => {
    const no = await paidPayment('CON', HOSTILE);
    await page.goto(`${stack.apiUrl}/console/payments`);
    await page.getByLabel('Order number').fill(no);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
    const rows = page.getByTestId('payments').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    await shot(page, 'payments');
    await Promise.all([page.waitForNavigation(), rows.getByRole('link', { name: no }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/console/payments/${no}`);
    expect(await page.getByTestId('payment-status').textContent()).toBe('PAID');
    expect(await page.getByTestId('paid-amount').textContent()).toBe('12.50 USD');
    expect(await page.getByTestId('refundable-amount').textContent()).toBe('12.50 USD');
    expect(await page.getByTestId('trans-no').textContent()).toBe((await getPayment(no)).codepayTransNo);
    expect(await page.getByTestId('timeline').textContent()).toContain('PAID');
    expect(await page.getByTestId('workflow-link').getAttribute('href')).toMatch(new RegExp(`/namespaces/default/workflows/payment-${no}$`));
    // The markup is shown as the characters it is made of, and nothing of it ran or rendered.
    expect(await page.getByTestId('description').textContent()).toBe(HOSTILE);
    expect(await page.getByTestId('description').locator('img, script').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    await shot(page, 'payment');
  });

  it('an unknown order number finds nothing, and its page is a 404 page', async () => {
    await page.goto(`${stack.apiUrl}/console/payments?orderNo=NOSUCHORDER1`);
    expect(await page.getByTestId('no-results').isVisible()).toBe(true);
    const response = await openPayment(page, 'NOSUCHORDER1');
    expect(response?.status()).toBe(404);
  });

  it('decides a NEEDS_REVIEW payment from its page; the decision is logged with the operator id', async () => {
    const no = await inReview('CRV');
    await openPayment(page, no);
    expect(await page.getByTestId('evidence').textContent()).toContain(`OTHER${no}`);
    await shot(page, 'review');
    // The reason is required: the browser does not post the form without it.
    await page.getByRole('button', { name: "Accept CodePay's record" }).click();
    expect(await page.evaluate<boolean>(`document.getElementById('review-reason').validity.valueMissing`)).toBe(true);
    expect((await getPayment(no)).status).toBe('NEEDS_REVIEW');
    await page.getByLabel('Reason').fill('ticket 77: portal shows 12.50 paid');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: "Accept CodePay's record" }).click()]);
    expect(await page.getByTestId('notice').textContent()).toBe('Decision recorded.');
    expect(await page.getByTestId('payment-status').textContent()).toBe('PAID');
    const payment = await getPayment(no);
    expect(payment.status).toBe('PAID');
    expect(payment.review?.resolution).toMatchObject({ decision: 'accept_codepay_record', operator: OPERATOR_ID, reason: 'ticket 77: portal shows 12.50 paid' });
    expect(payment.events.some((e) => e.type === 'review' && e.data?.operator === OPERATOR_ID)).toBe(true);
  });

  it('refuses a form post without the CSRF token (403) and changes nothing', async () => {
    const no = await inReview('CSR');
    const review = await postWithoutToken(`/console/payments/${no}/review`, { decision: 'close_as_failed', reason: 'forged' });
    expect(review.status()).toBe(403);
    const forged = await postWithoutToken(`/console/payments/${no}/review`, { decision: 'close_as_failed', reason: 'forged', _csrf: 'AAAA' });
    expect(forged.status()).toBe(403);
    const cancel = await postWithoutToken(`/console/payments/${no}/cancel`, {});
    expect(cancel.status()).toBe(403);
    const payment = await getPayment(no);
    expect(payment.status).toBe('NEEDS_REVIEW');
    // Only the notification's review event: no decision was taken.
    expect(payment.events.filter((e) => e.data?.decision !== undefined)).toEqual([]);
    expect(payment.review?.resolution).toBeUndefined();
  });

  it('redelivers a failed merchant webhook event', async () => {
    const no = await paidPayment('CWH');
    const failed = await waitFor(
      async () => (await getPayment(no)).webhooks ?? [],
      (hooks) => hooks.some((h) => h.type === 'payment.paid' && h.status === 'failed'),
    );
    const event = failed.find((h) => h.type === 'payment.paid')!;
    endpointDown = false;
    await openPayment(page, no);
    const row = page.getByTestId(`webhook-${event.eventId}`);
    expect(await row.textContent()).toContain('failed');
    await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: /Redeliver/ }).click()]);
    expect(await page.getByTestId('notice').textContent()).toContain('Redelivery started');
    await waitFor(
      async () => (await getPayment(no)).webhooks ?? [],
      (hooks) => hooks.some((h) => h.eventId === event.eventId && h.status === 'delivered'),
    );
    expect(receiver.delivered().some((a) => a.id === event.eventId)).toBe(true);
    await openPayment(page, no);
    expect(await page.getByTestId(`webhook-${event.eventId}`).textContent()).toContain('delivered');
    const payment = await getPayment(no);
    expect(payment.events.find((e) => e.type === 'webhook' && e.data?.eventId === event.eventId)?.data?.operator).toBe(OPERATOR_ID);
  });

  it('refunds part of a payment with the suggested refund number; the operator is in the event log', async () => {
    const no = await paidPayment('CRF');
    await openPayment(page, no);
    await page.getByLabel('Amount (USD)').fill('2.00');
    const refundNo = await page.getByLabel('Refund number').inputValue();
    expect(refundNo).toBe(`${no}-R1`);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Refund', exact: true }).click()]);
    const payment = await waitFor(() => getPayment(no), (p) => p.status === 'PARTIALLY_REFUNDED');
    expect(payment.refundedAmount).toBe('2.00');
    expect(payment.events.find((e) => e.type === 'refund' && e.data?.refundNo === refundNo)?.data?.operator).toBe(OPERATOR_ID);
    await openPayment(page, no);
    expect(await page.getByTestId('refunds').textContent()).toContain(refundNo);
    // A refund above what is refundable is refused with the workflow's reason, on the page.
    await page.getByLabel('Amount (USD)').fill('99.00');
    await page.getByLabel('Refund number').fill(`${no.slice(0, 28)}-RX`);
    const [refused] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Refund', exact: true }).click()]);
    expect(refused?.status()).toBe(422);
    expect(await page.getByTestId('error').textContent()).toContain('exceeds the refundable');
  });

  it('cancels an unpaid payment; the cancel in the event log names the operator', async () => {
    const no = orderNo('CCN');
    expect((await stack.api('POST', '/v1/payments', { merchantOrderNo: no, amount: '3.00', currency: 'USD', description: 'Tea' })).status).toBe(201);
    await openPayment(page, no);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Cancel payment' }).click()]);
    expect(await page.getByTestId('notice').textContent()).toBe('Cancel requested.');
    const payment = await waitFor(() => getPayment(no), (p) => p.status === 'CANCELLED');
    expect(payment.events.find((e) => e.type === 'cancel')?.data?.operator).toBe(OPERATOR_ID);
  });

  it('lists the reconciliation runs and shows a report: its exception links to the payment, the report downloads as CSV', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const overridden = await paidPayment('CBX');
    await paidPayment('CBP'); // CodePay's confirmed money in the window: the totals
    expect((await stack.sandbox('POST', `/sandbox/orders/${overridden}/override`, { transStatus: 3 })).status).toBe(200);
    const to = new Date(Date.now() + 1000).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // visibility catches up within about a second
    const operator = { authorization: `Bearer ${TEST_OPERATOR_KEY}` };
    const started = await stack.api<{ id: string }>('POST', '/v1/reconciliations', { from, to }, operator);
    expect(started.status).toBe(202);
    const { id } = started.body;
    await waitFor(() => stack.api<{ status: string }>('GET', `/v1/reconciliations/${id}`, undefined, operator), (r) => r.body.status === 'COMPLETED', { timeoutMs: 45_000 });

    await page.goto(`${stack.apiUrl}/console/reconciliations`);
    await shot(page, 'reconciliations');
    await Promise.all([page.waitForNavigation(), page.locator(`a[href="/console/reconciliations/${id}"]`).click()]);
    expect(await page.getByTestId('exceptions').textContent()).toContain(overridden);
    expect(await page.getByTestId('totals').textContent()).toContain('USD');
    await shot(page, 'reconciliation');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    expect(download.suggestedFilename()).toBe(`${id}.csv`);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^row,merchantOrderNo,kind/);
    expect(csv).toContain(`exception,${overridden},status`);
    await Promise.all([page.waitForNavigation(), page.getByTestId('exceptions').getByRole('link', { name: overridden }).click()]);
    expect(await page.getByTestId('order-no').textContent()).toBe(overridden);
  });

  it('downloads the filtered payments list as CSV', async () => {
    const no = await paidPayment('CCS');
    await page.goto(`${stack.apiUrl}/console/payments?orderNo=${no}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('merchantOrderNo,status,amount,currency,paidAmount,refundedAmount,codepayTransNo,createdAt,updatedAt');
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 6).join(','))).toEqual([`${no},PAID,12.50,USD,12.50,0.00`]);
  });

  it('on a 390×844 phone the list and the payment page do not scroll sideways', async () => {
    const no = await inReview('CPH');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await desktop.storageState() });
    const p = await phone.newPage();
    const violations: string[] = [];
    p.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    for (const route of [`/console/payments/${no}`, '/console/payments', '/console/reconciliations']) {
      await p.goto(`${stack.apiUrl}${route}`);
      expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      // Every field has a label, and the page has one h1.
      expect(await p.evaluate<number>(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((e) => e.labels.length === 0).length`)).toBe(0);
      expect(await p.locator('h1').count()).toBe(1);
    }
    await openPayment(p, no);
    // The stylesheet ran under the CSP nonce: the review buttons have the console's colours.
    expect(await p.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid="close-failed"]')).backgroundColor`)).toBe('rgb(179, 38, 30)');
    await shot(p, 'payment-phone');
    expect(violations).toEqual([]);
    await phone.close();
  });

  it('signs out: the cookie is gone and the old session no longer opens a page', async () => {
    const stolen = await desktop.storageState();
    await page.goto(`${stack.apiUrl}/console/payments`);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await page.getByRole('status').textContent()).toBe('Signed out.');
    expect(await desktop.cookies()).toEqual([]);
    const replay = await browser.newContext({ storageState: stolen });
    const p = await replay.newPage();
    await p.goto(`${stack.apiUrl}/console/payments`);
    expect(new URL(p.url()).pathname).toBe('/console/sign-in');
    await replay.close();
  });
});
