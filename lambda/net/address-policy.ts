/**
 * Which network addresses the relay may fetch from. A URL on the allowlist can still resolve to an internal address
 * (DNS rebinding, a typo, a hostile record), so every resolved address is checked at connect time. Only public
 * unicast passes. An IPv6 address that carries an IPv4 address (mapped, NAT64, 6to4, IPv4-compatible) is judged by
 * that IPv4 address, because that is where its packets end up; Teredo is refused, as its far end cannot be judged.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The only IPv6 block handed out for global unicast: ipaddr.js names special ranges and calls the rest unicast. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** The well-known NAT64 prefix; its local-use sibling, 64:ff9b:1::/48, leads into its operator's own network. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');
/**
 * Deprecated, but a host with an automatic tunnel still sends these to the IPv4 address inside. `::` and `::1` lie
 * here too and come out as 0.0.0.0 and 0.0.0.1: refused all the same. (ipaddr.js reads the dotted `::a.b.c.d` as
 * `::ffff:a.b.c.d`; the IPv4 address inside, and so the verdict, is the same.)
 */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Only the strict spellings the socket layer takes are judged: ipaddr.js also reads inet_aton's legacy forms
 * (`010.0.0.1` as octal 8.0.0.1, `127.1`, `0x7f.1`), which other parsers read otherwise.
 */
function parsed(address: string): Address | undefined {
  return isIP(address) !== 0 && ipaddr.isValid(address) ? ipaddr.parse(address) : undefined;
}

/** Where packets to `ip` go: the IPv4 address inside for the forms that carry one, else `ip` itself. */
function destination(ip: Address): Address {
  if (ip instanceof ipaddr.IPv4) return ip;
  const range = ip.range();
  const bytes = ip.toByteArray();
  if (range === 'ipv4Mapped' || ip.match(NAT64) || ip.match(IPV4_COMPATIBLE)) {
    return ipaddr.fromByteArray(bytes.slice(12));
  }
  if (range === '6to4') return ipaddr.fromByteArray(bytes.slice(2, 6));
  return ip;
}

/** Anything but public unicast: private, loopback, link-local (instance metadata), unique-local, multicast, reserved. */
export function isInternalAddress(address: string): boolean {
  const ip = parsed(address);
  if (ip === undefined) return true;
  const reached = destination(ip);
  return reached.range() !== 'unicast' || (reached instanceof ipaddr.IPv6 && !reached.match(GLOBAL_UNICAST));
}

/** Link-local addresses (169.254.169.254 and kin) are refused even when an operator lists them. */
export function isLinkLocalAddress(address: string): boolean {
  const ip = parsed(address);
  return ip === undefined || destination(ip).range() === 'linkLocal';
}
