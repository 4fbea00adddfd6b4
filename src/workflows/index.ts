// The workflow functions the worker registers (and nothing else: the bundle is built from here).
export { paymentWorkflow } from './payment-workflow';
export { refundWorkflow } from './refund-workflow';
export { merchantWebhookWorkflow } from './merchant-webhook-workflow';
export { workerWarmUpWorkflow } from './worker-warm-up-workflow';
export { reconciliationWorkflow } from './reconciliation-workflow';
