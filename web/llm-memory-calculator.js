// One tag for documentation pages: <script src=".../llm-memory-calculator.js" defer></script>
// loads, relative to this file, the engine's loader, the bundled models and the
// <llm-memory-calculator> element, in that order. Then place the element anywhere:
//   <llm-memory-calculator model="llama-3.1-8b" framework="vllm" gpu="H100"></llm-memory-calculator>
// (weights-as="q4_k_m", "awq", "fp8"... answers for the model quantized that way.)
'use strict';

(function loadCalculator() {
  if (globalThis.__llmMemLoading) return;  // the tag twice on one page
  globalThis.__llmMemLoading = true;
  // Resolved now: document.currentScript is only set while this script first runs.
  const here = document.currentScript ? document.currentScript.src : location.href;
  for (const file of ['gen/llm-mem.js', 'gen/presets.js', 'component.js']) {
    const script = document.createElement('script');
    script.src = new URL(file, here).href;
    script.async = false;  // dynamically inserted scripts run in insertion order only so
    document.head.append(script);
  }
})();
