/**
 * Which network addresses the relay may fetch from. A URL on the allowlist can still resolve to an internal address
 * (DNS rebinding, a typo, a hostile record), so every resolved address is checked at connect time.
 */
import { BlockList, isIP } from 'node:net';

const internal = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  internal.addSubnet(net, bits, 'ipv6');
}

const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

/**
 * `::ffff:10.0.0.1` is 10.0.0.1: judge IPv4-mapped IPv6 addresses by the IPv4 address inside, in both spellings
 * (the URL parser and some resolvers write it as hex, `::ffff:a00:1`, which a dotted-only check would let through).
 */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const dotted = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  const hex = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
  }
  const version = isIP(address);
  if (version === 0) return undefined;
  return { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Private, loopback, link-local (the instance metadata service), unique-local, multicast or reserved. */
export function isInternalAddress(address: string): boolean {
  const ip = normalize(address);
  return ip === undefined || internal.check(ip.address, ip.family);
}

/** Link-local addresses (169.254.169.254 and kin) are refused even when an operator lists them. */
export function isLinkLocalAddress(address: string): boolean {
  const ip = normalize(address);
  return ip === undefined || linkLocal.check(ip.address, ip.family);
}
