/**
 * The one redaction step: what the relay writes anywhere outside itself — log lines, error messages, dead-letter
 * reasons, HTTP answer bodies, notes in the chat — passes through `redact` at a few choke points (the logger's JSON
 * replacer, the `SpacesError`/`CredentialError` constructors, the dead-letter step, the replies, the note renderer).
 * A Spaces answer that echoes the request's `Authorization` header, for one, would otherwise carry the token into all
 * of them.
 *
 * Two kinds of things are removed:
 * - secrets the relay holds, registered by the code that reads or renews them (`registerSecret`): the Spaces token,
 *   the OAuth client secret and refresh tokens, the inbound webhook secret (current and previous). Registering is the
 *   only thing done with them here; nothing is ever logged.
 * - anything that looks like a credential, known or not: `Bearer …`, `Basic …`, `jwt …`, `service_app …`,
 *   `Authorization: …`, `token=…` (and `access_token=`, `client_secret=`, …), `"authorization": "…"` (and the other
 *   credential keys) in JSON, and the userinfo of a URL (`https://user:pass@host` → `https://host`).
 * Each is replaced with {@link REDACTED}. The cost is a few regular expressions and one `replaceAll` per registered
 * secret, on text that is already small (a reason is a sentence).
 */

/** What stands where a secret was. */
export const REDACTED = '[redacted]';

/**
 * Registered secrets shorter than this are not redacted: a short value ("test", "1234", "admin") also occurs in
 * ordinary words and numbers and would blank them out of every log line, while a credential that short is guessable
 * anyway. The relay's own secrets are far longer (the stack generates a 48-character inbound secret; Spaces tokens
 * are JWTs of hundreds).
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Renewed access tokens and rotated refresh tokens are registered as they come, one an hour or so: the oldest are
 * forgotten past this many, so a process that runs for months does not slow down. By then they have long expired.
 */
const MAX_SECRETS = 256;

/** Insertion order is registration order, so the first entries are the oldest. */
const secrets = new Set<string>();
/** The registered values, longest first, so that a secret containing another is removed whole. */
let ordered: string[] = [];

function add(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  // Registered again, a value counts as new: a client secret read with every renewal must outlive the tokens.
  const known = secrets.delete(value);
  secrets.add(value);
  if (known) return;
  if (secrets.size > MAX_SECRETS) secrets.delete(secrets.values().next().value!);
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * Registers a secret the relay holds, so that it never leaves the process in any text. Its JSON-escaped and
 * URL-encoded forms are registered too, as an echo may quote it in either. Values shorter than
 * {@link MIN_SECRET_LENGTH} are ignored.
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined) return;
  add(value);
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
}

/** Keys whose value is a credential wherever they appear: in JSON text, in a form or query, in a logged object. */
const CREDENTIAL_KEY = String.raw`(?:proxy-)?authorization|(?:access|refresh|id)[_-]?token|client[_-]?secret|api[_-]?key|password|token`;
/** The same keys, for a logged object's properties. */
const CREDENTIAL_PROPERTY = new RegExp(`^(?:${CREDENTIAL_KEY})$`, 'i');
/** The schemes of `Authorization` values: HTTP's and the Spaces ones (`jwt`, `service_app`). */
const SCHEME = 'bearer|basic|jwt|service_app';

/** `"authorization": "…"`, `"refresh_token":"…"` in JSON text. */
const JSON_PAIR = new RegExp(`"(${CREDENTIAL_KEY})"(\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'gi');
/** `token=…`, `client_secret=…` in a query string or form body. Not preceded by a word character or `-`. */
const ASSIGNMENT = new RegExp(`(?<![\\w-])(${CREDENTIAL_KEY})=[^\\s&"',;]+`, 'gi');
/** `Authorization: <scheme> <value>` or `Authorization: <value>`, as a header is written. */
const HEADER = new RegExp(`(?<![\\w-])((?:proxy-)?authorization\\s*:\\s*)((?:(?:${SCHEME})\\s+)?)([^\\s"',;]+)`, 'gi');
/** `<scheme> <token68>` (RFC 9110 §11.4) anywhere. */
const SCHEME_VALUE = new RegExp(`(?<![\\w-])(${SCHEME})(\\s+)([\\w\\-.~+/]*[\\w\\-~+/]=*)`, 'gi');
/**
 * The userinfo of a URL: everything up to the last `@` before the host ends (as a URL parser reads it). The scheme's
 * length is bounded so that text like `a.a.a.…` (every letter a possible start) takes linear time, not quadratic.
 */
const USERINFO = /\b([a-z][a-z\d+.-]{0,31}:\/\/)[^\s/?#"'<>]*@/gi;

/** A value that only says where one goes (`<webhook secret>`, `...`): left as it is, so that instructions stay readable. */
function isPlaceholder(value: string): boolean {
  return value.startsWith('<') || value === '...' || value === '…' || value === REDACTED;
}

/**
 * Whether the word after a scheme is a credential rather than prose: "use Bearer or Basic" and "Basic authentication"
 * stay readable, while tokens — which have digits, symbols or mixed case, or are long — go.
 */
function looksLikeCredential(value: string): boolean {
  return value.length >= MIN_SECRET_LENGTH && (value.length >= 20 || /[^A-Za-z]/.test(value) || /[a-z][A-Z]/.test(value));
}

/** `text` with every registered secret, credential-looking value and URL userinfo replaced by {@link REDACTED}. */
export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out
    .replace(USERINFO, '$1')
    .replace(JSON_PAIR, (match, key: string, colon: string, value: string) =>
      isPlaceholder(value) ? match : `"${key}"${colon}"${REDACTED}"`,
    )
    .replace(ASSIGNMENT, (_m, key: string) => `${key}=${REDACTED}`)
    .replace(HEADER, (match, name: string, scheme: string, value: string) =>
      isPlaceholder(value) ? match : `${name}${scheme}${REDACTED}`,
    )
    .replace(SCHEME_VALUE, (match, scheme: string, space: string, value: string) =>
      looksLikeCredential(value) ? `${scheme}${space}${REDACTED}` : match,
    );
}

/**
 * A `JSON.stringify` replacer that redacts: every string is passed through `redact`, and the value of a credential
 * property (`authorization`, `token`, `password`, …) is replaced whole. The logger and the HTTP replies serialize with
 * it, so anything they are handed is covered, however deeply it is nested.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && CREDENTIAL_PROPERTY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  return typeof value === 'string' ? redact(value) : value;
}

/** An error about to leave the process (thrown out of a handler): its message and stack redacted in place. */
export function redactError<T>(error: T): T {
  if (error instanceof Error) {
    error.message = redact(error.message);
    if (error.stack) error.stack = redact(error.stack);
  }
  return error;
}
