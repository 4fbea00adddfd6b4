import { renameSync, writeFileSync } from 'node:fs';

/** How an operator (or a secret manager) rotates a file: the new content beside it, renamed over it. */
export function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.next`, text, { mode: 0o600 });
  renameSync(`${file}.next`, file);
}
