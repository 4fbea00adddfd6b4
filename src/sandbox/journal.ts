import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BookEntry, Books, NotificationAttempt, PendingNotification, SandboxOrder, SandboxRefund } from './ledger';

/**
 * The sandbox's books on disk, so a restarted sandbox (`npm start`, Ctrl-C, `npm start`) still
 * knows every order and refund and resumes what was pending (docs/operations.md, "The sandbox's
 * books"). An append-only journal of JSON lines, one line per changed record, the last line of a
 * record winning:
 * - every change is one `write()` of one whole line before the answer leaves, so a killed process
 *   loses nothing it acknowledged; no fsync per change (a disk flush behind every answer and
 *   notification attempt of chaos and bench runs), so a power cut may lose the last changes but
 *   never what came before — the trade-off of the dev server's `synchronous=NORMAL`;
 * - a crash can only leave a torn last line (no newline): it is dropped on load, never believed;
 *   any other unreadable line stops the start loudly instead of silently forgetting books;
 * - on open the journal is compacted to one line per record through a temp file, fsync and rename
 *   (then fsync of the folder), so the file is at every moment either the old or the new journal.
 */
export interface Journal {
  books: Books;
  append(entry: BookEntry): void;
  /** Later appends are ignored: nothing outlives a closed sandbox. */
  close(): void;
}

export class JournalError extends Error {
  override name = 'JournalError';
}

const int = z.number().int();
const optionalText = z.string().optional();
const merchantRef = { appId: z.string(), merchantNo: z.string() };

const AttemptSchema: z.ZodType<NotificationAttempt> = z.object({
  attempt: int,
  at: z.string(),
  outcome: z.enum(['acked', 'rejected', 'failed', 'dropped']),
  duplicate: z.boolean().optional(),
  httpStatus: int.optional(),
  error: optionalText,
});

const PendingSchema: z.ZodType<PendingNotification> = z.object({
  url: z.string(),
  fields: z.record(z.string(), z.string()),
  attempt: int.min(1),
  dueAt: int,
});

const OrderSchema: z.ZodType<SandboxOrder> = z.object({
  ...merchantRef,
  merchantOrderNo: z.string(),
  transNo: z.string(),
  cashierToken: z.string(),
  currency: z.string(),
  amountMinor: int,
  description: z.string(),
  createdAt: int,
  expiresAt: int,
  notifyUrl: optionalText,
  returnUrl: optionalText,
  payMethodId: optionalText,
  attach: optionalText,
  language: optionalText,
  status: int,
  endTime: int.optional(),
  paidAmountMinor: int.optional(),
  paidMethodId: optionalText,
  payChannelTransNo: optionalText,
  errorCode: optionalText,
  errorMessage: optionalText,
  cancelRefundMinor: int.optional(),
  refundNos: z.array(z.string()),
  notifications: z.array(AttemptSchema),
  pendingNotification: PendingSchema.optional(),
  autoPayAt: int.optional(),
});

const RefundSchema: z.ZodType<SandboxRefund> = z.object({
  ...merchantRef,
  refundNo: z.string(),
  transNo: z.string(),
  origMerchantOrderNo: z.string(),
  origTransNo: z.string(),
  currency: z.string(),
  amountMinor: int,
  orderAmountMinor: int,
  description: optionalText,
  notifyUrl: optionalText,
  status: int,
  createdAt: int,
  endTime: int.optional(),
  errorCode: optionalText,
  errorMessage: optionalText,
  notifications: z.array(AttemptSchema),
  pendingNotification: PendingSchema.optional(),
  completesAt: int.optional(),
});

const EntrySchema: z.ZodType<BookEntry> = z.union([z.object({ order: OrderSchema }).strict(), z.object({ refund: RefundSchema }).strict()]);

const line = (entry: BookEntry) => `${JSON.stringify(entry)}\n`;

/** Reads the journal's records; `tornTail` is true when the last line was cut by a crash. */
export function readJournal(file: string): Books & { tornTail: boolean } {
  const orders = new Map<string, SandboxOrder>();
  const refunds = new Map<string, SandboxRefund>();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  lines.forEach((raw, index) => {
    if (raw === '') return;
    let entry: BookEntry;
    try {
      entry = EntrySchema.parse(JSON.parse(raw));
    } catch (err) {
      const reason = err instanceof z.ZodError ? z.prettifyError(err).split('\n')[0] : (err as Error).message;
      throw new JournalError(`${file} line ${index + 1} is not a sandbox record (${reason}); move the file away to start with empty books`);
    }
    if ('order' in entry) orders.set(entry.order.merchantOrderNo, entry.order);
    else refunds.set(entry.refund.refundNo, entry.refund);
  });
  return { orders: [...orders.values()], refunds: [...refunds.values()], tornTail: tail !== '' };
}

/** Replaces `file` by `content` atomically: temp file, fsync, rename, fsync of the folder. */
function replaceFile(file: string, content: string): void {
  const temp = `${file}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function openJournal(file: string): Journal & { tornTail: boolean } {
  mkdirSync(path.dirname(file), { recursive: true });
  const { orders, refunds, tornTail } = readJournal(file);
  replaceFile(file, [...orders.map((order) => line({ order })), ...refunds.map((refund) => line({ refund }))].join(''));
  let fd: number | undefined = openSync(file, 'a', 0o600);
  return {
    books: { orders, refunds },
    tornTail,
    append(entry) {
      if (fd !== undefined) writeSync(fd, line(entry));
    },
    close() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}
