// What leaves the page: the response as JSON, a Markdown summary (scenario, GPU, verdict,
// capacity, breakdown), the link; and the comparison of up to three pinned scenarios, kept in
// the link. All of it read from results, none recomputed.
'use strict';

(function share(page) {
  const { $, element, gib, count } = page;
  const ENGINES = { transformers: 'transformers', vllm: 'vLLM', deepspeed: 'DeepSpeed', 'llama.cpp': 'llama.cpp', sglang: 'SGLang' };

  /** The GPU a result was computed for, as the engine resolved it. */
  function gpuOf(request, result) {
    const f = request.framework_config || {};
    const memory = result.verdict.gpu_memory_gib;
    if (memory === undefined) return 'none chosen';
    return f.gpu ? `${f.gpu} (${gib(memory)} GiB)` : `${gib(memory)} GiB`;
  }

  /** What sets a scenario apart, in the request's own terms. */
  function scenarioOf(request, result) {
    const w = request.workload || {}, p = request.parallelism || {}, f = request.framework_config || {};
    const parts = [`${ENGINES[result.framework]} ${result.mode}`];
    const c = result.kv_cache_capacity;
    if (result.framework === 'vllm') {
      const setting = (path) => result.settings.find((s) => s.path === path)?.value;
      parts.push(`max_model_len ${count(c ? c.max_model_len : setting('workload.max_model_len') ?? w.max_model_len ?? 0)}`);
      if (w.max_num_seqs) parts.push(`max_num_seqs ${w.max_num_seqs}`);
    } else if (result.framework === 'llama.cpp') {
      const b = result.llamacpp_buffers;
      const setting = (path) => result.settings.find((s) => s.path === path)?.value;
      parts.push(`-c ${count(setting('framework_config.ctx_size') ?? 0)}`);
      if (b) parts.push(`-ngl ${b.offloaded_layers}/${b.total_layers}`);
    } else if (result.framework === 'sglang') {
      const setting = (path) => result.settings.find((s) => s.path === path)?.value;
      parts.push(`context ${count(setting('framework_config.context_length') ?? 0)}`, `mem_fraction_static ${setting('framework_config.mem_fraction_static')}`);
    } else {
      parts.push(`batch ${w.batch_size ?? 1}`, `sequence ${count(w.sequence_length ?? 512)}`);
    }
    if (w.kv_cache_dtype && w.kv_cache_dtype !== 'auto') parts.push(`KV ${w.kv_cache_dtype}`);
    if (p.tensor_parallel_size > 1) parts.push(`TP ${p.tensor_parallel_size}`);
    if (p.data_parallel_size > 1) parts.push(`DP ${p.data_parallel_size}`);
    if (p.zero_stage) parts.push(`ZeRO-${p.zero_stage}`);
    if (f.fine_tuning && f.fine_tuning !== 'full') parts.push(f.fine_tuning);
    if (f.gradient_checkpointing && f.gradient_checkpointing !== 'none') parts.push('checkpointing');
    return parts.join(', ');
  }

  /** The KV cache a vLLM result holds, in one line; null for other engines. */
  function capacityOf(result) {
    const p = result.sglang_pool;
    if (p) return `${count(p.max_total_num_tokens)} tokens in SGLang's pool; ${p.full_length_requests.toFixed(2)} requests of ${count(p.context_len)} tokens at once`;
    const c = result.kv_cache_capacity;
    if (!c) return null;
    return `${count(c.tokens)} tokens of KV cache (${count(c.num_gpu_blocks)} blocks); ${c.max_concurrency.toFixed(2)} requests of ${count(c.max_model_len)} tokens at once`;
  }

  page.markdown = function markdown({ request, result, name }) {
    const m = result.model;
    const lines = ['| Component | GiB per GPU |', '| --- | ---: |',
      ...page.BREAKDOWN_KEYS.filter((key) => key === 'total' || result.breakdown[key] > 0)
        .map((key) => `| ${page.label(key, result.framework)} | ${gib(result.breakdown[key])} |`)];
    const facts = [
      `- Model: ${name} (${count(m.total_parameters)} parameters)`,
      `- Scenario: ${scenarioOf(request, result)}`,
      `- GPU: ${gpuOf(request, result)}`,
      `- Verdict: ${result.verdict.summary}`,
      ...(capacityOf(result) ? [`- Capacity: ${capacityOf(result)}`] : []),
    ];
    return `**${name}** on ${gpuOf(request, result)}\n\n${facts.join('\n')}\n\n${lines.join('\n')}\n\n` +
      `Figures in GiB (1024^3 bytes): ${result.breakdown_basis}.\n`;
  };

  const pinned = [];  // { name, request, result, state }
  page.pinnedStates = () => pinned.map((pin) => pin.state);

  function renderComparison() {
    const section = $('[data-testid="comparison"]');
    section.hidden = pinned.length === 0;
    const head = element('tr', {}, [element('th', { scope: 'col', textContent: 'Scenario' }),
      ...pinned.map((pin, i) => {
        const remove = element('button', { type: 'button', textContent: '\u00d7' });
        remove.setAttribute('aria-label', `Remove ${pin.name} from the comparison`);
        remove.addEventListener('click', () => { pinned.splice(i, 1); renderComparison(); page.update(); });
        return element('th', { scope: 'col', className: 'pin' }, [`${i + 1}. ${pin.name} `, remove]);
      })]);
    const row = (label, key, cell, className = '') => {
      const cells = pinned.map((pin) => {
        const td = element('td', { className: 'num', textContent: cell(pin) });
        td.dataset.testid = `compare-${key}`;
        return td;
      });
      return element('tr', { className }, [element('th', { scope: 'row', textContent: label }), ...cells]);
    };
    const rows = [
      row('Engine', 'engine', (pin) => scenarioOf(pin.request, pin.result)),
      row('GPU', 'gpu', (pin) => gpuOf(pin.request, pin.result)),
      row('Verdict', 'verdict', (pin) => ({ fits: 'fits', does_not_fit: 'does not fit', starts: 'starts', refuses: 'refuses to start', no_gpu: 'no GPU chosen' })[pin.result.verdict.status]),
      row('KV cache', 'tokens', (pin) => (pin.result.kv_cache_capacity ? `${count(pin.result.kv_cache_capacity.tokens)} tokens, ${pin.result.kv_cache_capacity.max_concurrency.toFixed(2)}x` : '\u2014')),
      ...page.BREAKDOWN_KEYS.filter((key) => key === 'total' || pinned.some((pin) => pin.result.breakdown[key] > 0))
        .map((key) => row(`${page.label(key)} (GiB)`, key, (pin) => gib(pin.result.breakdown[key]), key === 'total' ? 'total' : '')),
    ];
    $('[data-testid="compare"]').replaceChildren(element('thead', {}, [head]), element('tbody', {}, rows));
  }

  function pin(entry) {
    if (pinned.length === 3) pinned.shift();
    pinned.push(entry);
    renderComparison();
  }

  /** Answers the link's pinned scenarios again; returns what could not be used, or null. */
  page.restoreComparison = function restoreComparison(calculator) {
    const list = page.pendingComparison;
    page.pendingComparison = undefined;
    if (list === undefined) return null;
    if (!Array.isArray(list)) return 'link.compare: must be a list of scenarios';
    const problems = [];
    list.slice(-3).forEach((state, i) => {
      try {
        if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new Error('must be a scenario object');
        const { preset, config, ...scenario } = state;
        const known = preset !== undefined ? page.findPreset(preset) : null;
        if (preset !== undefined && !known) throw new Error(`unknown preset ${JSON.stringify(String(preset))}`);
        const parsed = known ? known.config : typeof config === 'string' ? JSON.parse(config) : config;
        const request = { config: parsed, ...scenario };
        const result = calculator.estimate(request);
        pin({ name: page.nameOf(parsed, result, known?.model_id ?? ''), request, result, state: known ? { ...state, preset: known.id } : state });
      } catch (error) {
        problems.push(`link.compare[${i}]: ${error.message}`);
      }
    });
    page.update();
    return problems.length ? problems.join('; ') : null;
  };

  page.wireExports = function wireExports(current) {
    $('[data-testid="export-json"]').addEventListener('click', () => {
      const { request, result } = current();
      if (!result) return;
      const blob = new Blob([JSON.stringify({ request, response: result }, null, 2)], { type: 'application/json' });
      const link = element('a', { href: URL.createObjectURL(blob), download: 'llm-memory-estimate.json' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    const copy = async (text, what) => {
      const status = $('[data-testid="export-status"]');
      $('[data-testid="export-text"]').value = text;
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = `${what} copied.`;
      } catch (error) {
        status.textContent = `Could not copy (${error.message}); select and copy it from here:`;
        $('[data-testid="export-text"]').hidden = false;
      }
    };
    $('[data-testid="export-markdown"]').addEventListener('click', () => current().result && copy(page.markdown(current()), 'Markdown'));
    $('[data-testid="export-link"]').addEventListener('click', () => copy(location.href, 'Link'));
    $('[data-testid="compare-add"]').addEventListener('click', () => {
      const { request, result, name, state } = current();
      if (!result) return;
      pin({ name, request, result, state });
      page.update();  // the link now carries it
    });
  };
})(globalThis.LlmMemPage ??= {});
