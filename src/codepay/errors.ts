/**
 * The three ways a CodePay call fails, which decide what happens next:
 * - transport: network, timeout, HTTP 5xx, unparseable body → retry;
 * - business: CodePay processed and refused (code + message) → no retry, shown to the merchant;
 * - config: `SYS*`/`E07*` codes or a signed answer that breaks the protocol → no retry, loud;
 * - unverified: an answer whose signature does not verify → retried (it says nothing about what
 *   happened at CodePay, which may have committed the call), loud, never a verdict.
 * Messages never carry keys or signatures.
 */
export abstract class CodePayError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly method: string,
  ) {
    super(message);
  }
}

export class CodePayTransportError extends CodePayError {
  override name = 'CodePayTransportError';
  readonly retryable = true;
  constructor(
    message: string,
    method: string,
    readonly httpStatus?: number,
  ) {
    super(message, method);
  }
}

export class CodePayBusinessError extends CodePayError {
  override name = 'CodePayBusinessError';
  readonly retryable = false;
  constructor(
    readonly code: string,
    readonly codepayMessage: string,
    method: string,
  ) {
    super(`CodePay rejected ${method}: [${code}] ${codepayMessage}`, method);
  }
}

export class CodePayConfigError extends CodePayError {
  override name = 'CodePayConfigError';
  readonly retryable = false;
  constructor(
    message: string,
    method: string,
    readonly code?: string,
  ) {
    super(message, method);
  }
}

export class CodePayUnverifiedError extends CodePayError {
  override name = 'CodePayUnverifiedError';
  readonly retryable = true;
}

/** `SYS*` and `E07*` are configuration problems (keys, app id, method), never a payment verdict. */
export function isConfigErrorCode(code: string): boolean {
  return /^(SYS|E07)/.test(code);
}

/** CodePay puts the code in brackets inside `msg` (`[E04111]Merchant order number is invalid`). */
export function splitCodePayMessage(code: string, msg: string | undefined): { code: string; message: string } {
  const match = /^\s*\[([A-Za-z0-9_]+)\]\s*(.*)$/s.exec(msg ?? '');
  if (match) return { code: match[1]!, message: match[2]!.trim() };
  return { code, message: (msg ?? '').trim() };
}
