/**
 * The local page: the stand-in's messages as Spaces would show them, newest first, and a "try a payload" panel.
 *
 * A bodyText is never part of the page. Each post is shown in its own `<iframe sandbox srcdoc>` with a policy that
 * allows no script and no request, so whatever a bodyText holds (it is the relay's escaped HTML, but the page must not
 * rely on that) can only be displayed. The sandbox keeps the frame's origin (`allow-same-origin`) so that the page's
 * own script can size it to its content; without `allow-scripts` nothing inside it can run, and links open outside.
 * The page's script (`stand-in-page-script.js`, the only script the page's policy allows) refreshes the list and runs the
 * panel; it inserts only HTML built here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment } from '../model/message';
import { attr } from '../render/body-text';
import type { PreviewedMessage } from '../render/preview';
import type { Fixture } from './fixture-catalog';

/**
 * The page's own policy: its script and styles, images and calls to itself (and the empty `data:` icon that keeps
 * the browser from asking for a favicon); frames only of its own srcdoc.
 */
export const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'";

/** The policy inside each message frame: styles only. Nothing loads, nothing runs, even if the sandbox were lifted. */
const FRAME_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/** How Spaces lays out a message's text, applied inside each frame. */
const FRAME_STYLE =
  'body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d2125;overflow-wrap:anywhere}p{margin:.3rem 0}ul{margin:.3rem 0;padding-left:1.2rem}li{margin:.2rem 0}a{color:#0c66e4}';

/** A file of a posted message, as the page shows it. */
export interface PageFile {
  readonly url: string;
  readonly name: string;
  readonly size: number;
  /** Spaces' kind of file: `image`, `video`, `audio` or `document`. */
  readonly fileType: string;
  readonly thumbnailUrl?: string;
}

/** A posted message, as the page shows it. */
export interface PageMessage {
  readonly created: string;
  readonly spaceId: string;
  readonly bodyText: string;
  readonly edits: number;
  readonly files: readonly PageFile[];
}

/** What the try panel offers. */
export interface TryPanel {
  readonly sources: readonly string[];
  readonly fixtures: readonly Fixture[];
}

/** `1.2 MB`: a size as a person reads it. */
export function readableSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** One post's text in its sandboxed frame. */
function frame(bodyText: string): string {
  const doc = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${FRAME_POLICY}"><base target="_blank"><style>${FRAME_STYLE}</style></head><body>${bodyText}</body></html>`;
  return `<iframe class="body" title="message text" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" srcdoc="${attr(doc)}"></iframe>`;
}

function file(entry: PageFile): string {
  const name = attr(entry.name);
  const caption = `${name} · ${attr(readableSize(entry.size))}`;
  if (entry.fileType === 'image') {
    const shown = attr(entry.thumbnailUrl ?? entry.url);
    return `<figure class="image"><a href="${attr(entry.url)}" target="_blank"><img src="${shown}" alt="${name}"></a><figcaption>${caption}${entry.thumbnailUrl ? ' · thumbnail' : ''}</figcaption></figure>`;
  }
  return `<div class="file">📎 <a href="${attr(entry.url)}" target="_blank">${name}</a> <span class="size">${attr(readableSize(entry.size))}</span> <span class="kind">${attr(entry.fileType)}</span></div>`;
}

/** The posted messages, newest first. */
export function messageCards(messages: readonly PageMessage[]): string {
  if (messages.length === 0) return '<p class="empty"><i>No messages yet.</i></p>';
  return [...messages]
    .reverse()
    .map((message) => {
      const edited = message.edits > 0 ? ` · <span class="edited">edited${message.edits > 1 ? ` ${message.edits}×` : ''}</span>` : '';
      const header = `<header><time>${attr(message.created)}</time> · space ${attr(message.spaceId)}${edited}</header>`;
      return `<article class="message">${header}${frame(message.bodyText)}${message.files.map(file).join('')}</article>`;
    })
    .join('\n');
}

/** A file a preview would attach: named, not fetched. */
function wouldAttach(attachment: Attachment): string {
  const where = attachment.kind === 's3' ? `s3://${attachment.bucket}/${attachment.key}` : attachment.url;
  return `<div class="file">📎 ${attr(attachment.name ?? where)} <span class="size">attached when delivered, from ${attr(where)}</span></div>`;
}

