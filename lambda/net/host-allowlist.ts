/**
 * The team's URL-host allowlist (`ATTACHMENT_URL_HOSTS`, comma-separated). Entries:
 * `grafana.example.com` (https, port 443), `grafana.example.com:8443`, `*.example.com` (any subdomain),
 * `http://grafana.internal:3000` (plain http, allowed for that host only).
 * An entry that is an IP address is taken as the operator's explicit decision to allow that address, private or not;
 * host names must resolve to public addresses.
 */
import { isIP } from 'node:net';

export interface HostRule {
  readonly host: string;
  readonly wildcard: boolean;
  readonly port: number | undefined;
  readonly http: boolean;
}

/** Parses the allowlist; throws on an entry that is not a host, so a typo fails at start-up, not at fetch time. */
export function parseAllowlist(text: string | undefined): HostRule[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const http = entry.toLowerCase().startsWith('http://');
      const bare = entry.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
      const wildcard = bare.startsWith('*.');
      // A star anywhere else would be taken as a host name that never matches: the rule would silently allow nothing.
      if ((wildcard ? bare.slice(2) : bare).includes('*')) {
        throw new Error(`ATTACHMENT_URL_HOSTS: "${entry}": a star is only allowed as "*." in front of a domain (*.example.com)`);
      }
      let parsed: URL;
      try {
        parsed = new URL(`https://${wildcard ? bare.slice(2) : bare}`);
      } catch {
        throw new Error(`ATTACHMENT_URL_HOSTS: "${entry}" is not a host name`);
      }
      if (wildcard && !parsed.hostname.includes('.')) {
        throw new Error(`ATTACHMENT_URL_HOSTS: "${entry}" would allow a whole top-level domain; name a domain of your own (*.example.com)`);
      }
      if (parsed.username || parsed.password) {
        throw new Error(`ATTACHMENT_URL_HOSTS: "${entry}" carries credentials; list the host only`);
      }
      if (parsed.pathname !== '/' || parsed.search) {
        throw new Error(`ATTACHMENT_URL_HOSTS: "${entry}" must be a host, optionally with a port, not a URL path`);
      }
      return { host: parsed.hostname.toLowerCase(), wildcard, port: parsed.port ? Number(parsed.port) : undefined, http };
    });
}

/** The rule that lets `url` be fetched, if any. */
export function allowingRule(url: URL, rules: readonly HostRule[]): HostRule | undefined {
  const host = url.hostname.toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return rules.find((rule) => {
    if (url.protocol === 'http:' && !rule.http) return false;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const hostMatches = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
    const defaultPort = url.protocol === 'https:' ? 443 : 80;
    return hostMatches && port === (rule.port ?? defaultPort);
  });
}

/** Whether the rule names an IP address, which the operator has allowed as written. */
export function isAddressRule(rule: HostRule): boolean {
  return isIP(rule.host.replace(/^\[|\]$/g, '')) !== 0;
}
