import { allowingRule, parseAllowlist } from '../../lambda/net/host-allowlist';

describe('parseAllowlist', () => {
  it('reads hosts, ports, wildcards and plain-http entries', () => {
    // Act
    const rules = parseAllowlist('grafana.example.com, *.corp.example:8443, http://10.0.0.5:3000');

    // Assess
    expect(rules).toEqual([
      { host: 'grafana.example.com', wildcard: false, port: undefined, http: false },
      { host: 'corp.example', wildcard: true, port: 8443, http: false },
      { host: '10.0.0.5', wildcard: false, port: 3000, http: true },
    ]);
    expect(allowingRule(new URL('https://a.corp.example:8443/x.png'), rules)).toBe(rules[1]);
  });

  it.each([
    ['*', /a star is only allowed as "\*\." in front of a domain/],
    ['grafana.*.example.com', /a star is only allowed/],
    ['*.com', /would allow a whole top-level domain/],
    ['https://user:pass@grafana.example.com', /carries credentials; list the host only/],
    ['https://grafana.example.com/render', /not a URL path/],
  ])('refuses %s at start-up, saying why, rather than allowing nothing (or everything)', (entry, message) => {
    // Act
    const parsing = () => parseAllowlist(entry);

    // Assess
    expect(parsing).toThrow(message);
  });
});
