import { generateKeyPairSync, KeyObject } from 'node:crypto';
import type { WireValue } from '../codepay/canonical';
import { withSignature } from '../codepay/signing';

/**
 * Signs what the gateway sends (responses, notifications) with its private key — or, when the
 * `badSignatureRate` fault fires, with a throwaway key the merchant cannot verify.
 */
export class GatewaySigner {
  private impostorKey: KeyObject | undefined;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly signWrongly: () => boolean,
  ) {}

  sign<T extends Record<string, WireValue>>(fields: T): T & { sign: string } {
    if (!this.signWrongly()) return withSignature(fields, this.privateKey);
    this.impostorKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return withSignature(fields, this.impostorKey);
  }
}
