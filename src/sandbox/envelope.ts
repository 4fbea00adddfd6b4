import { randomUUID } from 'node:crypto';
import { GatewayCode } from './gateway-codes';
import type { GatewaySigner } from './gateway-signer';

/**
 * CodePay's response envelope (docs/codepay-protocol.md §3): `{code, msg, psn, sign, data?}`, `data` a JSON
 * *string*, failures as `[CODE]text` in `msg`, everything signed with the gateway key.
 */
export type Envelope = { code: string; msg: string; psn: string; data?: string; sign: string };

export function envelope(signer: GatewaySigner, code: GatewayCode, message: string, data?: object): Envelope {
  const fields: Omit<Envelope, 'sign'> = {
    code,
    msg: code === GatewayCode.SUCCESS ? message : `[${code}]${message}`,
    psn: randomUUID().replace(/-/g, ''),
  };
  if (data !== undefined) fields.data = JSON.stringify(data);
  return signer.sign(fields);
}
