"""The one HTML/JS page every web app is: a paged list of records and a detail view per record,
filled from the app's config and its state (``GET /api/state``), saving every change back
(``PUT /api/state``). Plain DOM, no framework, no network beyond its own server.

Routes: ``#/list/N`` (page N of the list), ``#/item/ID`` (one record, its status actions and
its note) and ``#/start`` (a neutral page that shows no record and links nowhere: where each
remembering errand begins). Rendering a list page appends it to ``state.pages_seen`` (the app's log of pages
reviewed). ``window.__pending`` counts saves in flight, so a driver can wait until the server
holds what the page shows; ``window.__go(hash)`` navigates and renders at once.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.tracks.web.apps import App

_SCRIPT = r"""
const CONFIG = __CONFIG__;
let state = null;
window.__pending = 0;
window.__ready = false;

async function save() {
  window.__pending++;
  try {
    await fetch('/api/state', {method: 'PUT', headers: {'Content-Type': 'application/json'},
                               body: JSON.stringify(state)});
  } finally { window.__pending--; }
}
function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}
function pages() { return Math.max(1, Math.ceil(state.records.length / CONFIG.page_size)); }
function render() {
  window.__shown = location.hash;
  const main = document.getElementById('main');
  main.replaceChildren();
  if (location.hash === '#/start') {
    main.append(el('h1', CONFIG.heading + ': ready for your request'));
    return;
  }
  const item = location.hash.match(/^#\/item\/(.+)$/);
  if (item) return renderItem(main, decodeURIComponent(item[1]));
  const list = location.hash.match(/^#\/list\/(\d+)$/);
  renderList(main, list ? Number(list[1]) : 1);
}
function renderList(main, n) {
  const total = pages();
  if (n < 1 || n > total) { main.append(el('h1', 'Page ' + n + ' does not exist')); return; }
  main.append(el('h1', CONFIG.heading + ', page ' + n + ' of ' + total));
  const ul = el('ul');
  for (const r of state.records.slice((n - 1) * CONFIG.page_size, n * CONFIG.page_size)) {
    const li = el('li');
    li.append(el('a', r.id, {href: '#/item/' + r.id}));
    li.append(el('span', ' ' + r.title + ' · ' + CONFIG.who_label + ' ' + r.who + ' · ' + r.date
                 + ' · ' + CONFIG.value_label + ' ' + r.value + ' · ' + r.status));
    ul.append(li);
  }
  main.append(ul);
  const nav = el('nav', null, {'aria-label': 'pages'});
  if (n > 1) nav.append(el('a', 'Previous page', {href: '#/list/' + (n - 1)}));
  if (n < total) nav.append(el('a', 'Next page', {href: '#/list/' + (n + 1)}));
  main.append(nav);
  window.__list = n;
  state.pages_seen.push(n);
  save();
}
function renderItem(main, id) {
  const r = state.records.find(x => x.id === id);
  if (!r) { main.append(el('h1', 'No ' + CONFIG.noun + ' ' + id)); return; }
  main.append(el('h1', CONFIG.noun_title + ' ' + r.id + ': ' + r.title));
  for (const [label, value] of [[CONFIG.who_label, r.who], ['Date', r.date],
                                [CONFIG.value_label, r.value], ['Status', r.status],
                                ['Note', r.note || '(none)']]) {
    main.append(el('p', label + ': ' + value));
  }
  for (const [label, status] of CONFIG.actions) {
    const button = el('button', label);
    button.addEventListener('click', () => { r.status = status; render(); save(); });
    main.append(button);
  }
  const input = el('input', null, {id: 'note', type: 'text'});
  input.value = r.note;
  main.append(el('label', 'Note', {for: 'note'}), input);
  const saveNote = el('button', 'Save note');
  saveNote.addEventListener('click', () => { r.note = input.value.trim(); render(); save(); });
  main.append(saveNote);
  main.append(el('a', 'Back to list', {href: '#/list/' + (window.__list || 1)}));
}
window.__go = (hash) => { location.hash = hash; render(); };
document.addEventListener('click', (event) => {
  const a = event.target.closest('a');
  if (!a || !a.getAttribute('href').startsWith('#')) return;
  event.preventDefault();
  window.__go(a.getAttribute('href'));
});
window.addEventListener('hashchange', () => { if (location.hash !== window.__shown) render(); });
fetch('/api/state').then(r => r.json()).then(s => { state = s; render(); window.__ready = true; });
"""


def app_config(app: App, page_size: int) -> dict[str, Any]:
    """What the page needs to know about its app (no records: those are state)."""
    return {
        "heading": app.heading, "noun": app.noun, "noun_title": app.noun.capitalize(),
        "who_label": app.who_label, "value_label": app.value_label,
        "actions": [list(a) for a in app.actions], "page_size": page_size,
    }  # fmt: skip


def render_page(app: App, page_size: int) -> str:
    """The app's single HTML page."""
    config = json.dumps(app_config(app, page_size)).replace("</", "<\\/")
    script = _SCRIPT.replace("__CONFIG__", config)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{app.heading}</title></head><body><main id='main'></main>"
        f"<script>{script}</script></body></html>"
    )
