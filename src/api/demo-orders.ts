import type { MerchantEventBody } from '../webhooks/event-body';

/**
 * The demo shop's own little order table, as a merchant's order system would keep one: an order
 * is created at checkout and moves only on the signed webhooks it receives. In memory and bounded:
 * it is a demonstration, and a restart forgets it.
 */
export const DEMO_ORDER_LIMIT = 1_000;

export interface DemoOrder {
  merchantOrderNo: string;
  amount: string;
  currency: string;
  /** The shop's status: `pending` until the first event, then the payment's status from the last payment event (`paid`, …). */
  status: string;
  /** Every distinct event received, in arrival order. */
  events: { id: string; type: string; receivedAt: string }[];
}

export class DemoOrders {
  private readonly orders = new Map<string, DemoOrder>();

  add(order: Pick<DemoOrder, 'merchantOrderNo' | 'amount' | 'currency'>): void {
    if (this.orders.size >= DEMO_ORDER_LIMIT) this.orders.delete(this.orders.keys().next().value!);
    this.orders.set(order.merchantOrderNo, { ...order, status: 'pending', events: [] });
  }

  get(merchantOrderNo: string): DemoOrder | undefined {
    return this.orders.get(merchantOrderNo);
  }

  /** Applies a verified event once per webhook-id; events of other orders are none of the shop's business. */
  receive(id: string, body: MerchantEventBody, receivedAt: string): 'applied' | 'duplicate' | 'not-ours' {
    const order = this.orders.get(body.data.merchantOrderNo);
    if (!order) return 'not-ours';
    if (order.events.some((e) => e.id === id)) return 'duplicate';
    order.events.push({ id, type: body.type, receivedAt });
    if (body.type.startsWith('payment.')) order.status = body.type.slice('payment.'.length).replace(/_/g, ' ');
    return 'applied';
  }
}
