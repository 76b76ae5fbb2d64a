import { isIP, isIPv4 } from 'node:net';

/**
 * The 8 groups of an IPv6 address (already known to be one), with any zone dropped and an IPv4
 * tail (`::ffff:1.2.3.4`) turned into its two groups.
 */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (ipv4Tail && isIPv4(ipv4Tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Tail.split('.').map(Number);
    text = `${text.slice(0, -ipv4Tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const headGroups = parse(head);
  if (tail === undefined) return headGroups;
  const tailGroups = parse(tail);
  return [...headGroups, ...Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
}

/**
 * The key a client address is limited by: an IPv4 address as it is, an IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, how a dual-stack socket shows an IPv4 client) as the IPv4 address, and
 * any other IPv6 address as its /64. One subscriber usually gets a whole /64, so a client keyed by
 * its full IPv6 address could take a new one for every attempt and never be limited.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
