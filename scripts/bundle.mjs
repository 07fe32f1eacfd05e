// dist/: the static site, self-contained (no CDN, no server code, relative URLs), for any host
// and sub-path or straight from disk: the page, the <llm-memory-calculator> component, the
// service worker and the generated engine and presets.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'gen'), { recursive: true });
for (const file of ['index.html', 'styles.css', 'component.js', 'component.css', 'llm-memory-calculator.js', 'favicon.svg', 'sw.js', 'embed.html',
                    'gen/llm-mem.js', 'gen/llm-mem-single.js', 'gen/llm-mem-stream.js', 'gen/llm-mem.wasm', 'gen/page.js', 'gen/presets.js']) {
  cpSync(join(web, file), join(dist, file), { recursive: true });
}
writeFileSync(join(dist, 'README.txt'),
  'The LLM memory calculator as a static site: serve this folder from any path, or open index.html.\n' +
  'Embedding: see embed.html (the <llm-memory-calculator> element and an iframe snippet).\n');
console.log('dist/: the static site');
