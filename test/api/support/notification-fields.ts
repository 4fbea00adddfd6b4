/** A CodePay payment notification's fields for the API test merchant (api-stack.ts), unsigned. */
export const identity = { app_id: 'api-test-app', merchant_no: '100000000077', sign_type: 'RSA2' };
export const paidFields = (no: string, transNo = `T${no}`) => ({
  ...identity,
  merchant_order_no: no,
  trans_no: transNo,
  trans_type: '1',
  trans_status: '2',
  price_currency: 'USD',
  order_amount: '12.50',
  paid_amount: '12.50',
  trans_end_time: '2026-01-02 03:04:05',
});
