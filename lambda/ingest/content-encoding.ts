/**
 * `Content-Encoding` of a webhook body. A gzipped body used to be taken as it was and posted as garbage; now gzip and
 * deflate are decoded — with the body limit applied to the decoded size, so a small compressed body that expands to
 * gigabytes (a zip bomb) is a 413 and never held in memory whole — and any other encoding is a 415.
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../runtime/errors';
import type { InboundRequest } from '../sources/source';

const SUPPORTED = ['gzip', 'x-gzip', 'deflate', 'identity'];

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the decoded body is larger than the limit of ${limit} bytes`, {
    problems: [{ field: 'body', problem: `larger than ${limit} bytes once decoded` }],
  });
}

/** One decoding step, stopped as soon as the output passes `limit`. */
function decode(body: Buffer, coding: string, limit: number): Buffer {
  // One byte past the limit is enough to know it is too large.
  const options = { maxOutputLength: limit + 1 };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body, options);
    if (coding === 'deflate') {
      // HTTP's deflate is zlib-wrapped; some senders send the raw stream, as browsers tolerate.
      try {
        return inflateSync(body, options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
        return inflateRawSync(body, options);
      }
    }
    return body;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new UnsupportedMediaTypeError(`the body is not valid ${coding} data`, {
      problems: [{ field: 'content-encoding', problem: `body is not ${coding}` }],
      cause: error,
    });
  }
}

/** The request with its body decoded (codings applied in the order listed are undone in reverse), within `limit`. */
export function decodedRequest(request: InboundRequest, limit: number): InboundRequest {
  const header = request.headers['content-encoding'];
  if (!header) return request;
  const codings = header.split(',').map((coding) => coding.trim().toLowerCase()).filter(Boolean);
  const unsupported = codings.find((coding) => !SUPPORTED.includes(coding));
  if (unsupported) {
    throw new UnsupportedMediaTypeError(`Content-Encoding "${unsupported}" is not accepted; send the body as it is, or gzip or deflate it`, {
      problems: [{ field: 'content-encoding', problem: 'expected gzip, deflate or identity' }],
    });
  }
  let body = request.body;
  for (const coding of [...codings].reverse()) body = decode(body, coding, limit);
  if (body.length > limit) throw tooLarge(limit);
  return body === request.body ? request : { ...request, body };
}
