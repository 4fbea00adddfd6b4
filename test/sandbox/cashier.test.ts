import { orderNo, startFixture } from './support/sandbox-fixture';

type Fixture = Awaited<ReturnType<typeof startFixture>>;

/** The shopper's cashier over plain HTTP: the page, and its Pay/Decline forms posted back. */
describe('sandbox cashier', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  const open = async (extra: Record<string, string> = {}) => {
    const no = orderNo('C');
    const created = await f.createOrder(no, extra);
    const payUrl = created.data!.pay_url!;
    const page = await fetch(payUrl);
    return { no, payUrl, status: page.status, html: await page.text(), contentType: page.headers.get('content-type') };
  };
  /** The form's action as a browser resolves it against the page URL. */
  const formTarget = (html: string, formId: string, payUrl: string) => {
    const action = new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${formId}"`).exec(html)?.[1];
    if (!action) throw new Error(`no form ${formId}`);
    return new URL(action, payUrl).toString();
  };
  const submit = (url: string, fields: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  it('renders a mobile page with merchant, description, amount, methods and both buttons', async () => {
    const page = await open({ description: 'Flat white', order_amount: '4.20' });
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.html).toContain('Test Café');
    expect(page.html).toContain('Flat white');
    expect(page.html).toMatch(/data-testid="amount">4\.20 USD</);
    expect(page.html).toMatch(/<button[^>]*data-testid="pay-button"/);
    expect(page.html).toMatch(/<button[^>]*data-testid="decline-button"/);
    for (const method of ['Visa', 'Mastercard', 'Alipay+', 'WeChatPay', 'PayPay']) expect(page.html).toContain(`data-testid="method-${method}"`);
    // No external assets: nothing is loaded from anywhere.
    expect(page.html).not.toMatch(/\s(src|href)=/);
  });

  it('pre-selects pay_method_id, also one it does not list', async () => {
    expect((await open({ pay_method_id: 'PayPay' })).html).toMatch(/value="PayPay" id="method-PayPay" data-testid="method-PayPay" checked/);
    const custom = await open({ pay_method_id: 'GCash' });
    expect(custom.html).toMatch(/value="GCash" id="method-GCash" data-testid="method-GCash" checked/);
    expect(custom.html.match(/ checked/g)).toHaveLength(1);
  });

  it('escapes everything that came from the request', async () => {
    const page = await open({ description: '<script>alert("x")</script> & \'more\'' });
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;more&#39;');
  });

  it('Pay takes the chosen method and redirects to return_url with merchant_order_no', async () => {
    const page = await open({ return_url: 'https://shop.example/done?lang=en' });
    const response = await submit(formTarget(page.html, 'pay-form', page.payUrl), { pay_method: 'Alipay+' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({ lang: 'en', merchant_order_no: page.no });
    expect(await f.order(page.no)).toMatchObject({ status: 2, paidMethodId: 'Alipay+', paidAmountMinor: 1250 });

    const after = await fetch(page.payUrl);
    expect(await after.text()).toMatch(/data-testid="result" data-status="2"/);
    const again = await submit(formTarget(page.html, 'pay-form', page.payUrl));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('can no longer be paid');
  });

  it('Decline closes the order and shows a result page when there is no return_url', async () => {
    const page = await open();
    const response = await submit(formTarget(page.html, 'decline-form', page.payUrl));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/data-testid="result" data-status="1"/);
    expect(html).toContain('Payment not completed');
    expect(await f.order(page.no)).toMatchObject({ status: 1, errorCode: 'PAYMENT_DECLINED' });
  });

  it('shows an expired order as not payable', async () => {
    const page = await open({ expires: '30' });
    f.advance(31_000);
    const html = await (await fetch(page.payUrl)).text();
    expect(html).toMatch(/data-status="1"/);
    expect(html).toContain('The order expired before it was paid');
    expect((await submit(formTarget(page.html, 'pay-form', page.payUrl))).status).toBe(409);
  });

  it('answers an unknown cashier link with 404', async () => {
    const response = await fetch(`${f.url}/cashier/not-a-token`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('not valid');
  });
});
