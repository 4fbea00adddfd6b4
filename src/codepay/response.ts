import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import {
  CodePayBusinessError,
  CodePayConfigError,
  CodePayTransportError,
  CodePayUnverifiedError,
  isConfigErrorCode,
  splitCodePayMessage,
} from './errors';
import { FlatJsonError, parseFlatJson, RawFields } from './flat-json';
import { describeIssues, presentFields, ResponseEnvelopeSchema } from './schemas';
import { verifyFields } from './signing';

/**
 * Turns one HTTP answer from `/api/entry` into the call's validated `data`, or the error that
 * decides what happens next (errors.ts). The signature is checked over the envelope's raw fields,
 * `data` as the exact string received, before anything in it is believed.
 *
 * A signed answer that breaks the protocol (no `code`, `data` that is not JSON or misses a field)
 * is a CodePayConfigError: retrying gets the same answer, so it needs a human, loudly. An answer
 * that does not verify is a CodePayUnverifiedError: nothing in it is believed, the call is retried.
 */
export function readResponse<S extends z.ZodType>(
  method: string,
  httpStatus: number,
  body: string,
  gatewayPublicKeys: KeyObject[],
  dataSchema: S,
): z.output<S> {
  const raw = readEnvelope(method, httpStatus, body, gatewayPublicKeys);
  let data: RawFields = {};
  if (raw.data !== undefined) {
    try {
      data = parseFlatJson(raw.data);
    } catch (err) {
      throw new CodePayConfigError(`CodePay ${method} answered with data that is not a JSON object (${(err as Error).message})`, method);
    }
  }
  const parsed = dataSchema.safeParse(presentFields(data));
  if (!parsed.success) {
    throw new CodePayConfigError(`CodePay ${method} answered with unexpected data: ${describeIssues(parsed.error)}`, method);
  }
  return parsed.data;
}

/** Verifies and classifies the envelope; returns it only when `code` is `"0"`. */
function readEnvelope(method: string, httpStatus: number, body: string, gatewayPublicKeys: KeyObject[]) {
  if (httpStatus >= 500) throw new CodePayTransportError(`CodePay ${method} answered HTTP ${httpStatus}`, method, httpStatus);
  if (httpStatus >= 400) throw new CodePayConfigError(`CodePay ${method} answered HTTP ${httpStatus}`, method);
  if (httpStatus < 200 || httpStatus >= 300) {
    throw new CodePayTransportError(`CodePay ${method} answered HTTP ${httpStatus}`, method, httpStatus);
  }
  let raw: RawFields;
  try {
    raw = parseFlatJson(body);
  } catch (err) {
    if (!(err instanceof FlatJsonError)) throw err;
    throw new CodePayTransportError(`CodePay ${method} answered with a body that is not a JSON object`, method, httpStatus);
  }
  const envelope = ResponseEnvelopeSchema.safeParse(presentFields(raw));
  if (!verifyFields(raw, gatewayPublicKeys)) {
    // The unverified code helps an operator see why (e.g. SYS002: our own signature was refused).
    const hint = envelope.success ? ` (unverified code ${envelope.data.code}: ${truncate(envelope.data.msg ?? '')})` : '';
    throw new CodePayUnverifiedError(`CodePay ${method} answer has a missing or invalid signature${hint}`, method);
  }
  if (!envelope.success) {
    throw new CodePayConfigError(`CodePay ${method} answered with an invalid envelope: ${describeIssues(envelope.error)}`, method);
  }
  const { code, msg } = envelope.data;
  if (code === '0') return envelope.data;
  const split = splitCodePayMessage(code, msg);
  if (isConfigErrorCode(split.code) || isConfigErrorCode(code)) {
    throw new CodePayConfigError(`CodePay refused ${method} as misconfigured: [${split.code}] ${split.message}`, method, split.code);
  }
  throw new CodePayBusinessError(split.code, split.message, method);
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
