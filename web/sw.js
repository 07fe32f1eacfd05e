// The app shell for offline use: cached on the first visit. Network first, so an online visit
// always gets the current build (and refreshes the cache); the cache answers when offline.
'use strict';

const VERSION = new URL(self.location.href).searchParams.get('v') || 'dev';
const CACHE = `llm-memory-calculator-${VERSION}`;
const SHELL = ['./', 'index.html', 'styles.css', 'gen/llm-mem.js', 'gen/llm-mem-stream.js', 'gen/llm-mem.wasm', 'gen/llm-mem-single.js', 'gen/page.js', 'gen/presets.js',
               'component.js', 'component.css', 'llm-memory-calculator.js', 'favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith('llm-memory-calculator-') && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

// Only the shell's own files (and navigations to the page): a config fetched by model id,
// even from a same-origin mirror, goes to the network untouched.
const SCOPE = new URL('./', self.location.href);
const shellPaths = new Set(SHELL.map((file) => new URL(file, SCOPE).pathname));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || !shellPaths.has(url.pathname)) return;
  event.respondWith(fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
    })
    .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error())));
});
