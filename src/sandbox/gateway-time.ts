/** CodePay's date format: `yyyy-MM-dd HH:mm:ss`, always UTC (docs/codepay-protocol.md §1). */
export function formatGatewayTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}
