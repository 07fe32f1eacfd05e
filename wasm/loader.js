// gen/llm-mem.js: createLlmMem() for the page and the <llm-memory-calculator> element, and the
// choice of the engine's build. Over http(s) the engine is a .wasm file fetched and compiled
// while it downloads (WebAssembly.compileStreaming), from the moment this script runs; V8 caches
// that compiled code for the next visit. Opened from disk (file://), where a page may not
// fetch, the single-file build carries the wasm inside its JS. (node and the CLI load
// wasm/dist/llm-mem.cjs, the single file, directly.)
'use strict';

(function engineLoader() {
  if (globalThis.createLlmMem) return;  // a second copy of this script on one page
  const here = new URL('.', document.currentScript ? document.currentScript.src : location.href);
  const streams = here.protocol === 'http:' || here.protocol === 'https:';

  /** Runs one of the builds' scripts once; resolves to its factory. */
  const scripts = new Map();
  function factoryFrom(name) {
    if (!scripts.has(name)) {
      scripts.set(name, new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = new URL(name, here).href;
        script.onload = () => resolve(globalThis.createLlmMemEngine);
        script.onerror = () => reject(new Error(`the engine's script ${script.src} did not load`));
        document.head.append(script);
      }));
    }
    return scripts.get(name);
  }

  // Started now, while the page is still parsed: the download, the compile, the glue script.
  let compiled = null;
  if (streams) {
    const url = new URL('llm-mem.wasm', here).href;
    compiled = WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }))
      // A host that serves .wasm without application/wasm: compile from the bytes instead.
      .catch(() => fetch(url, { credentials: 'same-origin' }).then((response) => response.arrayBuffer()).then((bytes) => WebAssembly.compile(bytes)));
    compiled.then(() => performance.mark('engine-compiled'), () => {});  // a failure is answered below, by the single file
    factoryFrom('llm-mem-stream.js').catch(() => {});
  }

  globalThis.createLlmMem = async function createLlmMem(options = {}) {
    if (compiled) {
      try {
        const [create, module] = await Promise.all([factoryFrom('llm-mem-stream.js'), compiled]);
        // Emscripten waits for done() and has no way to hear of a failed instantiation: the
        // race below hears of it, so the single file can answer instead of nothing.
        let instantiationFailed;
        const failure = new Promise((_, reject) => { instantiationFailed = reject; });
        const ready = create({
          ...options,
          instantiateWasm(imports, done) {
            WebAssembly.instantiate(module, imports).then((instance) => done(instance, module), instantiationFailed);
            return {};  // asynchronous
          },
        });
        return await Promise.race([ready, failure]);
      } catch (error) {
        console.warn(`llm-mem: the streamed engine failed (${error.message}); loading the single-file build`);
      }
    }
    return (await factoryFrom('llm-mem-single.js'))(options);
  };
})();
