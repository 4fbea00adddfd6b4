/**
 * The sandbox's answer codes. CodePay publishes no error table (docs/codepay-protocol.md §3): the codes seen in
 * public code are used for what they mean there, the rest are this project's choice, kept in the
 * same families so the client's classification holds — `SYS*`/`E07*` are configuration problems,
 * other `E*` codes are business rejections.
 */
export const GatewayCode = {
  SUCCESS: '0',
  MALFORMED_REQUEST: 'SYS001',
  BAD_SIGNATURE: 'SYS002',
  TIMESTAMP_OUT_OF_WINDOW: 'SYS003',
  MISSING_PROTOCOL_FIELD: 'SYS011',
  INVALID_PROTOCOL_FIELD: 'SYS012',
  INTERNAL_ERROR: 'SYS999',
  UNKNOWN_MERCHANT: 'E07301',
  UNKNOWN_METHOD: 'E07303',
  MISSING_PARAMETER: 'E01001',
  INVALID_PARAMETER: 'E01002',
  FOUR_BYTE_CHARACTERS: 'E01003',
  DUPLICATE_ORDER_NO: 'E04101',
  ORDER_ALREADY_REFUNDED: 'E04102',
  ORIGINAL_NOT_FOUND: 'E04110',
  ORDER_NOT_FOUND: 'E04111',
  ORDER_NOT_REFUNDABLE: 'E04120',
  REFUND_AMOUNT_TOO_HIGH: 'E04126',
  REFUND_COUNT_EXCEEDED: 'E04128',
  REFUND_CURRENCY_MISMATCH: 'E04133',
} as const;
export type GatewayCode = (typeof GatewayCode)[keyof typeof GatewayCode];

/** A request the gateway refuses; it never changes state. */
export class GatewayRejection extends Error {
  override name = 'GatewayRejection';
  constructor(
    readonly code: GatewayCode,
    message: string,
  ) {
    super(message);
  }
}
