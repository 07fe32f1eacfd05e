// The result's panels, each drawn from the engine's one result and nothing else: the verdict,
// the breakdown and its bar, vLLM's capacity or requirements, the solver's answers and the
// ways to fit, the settings the engine used, the model's facts and the warnings. No engine calls.
'use strict';

(function render(page) {
  const { $, element, gib, count, facts } = page;

  const KEYS = ['model_weights', 'activations', 'gradients', 'optimizer_states', 'kv_cache', 'cuda_graphs',
    'non_torch_memory', 'compilation_overhead', 'fragmentation_overhead', 'safety_margin', 'total'];
  const LABELS = {
    model_weights: 'Model weights', activations: 'Activations', gradients: 'Gradients', optimizer_states: 'Optimizer states',
    kv_cache: 'KV cache', cuda_graphs: 'CUDA graphs', non_torch_memory: 'Non-torch memory',
    compilation_overhead: 'Compilation overhead', fragmentation_overhead: 'Fragmentation', safety_margin: 'Safety margin',
    total: 'Total',
  };
  // vLLM's parts in its own terms (docs/formulas.md maps them onto the spec's keys).
  const VLLM_LABELS = {
    activations: 'Activations (profiling peak)', non_torch_memory: 'Non-torch memory (NCCL, cuBLAS)',
    kv_cache: 'KV cache', fragmentation_overhead: 'Budget left (under one KV block)',
  };
  // llama.cpp's buffers as its start-up log names them.
  const LLAMACPP_LABELS = {
    model_weights: 'Model buffer (GPU layers)', activations: 'Compute buffer', kv_cache: 'KV buffer',
    non_torch_memory: 'CUDA context (outside its buffers)',
  };
  // SGLang's parts as its log and server arguments name them.
  const SGLANG_LABELS = {
    kv_cache: 'KV pool and request table', activations: 'Attention buffers and forward passes',
    non_torch_memory: 'CUDA context and communicators',
  };
  page.BREAKDOWN_KEYS = KEYS;
  page.label = (key, framework) => (framework === 'vllm' && VLLM_LABELS[key]) || (framework === 'llama.cpp' && LLAMACPP_LABELS[key]) ||
    (framework === 'sglang' && SGLANG_LABELS[key]) || LABELS[key];

  // Each breakdown row's nodes, found once: an update rewrites them without a query.
  const rows = new Map();
  page.buildBreakdownRows = function buildBreakdownRows() {
    const body = $('#breakdown-rows');
    for (const key of KEYS) {
      const value = element('td', { className: 'num' });
      value.dataset.testid = 'breakdown-' + key;
      const why = element('span', { className: 'why' });
      why.dataset.testid = 'why-' + key;
      const label = element('span', { className: 'label' });
      const bar = key === 'total' ? null : element('div', { className: 'bar' });
      const row = element('tr', { className: key === 'total' ? 'total' : '' }, [
        element('td', {}, [label, why]), value, element('td', { className: 'share' }, bar ? [bar] : [])]);
      rows.set(key, { row, value, label, why, bar });
      body.append(row);
    }
  };

  // A component is "large" from this share of the total: its why is shown under it.
  const LARGE = 0.05;

  function renderBreakdown(result) {
    const b = result.breakdown;
    for (const key of KEYS) {
      const { row, value, label, why, bar } = rows.get(key);
      value.textContent = gib(b[key]);
      value.dataset.value = String(b[key]);
      label.textContent = page.label(key, result.framework);
      const text = result.explanations?.[key];
      why.textContent = text && b[key] >= LARGE * b.total ? text : '';
      why.hidden = !why.textContent;
      // A component this result does not hold stays out of the way.
      row.hidden = b[key] === 0 && !['model_weights', 'activations', 'kv_cache', 'total'].includes(key);
      if (bar) bar.style.width = b.total > 0 ? `${(100 * b[key] / b.total).toFixed(1)}%` : '0';
    }
    $('[data-testid="basis"]').textContent = `The figures are GiB per GPU: ${result.breakdown_basis}.`;
    $('[data-testid="estimator"]').textContent = `Estimator: ${result.estimator} (the reference specification's class), mode ${result.mode}.`;
    const stack = $('[data-testid="stack"]');
    const parts = KEYS.filter((key) => key !== 'total' && b[key] > 0);
    stack.replaceChildren(...parts.map((key) => {
      const segment = element('span', { className: 'segment ' + key, title: `${page.label(key, result.framework)}: ${gib(b[key])} GiB` });
      segment.style.width = `${(100 * b[key] / b.total).toFixed(2)}%`;
      segment.dataset.key = key;
      return segment;
    }));
    stack.setAttribute('aria-label', 'Memory per GPU: ' + parts.map((key) => `${page.label(key, result.framework)} ${gib(b[key])} GiB`).join(', '));
    // The bar's legend: every part it shows, with its colour (the table below has the figures).
    $('[data-testid="legend"]').replaceChildren(...parts.map((key) => element('li', {}, [
      element('span', { className: 'swatch ' + key }), `${page.label(key, result.framework)} ${gib(b[key])}`])));
  }

  function renderVerdict(result) {
    const v = result.verdict;
    const node = $('[data-testid="verdict"]');
    node.className = 'verdict ' + (v.status === 'no_gpu' ? 'no-gpu' : v.ok ? 'fits' : 'too-big');
    node.dataset.status = v.status;
    node.textContent = v.summary;
    // When it does not fit: the engine's own ways that would, first three in its order.
    const ways = v.ok || v.status === 'no_gpu' ? [] : result.alternatives.filter((way) => way.ok).slice(0, 3);
    const steps = $('[data-testid="next-steps"]');
    steps.hidden = ways.length === 0;
    steps.replaceChildren(...ways.map((way) => element('li', { textContent: `Would fit with ${way.label}: ${gib(way.needed_gib)} GiB per GPU` })));
  }

  function renderCapacity(result) {
    const panel = $('[data-testid="capacity"]');
    const c = result.kv_cache_capacity, q = result.requirements, p = result.sglang_pool;
    panel.hidden = !c && !q && !p;
    if (p) {
      $('#capacity-title').textContent = 'SGLang\u2019s memory pool on this GPU';
      $('#capacity-facts').replaceChildren(...facts([
        ['Free before the weights', `${gib(p.free_gib)} GiB`, 'free'],
        [`Static share (mem_fraction_static ${p.mem_fraction_static})`, `${gib(p.static_gib)} GiB`, 'static'],
        ['Weights', `${gib(p.weights_gib)} GiB`, 'weights'],
        ['KV pool', `${gib(p.kv_pool_gib)} GiB`, 'kv-pool'],
        ['max_total_num_tokens', `${count(p.max_total_num_tokens)} tokens of ${count(p.cell_bytes)} bytes`, 'tokens'],
        [`Requests of ${count(p.context_len)} tokens at once`, `${p.full_length_requests.toFixed(2)}x (max_running_requests ${count(p.max_running_requests)})`, 'concurrency'],
        ['CUDA graphs', p.cuda_graph_max_bs ? `${gib(p.cuda_graph_gib)} GiB (batches up to ${p.cuda_graph_max_bs})` : 'off', 'graphs'],
        ['Left for forward passes (available_gpu_mem)', `${gib(p.available_gib)} GiB`, 'available'],
      ], 'capacity-'));
    } else if (c) {
      $('#capacity-title').textContent = 'vLLM\u2019s KV cache on this GPU';
      $('#capacity-facts').replaceChildren(...facts([
        ['Budget (memory \u00d7 utilization)', `${gib(c.budget_gib)} GiB`, 'budget'],
        ['Weights', `${gib(c.weights_gib)} GiB`, 'weights'],
        ['Activation peak (profiling run)', `${gib(c.activation_peak_gib)} GiB`, 'activation'],
        ['Non-torch memory', `${gib(c.non_torch_gib)} GiB`, 'non-torch'],
        [c.cuda_graph_in_budget ? 'CUDA graphs (in the budget)' : 'CUDA graphs (on top of the budget)', `${gib(c.cuda_graph_gib)} GiB`, 'graphs'],
        ['Available for the KV cache', `${gib(c.available_gib)} GiB`, 'available'],
        ['KV blocks', `${count(c.num_gpu_blocks)} \u00d7 ${c.block_size} tokens`, 'blocks'],
        ['KV cache size', `${count(c.tokens)} tokens`, 'tokens'],
        [`Requests of ${count(c.max_model_len)} tokens at once`, `${c.max_concurrency.toFixed(2)}x (max_num_seqs ${count(c.max_num_seqs)})`, 'concurrency'],
        ['One request of max_model_len needs', `${gib(c.needed_for_one_request_gib)} GiB`, 'one-request'],
      ], 'capacity-'));
    } else if (q) {
      const sglang = result.framework === 'sglang';
      $('#capacity-title').textContent = sglang ? 'The GPU SGLang needs' : 'The GPU vLLM needs';
      $('#capacity-facts').replaceChildren(...facts(sglang ? [
        ['To start (one request of context_length)', `${gib(q.to_start_gib)} GiB`, 'to-start'],
      ] : [
        ['To start (one request of max_model_len)', `${gib(q.to_start_gib)} GiB`, 'to-start'],
        ['To hold every sequence at full length', `${gib(q.all_sequences_gib)} GiB`, 'all-sequences'],
        ['KV cache for every sequence (the spec\u2019s demand)', `${gib(result.kv_cache_demand_gib)} GiB`, 'demand'],
      ], 'capacity-'));
    }
  }

  function renderSolver(result) {
    const panel = $('[data-testid="solver"]');
    panel.hidden = result.solver.length === 0 && result.alternatives.length === 0;
    const rows = result.solver.map((answer) => {
      const text = answer.value === null ? (answer.note ?? 'none') : `${count(answer.value)}` +
        (answer.needed_gib !== null ? ` (needs ${gib(answer.needed_gib)} GiB` + (answer.past !== null ? `; ${count(answer.past)} does not run)` : ')') : '') +
        (answer.note ? ` \u2014 ${answer.note}` : '');
      const dd = element('dd', { textContent: text });
      dd.dataset.testid = 'solver-' + answer.field;
      if (answer.value !== null) dd.dataset.value = String(answer.value);
      return [element('dt', { textContent: answer.question }), dd];
    });
    $('#solver-facts').replaceChildren(...rows.flat());
    const ways = $('[data-testid="alternatives"]');
    ways.hidden = result.alternatives.length === 0;
    ways.replaceChildren(...result.alternatives.map((way) => {
      const item = element('li', { className: way.ok ? 'fits' : 'too-big',
        textContent: `${way.ok ? 'Fits' : 'Does not fit'} with ${way.label}: ${gib(way.needed_gib)} GiB` });
      item.dataset.ok = String(way.ok);
      return item;
    }));
  }

  // What runs, as people say it.
  const ENGINE_WORDS = {
    'transformers/inference': 'transformers generate()', 'transformers/training': 'PyTorch training',
    'deepspeed/training': 'DeepSpeed ZeRO training', 'vllm/inference': 'vLLM serving',
    'llama.cpp/inference': 'llama.cpp serving', 'sglang/inference': 'SGLang serving',
  };

  function renderModel(result, name) {
    const m = result.model;
    const size = m.total_parameters >= 1e9 ? `${(m.total_parameters / 1e9).toFixed(2)}B` : `${(m.total_parameters / 1e6).toFixed(1)}M`;
    $('[data-testid="summary"]').textContent =
      `${gib(result.breakdown.total)} GiB per GPU \u00b7 ${name} (${size} parameters) \u00b7 ${ENGINE_WORDS[`${result.framework}/${result.mode}`] ?? result.framework}`;
    $('#model-facts').replaceChildren(...facts([
      ['Architecture', m.architecture, 'architecture'],
      ['Parameters', count(m.total_parameters), 'total_parameters'],
      ...(m.num_experts > 0 ? [['Active per token', count(m.active_parameters_per_token), 'active_parameters_per_token'],
        ['Experts', `${m.num_experts} (${m.experts_per_token} per token)`, 'num_experts']] : []),
      ['Parameters per GPU', count(m.parameters_per_gpu), 'parameters_per_gpu'],
      ['Layers \u00d7 hidden', `${m.num_hidden_layers} \u00d7 ${m.hidden_size}`, 'shape'],
      ['Heads (KV heads) \u00d7 dim', `${m.num_attention_heads} (${m.num_key_value_heads}) \u00d7 ${m.head_dim}`, 'heads'],
      ['Weights dtype', m.weights_as !== 'stored' ? `${page.choiceLabel('checkpoint.weights_as', m.weights_as)} (what if)`
        : m.quantization_bits ? `${m.quantization_bits}-bit quantized` : m.storage_dtype, 'dtype'],
      ['Weights (whole model)', `${(m.weight_bytes / 1e9).toFixed(2)} GB (${count(m.weight_bytes)} bytes)`, 'weight_bytes'],
      ['Weights from', m.weights_from === 'config.json' ? 'config.json\u2019s formula'
        : m.weights_from === 'GGUF header' ? `its GGUF header: ${count(m.checkpoint_tensor_bytes)} bytes, layer by layer`
        : `its safetensors headers: ${count(m.checkpoint_tensor_bytes)} bytes`, 'weights_from'],
      ['KV cache per token per GPU', `${count(result.kv_cache_bytes_per_token)} bytes`, 'kv_per_token'],
      ...(result.llamacpp_buffers ? [['Layers on the GPU', `${result.llamacpp_buffers.offloaded_layers}/${result.llamacpp_buffers.total_layers}`, 'offloaded_layers']] : []),
      ...(result.cpu_memory_gib !== undefined ? [[result.llamacpp_buffers ? 'System memory' : 'CPU memory per node', `${gib(result.cpu_memory_gib)} GiB`, 'cpu_memory']] : []),
    ], 'model-'));
    if (result.explanations?.cpu_memory) {
      // Why the host needs it, under the figure (a second <dd> of the same term).
      const why = element('dd', { className: 'why', textContent: result.explanations.cpu_memory });
      why.dataset.testid = 'why-cpu_memory';
      $('[data-testid="model-cpu_memory"]').after(why);
    }
    const settings = $('[data-testid="settings"]');
    settings.hidden = result.settings.length === 0;
    $('#settings-list').replaceChildren(...result.settings.map((s) => {
      const item = element('li', { textContent: `${s.path.split('.')[1]} = ${JSON.stringify(s.value)} \u2014 ${s.source}` });
      item.dataset.path = s.path;
      return item;
    }));
    $('[data-testid="warnings"]').replaceChildren(...result.warnings.map((text) => element('li', { textContent: text })));
    $('#notes-title').hidden = result.warnings.length === 0;
    const phases = $('[data-testid="training-phases"]');
    phases.hidden = !result.training;
    if (result.training) {
      const t = result.training;
      const step = `optimizer step ${gib(t.optimizer_step_gib)} GiB`;
      const backward = `forward/backward ${gib(t.forward_backward_gib)} GiB (activations ${gib(t.activations_gib)} GiB)`;
      phases.textContent = t.peak_phase === 'optimizer_step'
        ? `Peak in the optimizer step: ${step}; ${backward}, freed before the step. ${count(t.trainable_parameters_per_gpu)} trainable parameters per GPU.`
        : `Peak at the start of backward: ${backward}; ${step}. ${count(t.trainable_parameters_per_gpu)} trainable parameters per GPU.`;
    }
  }

  /** Every panel from one result; `name` is the model as the visitor knows it. */
  page.renderResult = function renderResult(result, name) {
    $('#results').classList.remove('stale');
    for (const button of document.querySelectorAll('[data-needs-result]')) button.disabled = false;
    renderVerdict(result);
    renderBreakdown(result);
    renderCapacity(result);
    renderSolver(result);
    renderModel(result, name);
  };

  /**
   * No answer for the current input: every panel of the last one is cleared, so nothing on the
   * page can be read as the answer to this input (the pinned comparison is past answers, named).
   * `why` says why: the input has an error, or the engine is still loading.
   */
  page.renderNothing = function renderNothing(why = 'No answer until the input is fixed (see the message above).') {
    $('#results').classList.add('stale');
    const verdict = $('[data-testid="verdict"]');
    verdict.className = 'verdict stale';
    verdict.dataset.status = '';
    verdict.textContent = why;
    for (const testid of ['capacity', 'solver', 'settings', 'training-phases', 'next-steps']) $(`[data-testid="${testid}"]`).hidden = true;
    for (const testid of ['summary', 'basis', 'estimator']) $(`[data-testid="${testid}"]`).textContent = '';
    for (const testid of ['stack', 'legend', 'warnings']) $(`[data-testid="${testid}"]`).replaceChildren();
    $('[data-testid="stack"]').setAttribute('aria-label', 'No breakdown until the input is fixed');
    $('#notes-title').hidden = true;
    $('#model-facts').replaceChildren();
    for (const { value, why, bar } of rows.values()) {
      value.textContent = '\u2014';
      delete value.dataset.value;
      why.textContent = '';
      if (bar) bar.style.width = '0';
    }
    for (const button of document.querySelectorAll('[data-needs-result]')) button.disabled = true;
    page.cancelCharts();
    $('#charts').replaceChildren();
  };
})(globalThis.LlmMemPage ??= {});
