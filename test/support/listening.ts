import { readFileSync } from 'node:fs';

/**
 * The local addresses sockets listen on at `port`, read from Linux's /proc/net/tcp{,6}: e.g.
 * `127.0.0.1`, or `0.0.0.0` / `::` for every interface.
 */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = (local ?? '').split(':');
      if (state !== '0A' || parseInt(hexPort ?? '', 16) !== port || !hexAddress) continue; // 0A = LISTEN
      addresses.push(hexAddress.length === 8 ? ipv4(hexAddress) : ipv6(hexAddress));
    }
  }
  return addresses;
}

/** /proc writes the address as little-endian 32-bit words. */
const words = (hex: string) => hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
const ipv4 = (hex: string) => words(hex)[0]!.match(/../g)!.map((b) => parseInt(b, 16)).join('.');
function ipv6(hex: string): string {
  const groups = words(hex).join('').match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}
