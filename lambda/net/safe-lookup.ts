/**
 * Name resolution that refuses internal addresses: used for every connection the relay makes to a host named by
 * configuration or by a payload (allow-listed attachment URLs, SNS certificate and subscription URLs).
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isInternalAddress } from './address-policy';

/** The error code of a connection refused by the address check (not a Node code: ours). */
const ADDRESS_REFUSED = 'EADDRREFUSED';

/** A resolver that refuses internal addresses, so a listed name cannot lead the relay into the VPC. */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const refused = list.find((entry) => isInternalAddress(entry.address));
      if (refused || list.length === 0) {
        const denial = Object.assign(new Error(`${hostname} resolves to an internal address (${refused?.address ?? 'none'})`), {
          code: ADDRESS_REFUSED,
        });
        return callback(denial, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Whether a connection failed because the address check refused it (a policy refusal, not a network fault). */
export function wasRefusedAddress(error: unknown): boolean {
  return ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === ADDRESS_REFUSED;
}
