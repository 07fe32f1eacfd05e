#!/usr/bin/env bash
# Builds the native core and tests, the WebAssembly module and the page's generated files.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$jobs"

# Debian's emcc runs its JS optimizer with node and needs the system node modules.
export NODE_PATH=/usr/share/nodejs
emcmake cmake -S . -B build/wasm >/dev/null
cmake --build build/wasm -j "$jobs"

mkdir -p wasm/dist web/gen
# .cjs for node: this package is "type": "module", and node 20 would load a .js as ESM.
cp build/wasm/wasm/llm-mem.js wasm/dist/llm-mem.cjs
# The page's engine: the loader (gen/llm-mem.js) picks the streamed .wasm over http(s), the
# single file from file://.
cp wasm/loader.js web/gen/llm-mem.js
cp build/wasm/wasm/llm-mem.js web/gen/llm-mem-single.js
cp build/wasm/wasm/llm-mem-stream.js web/gen/llm-mem-stream.js
cp build/wasm/wasm/llm-mem-stream.wasm web/gen/llm-mem.wasm
cp wasm/json_bounds.js web/gen/json-bounds.js  # the page checks links and pastes with the core's bounds
node scripts/build-presets.mjs tests/data/configs web/gen/presets.js
node scripts/build-schema.mjs web/gen/schema.js
node scripts/build-first-answer.mjs web/gen/presets.js web/gen/first-answer.js
node scripts/build-page.mjs
node scripts/bundle.mjs