/** What a preview would post: each message with its posts, or a line saying it posts nothing. */
export function previewCards(previewed: readonly PreviewedMessage[]): string {
  if (previewed.length === 0) return '<p class="empty"><i>Nothing to post: the relay acknowledges this payload without a message.</i></p>';
  return previewed
    .map((entry, index) => {
      const posts = entry.bodyTexts.length > 1 ? ` · ${entry.bodyTexts.length} posts` : '';
      const header = `<header>message ${index + 1} of ${previewed.length} · channel ${attr(entry.channel)}${posts} · not sent</header>`;
      return `<article class="message preview">${header}${entry.bodyTexts.map(frame).join('')}${entry.message.attachments.map(wouldAttach).join('')}</article>`;
    })
    .join('\n');
}

function tryPanel(panel: TryPanel): string {
  const sources = panel.sources.map((name) => `<option>${attr(name)}</option>`).join('');
  const fixtures = panel.sources
    .map((source) => {
      const options = panel.fixtures
        .filter((fixture) => fixture.source === source)
        .map((fixture) => `<option value="${attr(`${fixture.source}/${fixture.name}`)}">${attr(fixture.name)}</option>`)
        .join('');
      return options ? `<optgroup label="${attr(source)}">${options}</optgroup>` : '';
    })
    .join('');
  return `<section id="try"><h2>Try a payload</h2>
<p class="hint">Shows what the relay would post for a payload, without sending it.</p>
<form id="try-form">
<label>Source <select name="source">${sources}</select></label>
<label>Fixture <select name="fixture"><option value="">(paste below)</option>${fixtures}</select></label>
<label>Channel <input name="channel" placeholder="default"></label>
<label>Token <input name="token" type="password" placeholder="WEBHOOK_TOKEN, if set" autocomplete="off"></label>
<label class="wide">Payload <textarea name="body" rows="6" spellcheck="false" placeholder='{"text": "Hello"}'></textarea></label>
<label class="wide">Headers <textarea name="headers" rows="2" spellcheck="false" placeholder="X-GitHub-Event: workflow_run"></textarea></label>
<button type="submit">Render</button>
</form>
<div id="try-result" aria-live="polite"></div></section>`;
}

/** The whole page: the try panel, then the messages. `base` is where the stand-in is mounted; `version` tells the script when to refresh. */
export function standInPage(base: string, cards: string, version: string, panel: TryPanel): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>spaces-relay — local space</title><link rel="icon" href="data:,"><style>
body{font:15px/1.4 system-ui,sans-serif;max-width:48rem;margin:1.5rem auto;padding:0 1rem;background:#f4f5f7;color:#1d2125}
h1{font-size:1.4rem;margin:.2rem 0} h2{font-size:1.1rem;margin:.2rem 0 .5rem}
article,#try{background:#fff;border-radius:8px;padding:.6rem 1rem;margin:.75rem 0;box-shadow:0 1px 2px #0002}
article.preview{border-left:4px solid #8f7ee7}
header{font-size:.75rem;color:#6b778c;margin-bottom:.2rem} .edited{color:#a54800;font-weight:600}
iframe.body{display:block;width:100%;height:3rem;border:0}
figure{margin:.4rem 0} img{max-width:100%;max-height:20rem;border-radius:4px;border:1px solid #dfe1e6}
figcaption,.file{font-size:.8rem;color:#44546f} .file{margin:.3rem 0} .size,.kind{color:#6b778c}
form{display:grid;grid-template-columns:1fr 1fr;gap:.4rem .8rem} label{display:flex;flex-direction:column;font-size:.8rem;color:#44546f}
.wide{grid-column:1/-1} textarea,input,select{font:13px ui-monospace,monospace;padding:.3rem} button{justify-self:start;padding:.35rem 1rem}
.error{color:#ae2e24;white-space:pre-wrap} .hint{font-size:.8rem;color:#6b778c;margin:0 0 .5rem}
</style><script src="${attr(base)}/page.js" defer></script></head><body>
<h1>Local space</h1><p class="hint">What the relay posted, newest first; the list refreshes by itself. JSON at <a href="${attr(base)}/messages">${attr(base)}/messages</a>.</p>
${tryPanel(panel)}
<h2>Messages</h2><div id="messages" data-version="${attr(version)}">${cards}</div>
</body></html>`;
}

/** The page's script, read once. */
let script: string | undefined;
export function pageScript(): string {
  script ??= readFileSync(join(__dirname, 'stand-in-page-script.js'), 'utf8');
  return script;
}
