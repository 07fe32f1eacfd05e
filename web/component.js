// <llm-memory-calculator>: the calculator for documentation pages. A classic script, loaded
// with the engine and the bundled models by one tag: llm-memory-calculator.js.
//
//   <llm-memory-calculator model="llama-3.1-8b" framework="vllm" gpu="H100" compact></llm-memory-calculator>
//
// Attributes: model (a preset id) or config-url (a config.json to fetch), framework
// (transformers | vllm | deepspeed), gpu (a catalogue name such as "H100", or its memory in GiB),
// batch, context, tp, vllm-version, compact. It shows the engine's own verdict and, for vLLM, its capacity:
// the same result the page shows for the same scenario.
// Its shadow DOM keeps the host page's CSS out and its own in; every instance on a page shares
// one WebAssembly engine.
'use strict';

(function defineCalculatorElement() {
  if (customElements.get('llm-memory-calculator')) return;
  // Resolved now: document.currentScript is only set while this script first runs.
  const stylesheet = new URL('component.css', document.currentScript ? document.currentScript.src : location.href).href;
  const engine = () => (globalThis.__llmMemEngine ??= globalThis.createLlmMem());
  const ROWS = [
    ['model_weights', 'Weights'], ['activations', 'Activations'], ['gradients', 'Gradients'],
    ['optimizer_states', 'Optimizer states'], ['kv_cache', 'KV cache'], ['cuda_graphs', 'CUDA graphs'],
    ['non_torch_memory', 'Non-torch memory'], ['fragmentation_overhead', 'Fragmentation'], ['safety_margin', 'Safety margin'],
  ];

  // Integers with thousands separators, by hand: toLocaleString() would first load the locale data.
  const count = (value) => String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  class LlmMemoryCalculator extends HTMLElement {
    static get observedAttributes() { return ['model', 'config-url', 'framework', 'gpu', 'batch', 'context', 'tp', 'vllm-version', 'weights-as', 'compact']; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = stylesheet;
      this.output = document.createElement('div');
      this.output.className = 'calculator';
      this.output.setAttribute('part', 'calculator');
      root.append(link, this.output);
    }

    connectedCallback() { this.render(); }
    attributeChangedCallback() { if (this.isConnected) this.render(); }

    async config() {
      const url = this.getAttribute('config-url');
      if (url) {
        const response = await fetch(new URL(url, document.baseURI));
        if (!response.ok) throw new Error(`config-url: HTTP ${response.status} for ${url}`);
        // Bounded like every door: read no further than the limit, check nesting before parsing.
        const calculator = await engine();
        const text = await calculator.readResponseText(response, 'config-url');
        calculator.checkJsonText(text, 'config-url');
        return { label: url.split('/').slice(-4, -3)[0] || url, config: JSON.parse(text) };
      }
      const id = this.getAttribute('model') || 'llama-3.1-8b';
      const preset = (globalThis.LLM_MEM_PRESETS || []).find((p) => p.id === id || (p.old_ids ?? []).includes(id));
      if (!preset) throw new Error(`model: no bundled preset "${id}" (load gen/presets.js, or give config-url)`);
      return { label: preset.model_id || id, config: preset.config };
    }

    request(config) {
      // A plain decimal is a number; anything else goes as written, for the engine to name
      // ("0x40" is not 64).
      const number = (name) => {
        if (!this.hasAttribute(name)) return undefined;
        const value = this.getAttribute(name);
        return /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      };
      const framework = this.getAttribute('framework') || 'transformers';
      const request = { config, framework, workload: {}, parallelism: {}, framework_config: {} };
      const batch = number('batch'), context = number('context');
      if (framework === 'vllm') {
        if (batch !== undefined) request.workload.max_num_seqs = batch;
        if (context !== undefined) request.workload.max_model_len = context;
      } else {
        if (batch !== undefined) request.workload.batch_size = batch;
        if (context !== undefined) request.workload.sequence_length = context;
      }
      if (number('tp') !== undefined) request.parallelism.tensor_parallel_size = number('tp');
      if (this.hasAttribute('vllm-version')) request.framework_config.vllm_version = this.getAttribute('vllm-version');
      // "What if I quantize it?": awq, fp8, nf4-dq, q4_k_m... as the request's checkpoint.weights_as.
      if (this.hasAttribute('weights-as')) request.checkpoint = { weights_as: this.getAttribute('weights-as') };
      const gpu = this.getAttribute('gpu');
      if (gpu !== null && gpu.trim() !== '') {
        // A number is the GPU's memory in GiB; anything else a catalogue name the engine resolves.
        if (/^\d+(\.\d+)?$/.test(gpu.trim())) request.framework_config.gpu_memory_gib = Number(gpu);
        else request.framework_config.gpu = gpu.trim();
      }
      return request;
    }

    async render() {
      const ticket = (this.ticket = (this.ticket || 0) + 1);
      const text = (tag, content, className) => Object.assign(document.createElement(tag), { textContent: content, className: className || '' });
      try {
        const [calculator, { label, config }] = await Promise.all([engine(), this.config()]);
        if (ticket !== this.ticket) return;  // a newer render is under way
        const result = calculator.estimate(this.request(config));
        const b = result.breakdown;
        const parts = [text('p', label, 'model'), text('p', `${b.total.toFixed(2)} GiB per GPU`, 'total')];
        parts[1].dataset.value = String(b.total);
        parts[1].setAttribute('part', 'total');
        const v = result.verdict;
        const verdict = text('p', v.summary, 'fit ' + (v.status === 'no_gpu' ? 'no-gpu' : v.ok ? 'fits' : 'too-big'));
        verdict.dataset.status = v.status;
        verdict.setAttribute('part', 'verdict');
        parts.push(verdict);
        const c = result.kv_cache_capacity;
        if (c) {
          const capacity = text('p', `${count(c.tokens)} tokens of KV cache: ${c.max_concurrency.toFixed(2)} requests of ` +
                                     `${count(c.max_model_len)} tokens at once`, 'capacity');
          capacity.dataset.tokens = String(c.tokens);
          parts.push(capacity);
        }
        if (!this.hasAttribute('compact')) {
          const table = document.createElement('table');
          for (const [key, name] of ROWS) {
            if (!(b[key] > 0)) continue;
            const row = document.createElement('tr');
            row.append(text('td', name), text('td', b[key].toFixed(2), 'num'));
            table.append(row);
          }
          parts.push(table);
        }
        parts.push(text('p', `${result.estimator}, ${result.mode}`, 'muted'));
        this.output.replaceChildren(...parts);
      } catch (error) {
        if (ticket !== this.ticket) return;
        this.output.replaceChildren(text('p', error.message, 'error'));
      }
    }
  }
  customElements.define('llm-memory-calculator', LlmMemoryCalculator);
})();
