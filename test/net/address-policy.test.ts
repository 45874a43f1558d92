/**
 * The address check behind every connection the relay makes to a configured or payload-named host: only public
 * unicast passes, and an IPv6 address carrying an IPv4 address is judged by the IPv4 address it carries.
 */
import { isInternalAddress, isLinkLocalAddress } from '../../lambda/net/address-policy';

describe('isInternalAddress', () => {
  it.each([
    ['Google DNS', '8.8.8.8'],
    ['Cloudflare DNS', '1.1.1.1'],
    ['just outside 172.16/12', '172.32.0.1'],
    ['just outside 100.64/10', '100.128.0.1'],
    ['just outside 198.18/15', '198.20.0.1'],
    ['the top of unicast, below 240/4', '223.255.255.254'],
    ['Cloudflare DNS over IPv6', '2606:4700:4700::1111'],
    ['a Google IPv6 address', '2a00:1450:4001:80b::200e'],
    ['a public IPv6 address with a zone', '2606:4700:4700::1111%eth0'],
  ])('allows %s (%s)', (_what, address) => {
    // Act
    const internal = isInternalAddress(address);

    // Assess
    expect(internal).toBe(false);
  });

  it.each([
    ['this network, 0/8', '0.1.2.3'],
    ['the unspecified address', '0.0.0.0'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.20.0.5'],
    ['private 192.168/16', '192.168.1.10'],
    ['loopback', '127.0.0.1'],
    ['loopback, the rest of 127/8', '127.255.0.9'],
    ['instance metadata (link-local)', '169.254.169.254'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['IETF protocol assignments, 192.0.0/24', '192.0.0.8'],
    ['documentation TEST-NET-1', '192.0.2.1'],
    ['documentation TEST-NET-2', '198.51.100.7'],
    ['documentation TEST-NET-3', '203.0.113.9'],
    ['benchmarking, 198.18/15', '198.19.255.1'],
    ['the former 6to4 relay anycast', '192.88.99.1'],
    ['AS112 sinks', '192.175.48.1'],
    ['AMT relays', '192.52.193.1'],
    ['multicast', '224.0.0.1'],
    ['multicast, SSDP', '239.255.255.250'],
    ['reserved 240/4', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['IPv6 unspecified', '::'],
    ['IPv6 loopback', '::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with a zone', 'fe80::1%eth0'],
    ['IPv6 unique-local fc00::/8', 'fc00::1'],
    ['IPv6 unique-local fd00::/8', 'fd12:3456::1'],
    ['IPv6 site-local', 'fec0::1'],
    ['IPv6 multicast, link scope', 'ff02::1'],
    ['IPv6 multicast, global scope', 'ff0e::1'],
    ['IPv6 documentation 2001:db8::/32', '2001:db8::1'],
    ['IPv6 documentation 3fff::/20', '3fff::1'],
    ['IPv6 benchmarking', '2001:2::1'],
    ['IPv6 discard-only', '100::1'],
    ['IPv6 ORCHIDv2', '2001:20::1'],
    ['IPv6 AMT', '2001:3::1'],
    ['IPv6 AS112', '2001:4:112::1'],
    ['IPv6 segment routing', '5f00::1'],
    ['IPv4-translated (SIIT), even of a public address', '::ffff:0:8.8.8.8'],
    ['local-use NAT64, even of a public address', '64:ff9b:1::808:808'],
    ['local-use NAT64 of a private address', '64:ff9b:1::a00:1'],
    ['the rest of 64:ff9b::/32, outside global unicast', '64:ff9b:2::1'],
    ['outside global unicast 2000::/3, low', '1fff::1'],
    ['outside global unicast 2000::/3, high', '4000::1'],
  ])('refuses %s (%s)', (_what, address) => {
    // Act
    const internal = isInternalAddress(address);

    // Assess
    expect(internal).toBe(true);
  });

  describe('IPv6 addresses that carry an IPv4 address', () => {
    it.each([
      ['IPv4-mapped, dotted', 'loopback', '::ffff:127.0.0.1'],
      ['IPv4-mapped, hex', 'private 10/8', '::ffff:a00:1'],
      ['IPv4-mapped, hex', 'instance metadata', '::ffff:a9fe:a9fe'],
      ['IPv4-mapped, written out', 'private 192.168/16', '0000:0000:0000:0000:0000:FFFF:C0A8:0101'],
      ['IPv4-mapped, dotted', 'carrier-grade NAT', '::ffff:100.64.0.1'],
      ['NAT64 well-known prefix, dotted', 'private 10/8', '64:ff9b::10.0.0.1'],
      ['NAT64 well-known prefix, hex', 'instance metadata', '64:ff9b::a9fe:a9fe'],
      ['NAT64 well-known prefix, hex', 'loopback', '64:ff9b::7f00:1'],
      ['6to4', 'private 192.168/16', '2002:c0a8:101::1'],
      ['6to4', 'instance metadata', '2002:a9fe:a9fe::'],
      ['6to4, with subnet and host bits', 'loopback', '2002:7f00:1:1::1'],
      ['IPv4-compatible, dotted', 'loopback', '::127.0.0.1'],
      ['IPv4-compatible, hex', 'private 172.16/12', '::ac10:1'],
    ])('refuses %s of %s (%s)', (_form, _what, address) => {
      // Act
      const internal = isInternalAddress(address);

      // Assess
      expect(internal).toBe(true);
    });

    it.each([
      ['IPv4-mapped, dotted', '::ffff:8.8.8.8'],
      ['IPv4-mapped, hex', '::ffff:101:101'],
      ['IPv4-mapped, written out', '0:0:0:0:0:ffff:808:808'],
      ['NAT64 well-known prefix, dotted', '64:ff9b::1.1.1.1'],
      ['NAT64 well-known prefix, hex', '64:ff9b::808:808'],
      ['6to4', '2002:808:808::1'],
      ['IPv4-compatible, dotted', '::8.8.8.8'],
      ['IPv4-compatible, hex', '::808:808'],
    ])('allows %s of a public address (%s)', (_form, address) => {
      // Act
      const internal = isInternalAddress(address);

      // Assess
      expect(internal).toBe(false);
    });

    it.each([
      ['the RFC 4380 example', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
      ['server and client public', '2001:0:808:808:8000:63bf:f7f7:fbfb'],
      ['server private', '2001:0:a00:1:8000:63bf:f7f7:fbfb'],
    ])('refuses Teredo whatever it carries: %s (%s)', (_what, address) => {
      // Act
      const internal = isInternalAddress(address);

      // Assess
      expect(internal).toBe(true);
    });
  });

  it.each([
    ['nothing', ''],
    ['a host name', 'localhost'],
    ['a domain name', 'example.com'],
    ['a bracketed IPv6 literal', '[::1]'],
    ['a padded address', ' 8.8.8.8'],
    ['a trailing space', '8.8.8.8 '],
    ['an octet over 255', '256.8.8.8'],
    ['five octets', '8.8.8.8.8'],
    ['two double colons', '2606::4700::1111'],
    ['a group over four digits', '2606:4700:4700::11111'],
    ['a zone ipaddr.js cannot read', '2606:4700:4700::1111%eth0.1'],
    ['legacy octal, which ipaddr.js reads as 8.0.0.1', '010.0.0.1'],
    ['legacy hex inside an IPv4-mapped address', '::ffff:0x8.8.8.8'],
    ['legacy short form', '8.8'],
    ['legacy hex', '0x8.0x8.0x8.0x8'],
    ['legacy single number', '134744072'],
  ])('refuses what is not a plain address: %s (%j)', (_what, address) => {
    // Act
    const internal = isInternalAddress(address);

    // Assess
    expect(internal).toBe(true);
  });
});

describe('isLinkLocalAddress', () => {
  it.each([
    ['instance metadata', '169.254.169.254'],
    ['the bottom of 169.254/16', '169.254.0.1'],
    ['the ECS task metadata endpoint', '169.254.170.2'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 link-local with a zone', 'fe80::a9fe:a9fe%eth0'],
    ['the top of fe80::/10', 'febf::1'],
    ['instance metadata, IPv4-mapped dotted', '::ffff:169.254.169.254'],
    ['instance metadata, IPv4-mapped hex', '::ffff:a9fe:a9fe'],
    ['instance metadata, NAT64', '64:ff9b::a9fe:a9fe'],
    ['instance metadata, 6to4', '2002:a9fe:a9fe::'],
    ['instance metadata, IPv4-compatible dotted', '::169.254.169.254'],
    ['instance metadata, IPv4-compatible hex', '::a9fe:a9fe'],
    ['what is not an address', 'metadata.internal'],
  ])('calls %s (%s) link-local', (_what, address) => {
    // Act
    const linkLocal = isLinkLocalAddress(address);

    // Assess
    expect(linkLocal).toBe(true);
  });

  it.each([
    ['a public address', '8.8.8.8'],
    ['just below 169.254/16', '169.253.255.255'],
    ['just above 169.254/16', '169.255.0.1'],
    ['private 10/8', '10.0.0.1'],
    ['loopback', '127.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['IPv6 unique-local', 'fd00::a9fe:a9fe'],
    ['IPv6 site-local, just above fe80::/10', 'fec0::1'],
    ['a public IPv6 address', '2606:4700:4700::1111'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['6to4 of a public address', '2002:808:808::'],
  ])('does not call %s (%s) link-local', (_what, address) => {
    // Act
    const linkLocal = isLinkLocalAddress(address);

    // Assess
    expect(linkLocal).toBe(false);
  });
});
