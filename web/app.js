// The calculator page: form <-> request <-> URL, rendered from the module's response.
// Talks to the engine only through its JS API (estimate, version). Text from a config is
// always set with textContent, never parsed as HTML.
'use strict';

(function main() {
  // Compile the engine first: it runs off the main thread while the form is built.
  const engine = globalThis.createLlmMem();
  const PRESETS = globalThis.LLM_MEM_PRESETS || [];
  const DEFAULT_PRESET = 'llama-3.1-8b';
  const ALL = ['transformers', 'vllm', 'deepspeed'];

  // Every request field the page offers. `frameworks` limits where a field applies; `modes`
  // likewise. An empty input means "the contract's default", shown as the placeholder.
  const SECTIONS = [
    { legend: 'Framework', fields: [
      { path: 'framework', label: 'Framework', choices: ALL, value: 'transformers' },
      { path: 'workload.mode', label: 'Mode', choices: ['', 'inference', 'training'], frameworks: ['transformers'] },
    ] },
    { legend: 'Workload', fields: [
      { path: 'workload.batch_size', label: 'Batch size', value: '1', placeholder: 1, frameworks: ['transformers', 'deepspeed'] },
      { path: 'workload.sequence_length', label: 'Sequence length', value: '4096', placeholder: 512, frameworks: ['transformers', 'deepspeed'] },
      { path: 'workload.max_num_seqs', label: 'Max concurrent sequences', value: '256', placeholder: 256, frameworks: ['vllm'] },
      { path: 'workload.max_model_len', label: 'Max model length', value: '4096', placeholder: 4096, frameworks: ['vllm'] },
      { path: 'workload.max_num_batched_tokens', label: 'Max batched tokens', placeholder: 8192, frameworks: ['vllm'] },
      { path: 'workload.block_size', label: 'KV block size', placeholder: 16, frameworks: ['vllm'] },
      { path: 'workload.kv_cache_dtype', label: 'KV cache dtype', choices: ['auto', 'bfloat16', 'float16', 'float32', 'fp8', 'fp8_e4m3', 'fp8_e5m2'], frameworks: ['transformers', 'vllm'] },
    ] },
    { legend: 'Parallelism', fields: [
      { path: 'parallelism.tensor_parallel_size', label: 'Tensor parallel', value: '1', placeholder: 1 },
      { path: 'parallelism.pipeline_parallel_size', label: 'Pipeline parallel', value: '1', placeholder: 1 },
      { path: 'parallelism.data_parallel_size', label: 'Data parallel', value: '1', placeholder: 1 },
      { path: 'parallelism.expert_parallel_size', label: 'Expert parallel', value: '1', placeholder: 1 },
      { path: 'parallelism.zero_stage', label: 'ZeRO stage', choices: ['0', '1', '2', '3'], frameworks: ['deepspeed'] },
      { path: 'parallelism.sequence_parallel', label: 'Sequence parallel', bool: true, modes: ['training'] },
    ] },
    { legend: 'Training', fields: [
      { path: 'framework_config.fine_tuning', label: 'Fine-tuning', choices: ['full', 'lora', 'qlora'], modes: ['training'] },
      { path: 'framework_config.lora_rank', label: 'LoRA rank', placeholder: 16, modes: ['training'], when: { 'framework_config.fine_tuning': ['lora', 'qlora'] } },
      { path: 'framework_config.lora_target_modules', label: 'LoRA targets', placeholder: 'q_proj,v_proj or all-linear', list: true, modes: ['training'], when: { 'framework_config.fine_tuning': ['lora', 'qlora'] } },
      // Sensible training defaults: AdamW, pure bf16, no checkpointing.
      { path: 'framework_config.optimizer_type', label: 'Optimizer', choices: ['adamw', 'adamw_fused', 'adam', 'adamw_8bit', 'paged_adamw', 'paged_adamw_8bit', 'adafactor', 'sgd', 'sgd_momentum', 'lion'], modes: ['training'] },
      { path: 'framework_config.training_precision', label: 'Training precision', choices: ['bf16', 'mixed', 'fp32'], modes: ['training'] },
      { path: 'framework_config.gradient_accumulation_steps', label: 'Gradient accumulation steps', placeholder: 1, modes: ['training'] },
      { path: 'framework_config.loss_implementation', label: 'Loss', choices: ['standard', 'chunked'], modes: ['training'] },
      { path: 'framework_config.fsdp', label: 'FSDP sharding', choices: ['none', 'shard_grad_op', 'full_shard'], frameworks: ['transformers'], modes: ['training'] },
      { path: 'framework_config.optimizer_in_backward', label: 'Optimizer in backward', bool: true, frameworks: ['transformers'], modes: ['training'] },
      { path: 'framework_config.offload_activations', label: 'Offload activations', bool: true, modes: ['training'] },
    ] },
    { legend: 'Framework settings', fields: [
      { path: 'framework_config.attention_implementation', label: 'Attention kernel', choices: ['sdpa', 'flash_attention_2', 'eager'], frameworks: ['transformers', 'deepspeed'] },
      { path: 'framework_config.gradient_checkpointing', label: 'Gradient checkpointing', choices: ['none', 'selective', 'full'], modes: ['training'] },
      { path: 'framework_config.offload_optimizer', label: 'Offload optimizer', choices: ['none', 'cpu'], frameworks: ['deepspeed'] },
      { path: 'framework_config.offload_param', label: 'Offload parameters', choices: ['none', 'cpu'], frameworks: ['deepspeed'] },
      { path: 'framework_config.zero_init', label: 'zero.Init (ZeRO-3)', bool: true, default: true, frameworks: ['deepspeed'] },
      { path: 'framework_config.gpus_per_node', label: 'GPUs per node', placeholder: 'min(8, all)', frameworks: ['deepspeed'] },
      { path: 'framework_config.cudagraph_capture_sizes', label: 'CUDA graph sizes', placeholder: 'e.g. 1,2,4,8', list: true, frameworks: ['vllm'] },
      { path: 'framework_config.gpu_memory_gib', label: 'GPU memory (GiB)', placeholder: 'e.g. 79.19' },
      { path: 'framework_config.gpu_compute_capability', label: 'GPU compute capability', placeholder: 'e.g. 9.0', frameworks: ['vllm'] },
      { path: 'framework_config.gpu_memory_utilization', label: 'GPU memory utilization', placeholder: 0.9, frameworks: ['vllm'] },
      { path: 'framework_config.vllm_engine', label: 'vLLM engine', choices: ['v1', 'v0'], frameworks: ['vllm'] },
      { path: 'framework_config.vllm_model_runner', label: 'Model runner (v2 from 0.27)', choices: ['v2', 'v1'], frameworks: ['vllm'] },
      { path: 'framework_config.vllm_sampler', label: 'Sampler (runner v1, V0)', choices: ['pytorch', 'flashinfer'], frameworks: ['vllm'] },
      { path: 'framework_config.non_torch_memory_gib', label: 'Non-torch memory (GiB)', placeholder: 'estimated', frameworks: ['vllm'] },
      { path: 'framework_config.disable_custom_all_reduce', label: 'Custom all-reduce off (PCIe-only GPUs)', bool: true, default: false, frameworks: ['vllm'] },
      { path: 'framework_config.enforce_eager', label: 'Enforce eager (no CUDA graphs)', bool: true, default: false, frameworks: ['vllm'] },
      { path: 'framework_config.profile_cudagraph_memory', label: 'Graphs in the KV budget (runner v1, \u2265 0.21)', bool: true, default: true, frameworks: ['vllm'] },
      { path: 'framework_config.graph_memory_overhead_ratio', label: 'Graph overhead ratio (override)', placeholder: 'params', frameworks: ['vllm'] },
      { path: 'framework_config.graph_batch_scaling_factor', label: 'Graph batch scaling (override)', placeholder: 'params', frameworks: ['vllm'] },
    ] },
    { legend: 'Overhead parameters', advanced: true, fields: [
      { path: 'params.fragmentation_overhead_factor', label: 'Fragmentation factor', placeholder: 1.05 },
      { path: 'params.min_memory_safety_margin_gb', label: 'Min safety margin (GiB)', placeholder: 0.5 },
      { path: 'params.memory_safety_margin_factor', label: 'Safety margin factor', placeholder: 0.02 },
      { path: 'params.activation_recomputation_factor', label: 'Activations kept (override)', placeholder: 'computed' },
      { path: 'params.gradient_memory_multiplier', label: 'Gradient multiplier', placeholder: 1.0 },
      { path: 'params.default_compute_dtype', label: 'Default compute dtype', placeholder: 'float16' },
      { path: 'params.default_storage_dtype', label: 'Default storage dtype', placeholder: 'float16' },
      { path: 'params.graph_memory_overhead_ratio', label: 'Graph overhead ratio', placeholder: 0.1 },
      { path: 'params.graph_batch_scaling_factor', label: 'Graph batch scaling', placeholder: 0.02 },
      { path: 'params.quantization_overhead_multiplier', label: 'Quantization overhead', placeholder: 1.1 },
      { path: 'params.mixed_precision_overhead_multiplier', label: 'Mixed precision overhead', placeholder: 1.05 },
    ] },
  ];
  const FIELDS = SECTIONS.flatMap((section) => section.fields);

  // What each card reports to the framework (torch.cuda.mem_get_info's total, as vLLM logs it
  // where tests/data/vllm has a log; otherwise the vendor's memory less the driver's reserve),
  // and its CUDA compute capability (vLLM picks kernels by it; none for AMD).
  const GPUS = [
    ['H100 80GB SXM', 79.19, 9.0], ['H100 80GB PCIe', 79.19, 9.0], ['H200 141GB', 139.8, 9.0], ['B200 180GB', 178.4, 10.0],
    ['A100 80GB', 79.25, 8.0], ['A100 40GB', 39.39, 8.0], ['L40S 48GB', 44.39, 8.9], ['L4 24GB', 22.06, 8.9],
    ['A10G 24GB', 22.07, 8.6], ['T4 16GB', 14.56, 7.5], ['V100 32GB', 31.74, 7.0], ['V100 16GB', 15.77, 7.0],
    ['RTX 3090 24GB', 23.58, 8.6], ['RTX 4090 24GB', 23.64, 8.9], ['RTX 5090 32GB', 31.36, 12.0], ['MI300X 192GB', 191.98, null],
  ];

  const BREAKDOWN = [
    ['model_weights', 'Model weights'], ['activations', 'Activations'], ['gradients', 'Gradients'],
    ['optimizer_states', 'Optimizer states'], ['kv_cache', 'KV cache'], ['cuda_graphs', 'CUDA graphs'],
    ['compilation_overhead', 'Compilation overhead'], ['fragmentation_overhead', 'Fragmentation'],
    ['safety_margin', 'Safety margin'], ['total', 'Total'],
  ];

  const $ = (selector) => document.querySelector(selector);
  const element = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  };
  const idFor = (path) => 'field-' + path.replace(/\./g, '-');

  const inputs = new Map();  // path -> input/select
  let calculator = null;
  let lastRequest = null;    // the request behind the shown result (solver, exports)
  let lastResult = null;
  let configError = null;    // set when the textarea does not hold a JSON config

  function buildForm() {
    const host = $('#generated-fields');
    for (const section of SECTIONS) {
      const fieldset = element('fieldset', {}, [element('legend', { textContent: section.legend })]);
      const container = section.advanced
        ? element('div', { className: 'grid' })
        : fieldset;
      for (const field of section.fields) {
        // A yes/no field lists the contract's default first and sends only the other value.
        if (field.bool) field.choices = field.default ? ['true', 'false'] : ['false', 'true'];
        const control = field.choices
          ? element('select', {}, field.choices.map((choice) =>
              element('option', { value: choice, textContent: choice === '' ? 'framework default' : choice })))
          : element('input', { type: 'text', inputMode: field.list ? 'text' : 'decimal', placeholder: String(field.placeholder ?? '') });
        control.id = idFor(field.path);
        control.name = field.path;
        control.dataset.testid = field.path;
        control.value = field.value ?? (field.choices ? field.choices[0] : '');
        control.setAttribute('aria-describedby', 'error-' + field.path);
        inputs.set(field.path, control);
        const wrapper = element('div', { className: 'field' }, [
          element('label', { htmlFor: control.id, textContent: field.label }), control,
          element('p', { className: 'field-error', id: 'error-' + field.path }),
        ]);
        wrapper.querySelector('.field-error').dataset.errorFor = field.path;
        field.wrapper = wrapper;
        container.append(wrapper);
      }
      if (section.advanced) {
        fieldset.append(element('details', {}, [element('summary', { textContent: 'Show the spec\u2019s tunable overheads' }), container]));
      }
      section.fieldset = fieldset;
      host.append(fieldset);
    }
  }

  // The GPU picker fills framework_config.gpu_memory_gib and gpu_compute_capability; any other
  // memory reads as "Custom".
  function buildGpuPicker() {
    const memory = inputs.get('framework_config.gpu_memory_gib');
    const capability = inputs.get('framework_config.gpu_compute_capability');
    const picker = element('select', { id: 'gpu', name: 'gpu' }, [
      element('option', { value: '', textContent: 'None (no fit check)' }),
      ...GPUS.map(([name, gib]) => element('option', { value: String(gib), textContent: `${name} (${gib} GiB)` })),
      element('option', { value: 'custom', textContent: 'Custom: type its memory' }),
    ]);
    picker.dataset.testid = 'gpu';
    const wrapper = element('div', { className: 'field' }, [element('label', { htmlFor: 'gpu', textContent: 'GPU' }), picker]);
    memory.closest('.field').before(wrapper);
    // 'input' reaches the picker before the form's listener re-estimates.
    picker.addEventListener('input', () => {
      if (picker.value === 'custom') return memory.focus();
      memory.value = picker.value;
      const gpu = GPUS.find(([, gib]) => String(gib) === picker.value);
      capability.value = gpu?.[2] != null ? gpu[2].toFixed(1) : '';
    });
    syncGpuPicker();
  }

  function syncGpuPicker() {
    const picker = $('#gpu');
    const memory = inputs.get('framework_config.gpu_memory_gib').value.trim();
    const known = GPUS.find(([, gib]) => String(gib) === memory);
    picker.value = memory === '' ? '' : known ? String(known[1]) : 'custom';
  }

  const gpuName = (gib) => (GPUS.find(([, value]) => value === gib) || ['a GPU of ' + gib + ' GiB'])[0];

  function buildPresets() {
    const select = $('#preset');
    select.append(element('option', { value: '', textContent: 'Custom (pasted or uploaded)' }));
    for (const preset of PRESETS) {
      const label = preset.model_id || (preset.config.architectures && preset.config.architectures[0]) || preset.config.model_type || '';
      select.append(element('option', { value: preset.id, textContent: `${preset.id} \u2014 ${label}` }));
    }
  }

  function buildBreakdownRows() {
    const body = $('#breakdown-rows');
    for (const [key, label] of BREAKDOWN) {
      const value = element('td', { className: 'num' });
      value.dataset.testid = 'breakdown-' + key;
      const bar = element('div', { className: 'bar' });
      body.append(element('tr', { className: key === 'total' ? 'total' : '' }, [
        element('td', { textContent: label }), value, element('td', { className: 'share' }, key === 'total' ? [] : [bar]),
      ]));
    }
  }

  const framework = () => inputs.get('framework').value;
  const mode = () => inputs.get('workload.mode').value || (framework() === 'deepspeed' ? 'training' : 'inference');

  function applies(field) {
    const conditions = Object.entries(field.when ?? {});
    return (!field.frameworks || field.frameworks.includes(framework())) && (!field.modes || field.modes.includes(mode())) &&
      conditions.every(([path, values]) => values.includes(inputs.get(path).value));
  }

  // Numbers go as numbers; anything else as typed, so the engine names the field in its error.
  function scalar(text) {
    const trimmed = text.trim();
    return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
  }

  function setPath(target, path, value) {
    const keys = path.split('.');
    let node = target;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys[keys.length - 1]] = value;
  }

  // The engine refuses requests over 4 MiB; a larger paste is refused here before parsing.
  const MAX_CONFIG_BYTES = 4 << 20;

  // The config is parsed again only when its text changed: most inputs touch the scenario.
  let parsedConfig = { text: null, config: null, error: null };
  function readConfig() {
    const text = $('#config-text').value;
    if (text !== parsedConfig.text && text.length > MAX_CONFIG_BYTES) {
      parsedConfig = { text, config: null, error: { field: 'config',
        message: `config: too large: ${text.length} characters, at most ${MAX_CONFIG_BYTES} (4 MiB)` } };
    } else if (text !== parsedConfig.text) {
      try {
        parsedConfig = { text, config: JSON.parse(text), error: null };
      } catch (error) {
        parsedConfig = { text, config: null, error: { field: 'config', message: `config: not valid JSON (${error.message})` } };
      }
    }
    configError = parsedConfig.error;
    return parsedConfig.config;
  }

  /** The request object the form describes (without the config), as sent and shared. */
  function scenarioFromForm() {
    const scenario = {};
    for (const section of SECTIONS) {
      // A group with nothing that applies (Training, when serving) is hidden whole.
      section.fieldset.hidden = !section.advanced && !section.fields.some(applies);
    }
    for (const field of FIELDS) {
      field.wrapper.hidden = !applies(field);
      const raw = inputs.get(field.path).value;
      if (field.wrapper.hidden || raw.trim() === '') continue;
      if (field.bool && raw === String(Boolean(field.default))) continue;  // the contract's default
      const value = field.bool ? raw === 'true'
        : field.list ? raw.split(',').map((part) => part.trim()).filter(Boolean).map(scalar) : scalar(raw);
      setPath(scenario, field.path, value);
    }
    return scenario;
  }

  function showError(error) {
    const box = $('[data-testid="error"]');
    for (const node of document.querySelectorAll('.field-error')) node.textContent = '';
    for (const control of [...inputs.values(), $('#config-text')]) control.removeAttribute('aria-invalid');
    $('#results').classList.toggle('stale', Boolean(error));
    box.hidden = !error;
    box.textContent = error ? error.message : '';
    if (!error) return;
    // Mark the control the field path points at (config.* errors belong to the config box).
    const path = error.field.startsWith('config') ? 'config' : error.field.replace(/\[\d+\]$/, '');
    const control = path === 'config' ? $('#config-text') : inputs.get(path);
    const message = document.getElementById('error-' + path);
    if (control) control.setAttribute('aria-invalid', 'true');
    if (message) message.textContent = error.message;
  }

  const gib = (value) => value.toFixed(2);
  const count = (value) => value.toLocaleString('en-US');

  function render(result) {
    const total = result.breakdown.total;
    for (const [key] of BREAKDOWN) {
      const cell = document.querySelector(`[data-testid="breakdown-${key}"]`);
      const value = result.breakdown[key];
      cell.textContent = gib(value);
      cell.dataset.value = String(value);
      const bar = cell.parentElement.querySelector('.bar');
      if (bar) bar.style.width = total > 0 ? `${(100 * value / total).toFixed(1)}%` : '0';
    }
    renderStack(result.breakdown);
    const m = result.model;
    $('[data-testid="summary"]').textContent =
      `${gib(total)} GiB per GPU for ${m.architecture} (${(m.total_parameters / 1e9).toFixed(2)}B parameters) \u2014 ${result.estimator}, ${result.mode}`;
    renderCapacity(result.kv_cache_capacity);
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
    // The solver's answers, asked once: its panel and the verdict's "fits with" both read them.
    const answers = result.fit ? solveAll() : null;
    const fit = $('[data-testid="fit"]');
    fit.hidden = !result.fit;
    if (result.fit) {
      const f = result.fit;
      const p = lastRequest.parallelism || {};
      const gpus = (p.tensor_parallel_size || 1) * (p.pipeline_parallel_size || 1) * (p.data_parallel_size || 1);
      const where = `${gpus} \u00d7 ${gpuName(f.gpu_memory_gib)}`;
      fit.className = 'fit ' + (f.fits ? 'fits' : 'too-big');
      fit.textContent = f.fits
        ? `Fits on ${where}: ${gib(f.headroom_gib)} GiB to spare per GPU of ${gib(f.usable_gib)} GiB usable.`
        : `Does not fit on ${where}: needs ${gib(-f.headroom_gib)} GiB more per GPU than the ${gib(f.usable_gib)} GiB usable.` +
          fitsOnlyWith(answers.get('parallelism.tensor_parallel_size'));
    }
    renderSolver(answers);
    renderCharts(result);
    const facts = [
      ['Architecture', m.architecture, 'architecture'],
      ['Parameters', count(m.total_parameters), 'total_parameters'],
      ...(m.num_experts > 0 ? [['Active per token', count(m.active_parameters_per_token), 'active_parameters_per_token'],
        ['Experts', `${m.num_experts} (${m.experts_per_token} per token)`, 'num_experts']] : []),
      ['Parameters per GPU', count(m.parameters_per_gpu), 'parameters_per_gpu'],
      ['Layers \u00d7 hidden', `${m.num_hidden_layers} \u00d7 ${m.hidden_size}`, 'shape'],
      ['Heads (KV heads) \u00d7 dim', `${m.num_attention_heads} (${m.num_key_value_heads}) \u00d7 ${m.head_dim}`, 'heads'],
      ['Weights dtype', m.quantization_bits ? `${m.quantization_bits}-bit quantized` : m.storage_dtype, 'dtype'],
      ['KV cache per token per GPU', `${count(result.kv_cache_bytes_per_token)} bytes`, 'kv_per_token'],
      ...(result.cpu_memory_gib !== undefined ? [['CPU memory per node', `${gib(result.cpu_memory_gib)} GiB`, 'cpu_memory']] : []),
    ];
    $('#model-facts').replaceChildren(...facts.flatMap(([label, value, key]) => {
      const dd = element('dd', { textContent: value });
      dd.dataset.testid = 'model-' + key;
      return [element('dt', { textContent: label }), dd];
    }));
    $('[data-testid="warnings"]').replaceChildren(...result.warnings.map((text) => element('li', { textContent: text })));
    $('#notes-title').hidden = result.warnings.length === 0;
  }

  // One stacked bar for the GPU: each component's share of the total, in the table's order.
  function renderStack(breakdown) {
    const stack = $('[data-testid="stack"]');
    const total = breakdown.total;
    const parts = BREAKDOWN.filter(([key]) => key !== 'total' && breakdown[key] > 0);
    stack.replaceChildren(...parts.map(([key, label]) => {
      const segment = element('span', { className: 'segment ' + key, title: `${label}: ${gib(breakdown[key])} GiB` });
      segment.style.width = `${(100 * breakdown[key] / total).toFixed(2)}%`;
      segment.dataset.key = key;
      return segment;
    }));
    stack.setAttribute('aria-label', parts.map(([key, label]) => `${label} ${gib(breakdown[key])} GiB`).join(', '));
  }

  // The solver's answers for the chosen GPU: how far the workload can grow, how few GPUs do.
  const workloadFields = () => framework() === 'vllm'
    ? [['workload.max_num_seqs', 'Largest max_num_seqs'], ['workload.max_model_len', 'Longest max_model_len']]
    : [['workload.batch_size', 'Largest batch'], ['workload.sequence_length', 'Longest sequence']];

  function solveField(field) {
    try {
      return calculator.solve(lastRequest, field);
    } catch (error) {
      return null;  // the estimate itself reports bad input
    }
  }

  const solverFields = () => [...workloadFields(), ['parallelism.tensor_parallel_size', 'Fewest tensor-parallel GPUs']];

  /** field -> the solver's answer (null where the request cannot be solved). */
  function solveAll() {
    return new Map(solverFields().map(([field]) => [field, solveField(field)]));
  }

  function fitsOnlyWith(answer) {
    return answer && answer.value != null ? ` Fits with tensor_parallel_size ${answer.value}.` : ' No tensor-parallel size up to the heads makes it fit.';
  }

  function renderSolver(answers) {
    const panel = $('[data-testid="solver"]');
    panel.hidden = !answers;
    if (!answers) return;
    const rows = solverFields().map(([field, label]) => {
      const answer = answers.get(field);
      const text = !answer ? '\u2014' : answer.value == null ? 'none fits'
        : `${count(answer.value)} (${gib(answer.total_gib)} GiB` +
          (answer.step_past ? `; ${count(answer.step_past.value)} needs ${gib(answer.step_past.total_gib)} GiB)` : ')');
      const dd = element('dd', { textContent: text });
      dd.dataset.testid = 'solver-' + field;
      if (answer && answer.value != null) dd.dataset.value = String(answer.value);
      return [element('dt', { textContent: label }), dd];
    });
    $('#solver-facts').replaceChildren(...rows.flat());
  }

  // Charts: the total against context length and against batch, from one sweep each (the
  // config parsed once), with the chosen GPU's usable memory as a line.
  const SVG = 'http://www.w3.org/2000/svg';
  const svg = (tag, attributes = {}) => {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  };

  function chartAxes() {
    const vllm = framework() === 'vllm';
    const limit = Number(lastRequest.config && (lastRequest.config.max_position_embeddings || lastRequest.config.n_positions)) || 131072;
    const powers = (from, to) => { const out = []; for (let v = from; v <= to; v *= 2) out.push(v); return out; };
    return [
      { key: 'context', field: vllm ? 'workload.max_model_len' : 'workload.sequence_length', label: 'context length (tokens)',
        values: powers(512, Math.max(1024, Math.min(limit, 1 << 20))) },
      { key: 'batch', field: vllm ? 'workload.max_num_seqs' : 'workload.batch_size', label: vllm ? 'max_num_seqs' : 'batch size',
        values: powers(1, 512) },
    ];
  }

  function renderCharts(result) {
    const host = $('#charts');
    const usable = result.fit ? result.fit.usable_gib : null;
    const charts = chartAxes().map((axis) => {
      let sweep;
      try {
        sweep = calculator.sweep(lastRequest, axis.field, axis.values);
      } catch (error) {
        return null;
      }
      const totals = sweep.breakdown.total;
      const width = 320, height = 180, left = 44, bottom = 28, top = 10, right = 8;
      const top_value = Math.max(...totals, usable ?? 0) * 1.05;
      const x = (i) => left + (width - left - right) * (i / Math.max(1, axis.values.length - 1));
      const y = (v) => top + (height - top - bottom) * (1 - v / top_value);
      const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
        'aria-label': `Total GiB per GPU against ${axis.label}: ${axis.values.map((v, i) => `${v}: ${totals[i].toFixed(1)}`).join(', ')}` });
      chart.dataset.testid = 'chart-' + axis.key;
      chart.dataset.points = JSON.stringify(axis.values.map((v, i) => [v, totals[i]]));
      chart.append(svg('line', { x1: left, y1: y(0), x2: width - right, y2: y(0), class: 'axis' }));
      chart.append(svg('line', { x1: left, y1: top, x2: left, y2: y(0), class: 'axis' }));
      for (const v of [0, top_value / 2 / 1.05, top_value / 1.05]) {
        const label = svg('text', { x: left - 4, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' });
        label.textContent = v.toFixed(0);
        chart.append(label);
      }
      axis.values.forEach((v, i) => {
        if (i % 2 && axis.values.length > 6) return;
        const label = svg('text', { x: x(i), y: height - 10, class: 'tick', 'text-anchor': 'middle' });
        label.textContent = v >= 1024 ? `${v / 1024}k` : String(v);
        chart.append(label);
      });
      if (usable != null) {
        const line = svg('line', { x1: left, y1: y(usable), x2: width - right, y2: y(usable), class: 'gpu-line' });
        line.dataset.testid = 'chart-gpu-line';
        chart.append(line);
      }
      chart.append(svg('polyline', { points: totals.map((v, i) => `${x(i)},${y(v)}`).join(' '), class: 'total-line' }));
      const caption = element('figcaption', { textContent: `Total GiB per GPU against ${axis.label}` + (usable != null ? '; the line is the GPU\u2019s usable memory' : '') });
      return element('figure', {}, [chart, caption]);
    }).filter(Boolean);
    host.replaceChildren(...charts);
  }

  // Compare: up to three pinned scenarios side by side.
  const pinned = [];
  function describe(request) {
    const parts = [request.framework || 'transformers'];
    const w = request.workload || {}, p = request.parallelism || {}, f = request.framework_config || {};
    if (w.kv_cache_dtype) parts.push(`KV ${w.kv_cache_dtype}`);
    if (p.tensor_parallel_size > 1) parts.push(`TP ${p.tensor_parallel_size}`);
    if (w.batch_size) parts.push(`batch ${w.batch_size}`);
    if (w.sequence_length) parts.push(`seq ${w.sequence_length}`);
    if (request.framework === 'vllm') parts.push(`${w.max_num_seqs ?? 256} seqs x ${w.max_model_len ?? 4096}`);
    if (f.fine_tuning && f.fine_tuning !== 'full') parts.push(f.fine_tuning);
    return `${lastResult.model.architecture}, ${parts.join(', ')}`;
  }

  function renderComparison() {
    const table = $('[data-testid="compare"]');
    table.hidden = pinned.length === 0;
    const head = element('tr', {}, [element('th', { scope: 'col', textContent: 'Component' }),
      ...pinned.map((pin, i) => {
        const remove = element('button', { type: 'button', textContent: '\u00d7', title: 'Remove' });
        remove.setAttribute('aria-label', `Remove scenario ${i + 1}`);
        remove.addEventListener('click', () => { pinned.splice(i, 1); renderComparison(); });
        return element('th', { scope: 'col', className: 'num' }, [`${i + 1}. ${pin.label} `, remove]);
      })]);
    const rows = BREAKDOWN.map(([key, label]) => element('tr', { className: key === 'total' ? 'total' : '' }, [
      element('td', { textContent: label }),
      ...pinned.map((pin) => {
        const cell = element('td', { className: 'num', textContent: gib(pin.breakdown[key]) });
        cell.dataset.testid = `compare-${key}`;
        return cell;
      })]));
    table.replaceChildren(element('thead', {}, [head]), element('tbody', {}, rows));
  }

  // Export: the response as JSON, the breakdown as a Markdown table, the link.
  function markdownTable(result) {
    const lines = ['| Component | GiB per GPU |', '| --- | ---: |',
      ...BREAKDOWN.map(([key, label]) => `| ${label} | ${gib(result.breakdown[key])} |`)];
    const m = result.model;
    return `**${m.architecture}** (${count(m.total_parameters)} parameters), ${result.estimator}, ${result.mode}\n\n${lines.join('\n')}\n`;
  }

  // Fetch by model id: <base>/<id>/resolve/main/config.json, as the hub lays files out. The
  // token goes in the Authorization header of this one request and nowhere else.
  async function fetchFromHub() {
    const status = $('[data-testid="hub-status"]');
    const id = $('#hub-id').value.trim();
    const base = ($('#hub-base').value.trim() || 'https://huggingface.co').replace(/\/+$/, '');
    const token = $('#hub-token').value.trim();
    status.className = '';
    if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id)) {
      status.className = 'field-error';
      status.textContent = `"${id}" is not a model id (organisation/name, e.g. meta-llama/Llama-3.1-8B).`;
      return;
    }
    status.textContent = `Fetching ${id}\u2026`;
    let response;
    try {
      response = await fetch(`${base}/${id}/resolve/main/config.json`,
        { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      status.className = 'field-error';
      status.textContent = `Could not reach ${base}: you may be offline, or the host does not allow this page to fetch from it. Presets and pasted configs still work.`;
      return;
    }
    const problems = {
      401: `${id} is gated or private: paste an access token that has access to it (Hub settings).`,
      403: `${id} is gated: accept its licence on the hub, then use an access token (Hub settings).`,
      404: `No config.json for ${id} at ${base}: check the model id.`,
    };
    if (!response.ok) {
      status.className = 'field-error';
      status.textContent = problems[response.status] ?? `${base} answered HTTP ${response.status} for ${id}.`;
      return;
    }
    const text = await response.text();
    $('#config-text').value = text;
    $('#preset').value = '';
    status.textContent = `Loaded ${id}'s config.json from ${base}.`;
    update();
  }

  function buildExports() {
    $('[data-testid="export-json"]').addEventListener('click', () => {
      if (!lastResult) return;
      const blob = new Blob([JSON.stringify({ request: lastRequest, response: lastResult }, null, 2)], { type: 'application/json' });
      const link = element('a', { href: URL.createObjectURL(blob), download: 'llm-memory-estimate.json' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    const copy = async (text, what) => {
      const status = $('[data-testid="export-status"]');
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = `${what} copied.`;
      } catch (error) {
        status.textContent = `Could not copy (${error.message}); select and copy it from here:`;
        $('[data-testid="export-text"]').hidden = false;
      }
      $('[data-testid="export-text"]').value = text;
    };
    $('[data-testid="export-markdown"]').addEventListener('click', () => lastResult && copy(markdownTable(lastResult), 'Markdown table'));
    $('[data-testid="export-link"]').addEventListener('click', () => copy(location.href, 'Link'));
  }

  // vLLM's start-up arithmetic for the chosen GPU: what it would print, or why it would refuse.
  function renderCapacity(capacity) {
    const panel = $('[data-testid="capacity"]');
    panel.hidden = !capacity;
    if (!capacity) return;
    const c = capacity;
    const rows = [
      ['Budget (memory \u00d7 utilization)', `${gib(c.budget_gib)} GiB`, 'budget'],
      ['Weights', `${gib(c.weights_gib)} GiB`, 'weights'],
      ['Activation peak (profiling run)', `${gib(c.activation_peak_gib)} GiB`, 'activation'],
      ['Non-torch memory', `${gib(c.non_torch_gib)} GiB`, 'non-torch'],
      [c.cuda_graph_in_budget ? 'CUDA graphs (in the budget)' : 'CUDA graphs (on top of the budget)', `${gib(c.cuda_graph_gib)} GiB`, 'graphs'],
      ['Available for the KV cache', `${gib(c.available_gib)} GiB`, 'available'],
      ['KV blocks', `${count(c.num_gpu_blocks)} \u00d7 ${c.block_size} tokens`, 'blocks'],
      ['KV cache size', `${count(c.tokens)} tokens`, 'tokens'],
      [`Max concurrency at ${count(c.max_model_len)} tokens`, `${c.max_concurrency.toFixed(2)}x`, 'concurrency'],
    ];
    $('#capacity-facts').replaceChildren(...rows.flatMap(([label, value, key]) => {
      const dd = element('dd', { textContent: value });
      dd.dataset.testid = 'capacity-' + key;
      return [element('dt', { textContent: label }), dd];
    }));
    const verdict = $('[data-testid="capacity-verdict"]');
    verdict.className = 'fit ' + (c.starts ? 'fits' : 'too-big');
    verdict.textContent = c.starts
      ? `vLLM starts: ${count(c.tokens)} tokens of KV cache, ${c.max_concurrency.toFixed(2)} requests of ${count(c.max_model_len)} tokens at once.`
      : `vLLM would not start. ${c.refusal}`;
  }

  // The URL follows the form a moment later, off the path from input to result
  // (history.replaceState costs milliseconds in Chromium).
  let pendingShare = null;
  function shareState(scenario, config) {
    const preset = $('#preset').value;
    const state = preset ? { preset, ...scenario } : { config: config ?? $('#config-text').value, ...scenario };
    clearTimeout(pendingShare);
    pendingShare = setTimeout(() => history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(state))), 50);
  }

  function update() {
    const scenario = scenarioFromForm();
    const config = readConfig();
    shareState(scenario, config);
    if (!calculator) return;
    if (configError) return showError(configError);
    try {
      lastRequest = { config, ...scenario };
      const result = calculator.estimate(lastRequest);
      lastResult = result;
      showError(null);
      render(result);
      if (!performance.getEntriesByName('first-breakdown').length) performance.mark('first-breakdown');
    } catch (error) {
      showError(error.name === 'EstimateError' ? error : { field: '', message: `internal error: ${error.message}` });
    }
  }

  function selectPreset(id) {
    const preset = PRESETS.find((p) => p.id === id);
    $('#preset').value = preset ? id : '';
    if (preset) $('#config-text').value = JSON.stringify(preset.config, null, 2);
  }

  /**
   * Restores a shared link: `#` + the URI-encoded request, with `preset` instead of `config`.
   * Returns what in the link could not be used (null when all of it could), so a broken or
   * edited link says so instead of silently showing something else.
   */
  function restoreState() {
    let state = {};
    if (location.hash.length > 1) {
      try {
        state = JSON.parse(decodeURIComponent(location.hash.slice(1)));
      } catch (error) {
        selectPreset(DEFAULT_PRESET);
        return `link: the scenario in this link is not valid JSON (${error.message}); showing the default`;
      }
      if (typeof state !== 'object' || state === null || Array.isArray(state)) {
        selectPreset(DEFAULT_PRESET);
        return 'link: the scenario in this link must be a JSON object; showing the default';
      }
    }
    const problems = [];
    const known = new Set(['preset', 'config', ...FIELDS.map((field) => field.path.split('.')[0])]);
    for (const key of Object.keys(state)) {
      if (!known.has(key)) problems.push(`link.${key}: unknown field`);
      else if (key !== 'preset' && key !== 'config' && key !== 'framework') {
        const section = state[key];
        if (typeof section !== 'object' || section === null) { problems.push(`link.${key}: must be an object`); continue; }
        for (const inner of Object.keys(section)) {
          if (!inputs.has(`${key}.${inner}`)) problems.push(`link.${key}.${inner}: unknown field`);
        }
      }
    }
    if (state.config !== undefined) {
      $('#preset').value = '';
      $('#config-text').value = typeof state.config === 'string' ? state.config : JSON.stringify(state.config, null, 2);
    } else {
      const id = state.preset ?? DEFAULT_PRESET;
      if (!PRESETS.some((preset) => preset.id === id)) problems.push(`link.preset: unknown preset ${JSON.stringify(String(id))}`);
      selectPreset(PRESETS.some((preset) => preset.id === id) ? id : DEFAULT_PRESET);
    }
    for (const field of FIELDS) {
      const keys = field.path.split('.');
      let value = state;
      for (const key of keys) value = value == null || typeof value !== 'object' ? undefined : value[key];
      if (value === undefined) continue;
      const control = inputs.get(field.path);
      control.value = Array.isArray(value) ? value.join(',') : String(value);
      // A <select> cannot hold a value outside its choices: say so rather than show another one.
      if (field.choices && control.value !== String(value)) {
        problems.push(`link.${field.path}: must be one of ${field.choices.filter(Boolean).map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
        control.value = field.value ?? field.choices[0];
      }
    }
    return problems.length ? problems.join('; ') : null;
  }

  buildForm();
  buildPresets();
  buildBreakdownRows();
  const linkProblem = restoreState();
  buildGpuPicker();
  buildExports();
  $('[data-testid="hub-fetch"]').addEventListener('click', fetchFromHub);
  // Narrow the preset list to the options whose id or model id holds every typed word; Enter
  // picks the first of them.
  const presetSearch = $('#preset-search');
  const visiblePresets = () => [...$('#preset').options].filter((option) => option.value && !option.hidden);
  presetSearch.addEventListener('input', () => {
    const words = presetSearch.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const option of $('#preset').options) {
      const text = option.textContent.toLowerCase();
      option.hidden = Boolean(option.value) && !words.every((word) => text.includes(word));
    }
  });
  presetSearch.addEventListener('keydown', (event) => {
    const first = visiblePresets()[0];
    if (event.key !== 'Enter' || !first) return;
    selectPreset(first.value);
    update();
  });
  $('[data-testid="compare-add"]').addEventListener('click', () => {
    if (!lastResult) return;
    if (pinned.length === 3) pinned.shift();
    pinned.push({ label: describe(lastRequest), breakdown: lastResult.breakdown });
    renderComparison();
  });
  $('#hub-id').addEventListener('keydown', (event) => { if (event.key === 'Enter') fetchFromHub(); });
  const linkError = $('[data-testid="link-error"]');
  linkError.hidden = !linkProblem;
  linkError.textContent = linkProblem ?? '';

  $('#scenario').addEventListener('input', () => { linkError.hidden = true; }, { once: true });
  $('#scenario').addEventListener('input', (event) => {
    // The hub controls and the preset search are not part of the scenario.
    if (event.target.closest('.hub') || event.target.id === 'preset-search') return;
    if (event.target.id === 'config-text') $('#preset').value = '';
    if (event.target.id === 'field-framework_config-gpu_memory_gib') syncGpuPicker();
    if (event.target.id !== 'config-file') update();
  });
  $('#preset').addEventListener('change', (event) => {
    selectPreset(event.target.value);
    update();
  });
  // A config.json dropped anywhere on the Model group replaces the config.
  const modelGroup = $('#config-text').closest('fieldset');
  modelGroup.addEventListener('dragover', (event) => {
    event.preventDefault();
    modelGroup.classList.add('dropping');
  });
  modelGroup.addEventListener('dragleave', () => modelGroup.classList.remove('dropping'));
  modelGroup.addEventListener('drop', async (event) => {
    event.preventDefault();
    modelGroup.classList.remove('dropping');
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    $('#config-text').value = await file.text();
    $('#preset').value = '';
    update();
  });
  $('#config-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    $('#config-text').value = await file.text();
    $('#preset').value = '';
    update();
  });
  $('#scenario').addEventListener('submit', (event) => event.preventDefault());

  engine.then((module) => {
    calculator = module;
    $('[data-testid="version"]').textContent = 'v' + module.version();
    // Offline after the first visit, where a service worker may run (not from file://).
    if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
      navigator.serviceWorker.register('sw.js?v=' + encodeURIComponent(module.version())).then(() => {
        document.documentElement.dataset.offlineReady = 'true';
      }, () => {});
    }
    document.documentElement.dataset.ready = 'true';
    update();
  }, (error) => showError({ field: '', message: `The calculator engine failed to load: ${error.message}` }));
})();
