// The local page's script (see stand-in-page.ts): sizes the message frames, refreshes the list when the stand-in
// has something new, and runs the "try a payload" panel. It inserts only HTML the server built; a payload's text is
// only ever inside a sandboxed frame.
'use strict';
(() => {
  const list = document.getElementById('messages');
  const form = document.getElementById('try-form');
  const result = document.getElementById('try-result');

  /** Each frame as tall as its text: the sandbox keeps the frame's origin, so its height can be read from here. */
  const sizeFrames = (root) => {
    for (const frame of root.querySelectorAll('iframe.body')) {
      const fit = () => {
        const doc = frame.contentDocument;
        if (doc && doc.documentElement) frame.style.height = `${doc.documentElement.scrollHeight}px`;
      };
      frame.addEventListener('load', fit);
      fit();
    }
  };

  const refresh = async () => {
    try {
      const response = await fetch('cards', { cache: 'no-store' });
      if (response.ok) {
        const { version, html } = await response.json();
        if (version !== list.dataset.version) {
          list.dataset.version = version;
          list.innerHTML = html;
          sizeFrames(list);
        }
      }
    } catch {
      // The relay stopped or restarted: try again at the next tick.
    }
    setTimeout(refresh, 1000);
  };

  const showError = (message) => {
    const line = document.createElement('p');
    line.className = 'error';
    line.textContent = message;
    result.replaceChildren(line);
  };

  /** "Name: value" lines as an object; lines without a colon are left out. */
  const headerLines = (text) =>
    Object.fromEntries(
      text
        .split('\n')
        .filter((line) => line.includes(':'))
        .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]),
    );

  form.fixture.addEventListener('change', async () => {
    if (!form.fixture.value) return;
    const [source, name] = form.fixture.value.split('/');
    const response = await fetch(`fixtures/${encodeURIComponent(source)}/${encodeURIComponent(name)}`);
    if (!response.ok) return showError(`cannot read fixture ${name}`);
    const { body, headers } = await response.json();
    form.source.value = source;
    form.body.value = body;
    form.headers.value = Object.entries(headers)
      .map(([header, value]) => `${header}: ${value}`)
      .join('\n');
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const request = { source: form.source.value, body: form.body.value, headers: headerLines(form.headers.value) };
    if (form.channel.value) request.channel = form.channel.value;
    const headers = { 'content-type': 'application/json' };
    if (form.token.value) headers.authorization = `Bearer ${form.token.value}`;
    try {
      const response = await fetch('preview', { method: 'POST', headers, body: JSON.stringify(request) });
      const answer = await response.json();
      if (!response.ok) return showError(answer.message);
      result.innerHTML = answer.html;
      sizeFrames(result);
    } catch (error) {
      showError(`the relay did not answer: ${error.message}`);
    }
  });

  sizeFrames(list);
  setTimeout(refresh, 1000);
})();
