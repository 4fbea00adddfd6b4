import { z } from 'zod';
import { type ListPaymentsQuery } from '../api/payments-list';
import { MerchantOrderNoSchema } from '../api/payments-schemas';
import { PaymentStatusSchema } from '../views/payment-response';

/**
 * The payments page's filter form (a GET form, so a filtered list is a link one can share) and
 * what it means as `GET /v1/payments` filters. Dates are whole UTC days, "to" included; an empty
 * field is no filter.
 */
const blank = (value: unknown) => (value === '' ? undefined : value);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = z.preprocess(blank, z.string().regex(DAY, 'must be a date (YYYY-MM-DD)').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'is not a date').optional());

export const PaymentFiltersSchema = z.object({
  status: z.preprocess(blank, PaymentStatusSchema.optional()),
  from: day,
  to: day,
  orderNo: z.preprocess((v) => blank(typeof v === 'string' ? v.trim() : v), MerchantOrderNoSchema.optional()),
  cursor: z.preprocess(blank, z.string().max(4096).optional()),
});
export type PaymentFilters = z.infer<typeof PaymentFiltersSchema>;

export const PAGE_SIZE = 25;

export function toListQuery(filters: PaymentFilters): ListPaymentsQuery {
  const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    status: filters.status,
    merchantOrderNo: filters.orderNo,
    createdAfter: filters.from && `${filters.from}T00:00:00.000Z`,
    createdBefore: filters.to && nextDay(filters.to),
    cursor: filters.cursor,
    limit: PAGE_SIZE,
  };
}

/** The list's URL for these filters (and page), e.g. the "Next page" link. */
export function paymentsHref(filters: PaymentFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ['status', 'from', 'to', 'orderNo'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `/console/payments?${query}` : '/console/payments';
}
