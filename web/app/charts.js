// Charts: the engine's own answers along one setting, from one sweep each (the config parsed
// once), the current setting marked. vLLM with a GPU: full-length requests at once against
// max_model_len and KV tokens against tensor parallelism; without one, the GPU memory it needs
// to start; llama.cpp: its GPU's total against -c and -ngl; transformers and DeepSpeed: the
// total against context and batch with the GPU's line.
'use strict';

(function charts(page) {
  const { element, svg, count } = page;
  const powers = (from, to) => { const out = []; for (let v = from; v <= to; v *= 2) out.push(v); return out; };
  // 0 to all of a model's layers (and its head) in about eight steps.
  const layerCounts = (all) => { const step = Math.max(1, Math.ceil(all / 8)); const out = []; for (let v = 0; v < all; v += step) out.push(v); return [...out, all]; };
  const withCurrent = (values, current) => [...new Set([...values, current])].sort((a, b) => a - b);

  /** The charts' data: which sweeps, and what each plots. Calls the engine (sweep) only. */
  page.chartSweeps = function chartSweeps(calculator, request, result) {
    const vllm = result.framework === 'vllm';
    const gpu = result.verdict.gpu_memory_gib !== undefined;
    const limit = result.model.max_position_embeddings || 131072;
    const heads = result.model.num_attention_heads;
    // A setting as the engine used it (echoed), else as the request gave it, else the schema's default.
    const setting = (path, fallback) => {
      const echoed = result.settings.find((s) => s.path === path);
      const [section, key] = path.split('.');
      return echoed ? echoed.value : request[section]?.[key] ?? page.fields.find((f) => f.path === path)?.default ?? fallback;
    };
    const specs = vllm ? [
      { key: 'context', field: 'workload.max_model_len', x: 'max_model_len (tokens)',
        current: setting('workload.max_model_len', limit), values: powers(1024, Math.max(2048, Math.min(limit, 1 << 20))),
        y: gpu ? 'max_concurrency' : 'needed_gib', unit: gpu ? 'requests of max_model_len at once' : 'GiB per GPU to start' },
      { key: 'tp', field: 'parallelism.tensor_parallel_size', x: 'tensor_parallel_size',
        // Sizes up to the heads; the engine refuses those that do not divide them (hollow points).
        current: setting('parallelism.tensor_parallel_size'), values: [1, 2, 4, 8, 16, 32, 64].filter((tp) => tp <= heads),
        y: gpu ? 'kv_tokens' : 'needed_gib', unit: gpu ? 'KV cache tokens per GPU' : 'GiB per GPU to start' },
    ] : result.framework === 'llama.cpp' ? [
      // llama.cpp: its GPU's total against the context (-c) and the layers it holds (-ngl).
      { key: 'context', field: 'framework_config.ctx_size', x: 'context size -c (tokens)',
        current: setting('framework_config.ctx_size', 4096), values: powers(1024, Math.max(2048, Math.min(limit, 1 << 20))),
        y: 'total', unit: 'GiB per GPU' },
      { key: 'layers', field: 'framework_config.n_gpu_layers', x: 'layers on the GPU (-ngl)',
        current: setting('framework_config.n_gpu_layers', result.model.num_hidden_layers + 1),
        values: layerCounts(result.model.num_hidden_layers + 1), y: 'total', unit: 'GiB per GPU', linear: true },
    ] : result.framework === 'sglang' ? [
      // SGLang: the pool's tokens against its static fraction, and against the TP size.
      { key: 'fraction', field: 'framework_config.mem_fraction_static', x: 'mem_fraction_static',
        current: setting('framework_config.mem_fraction_static', 0.88), values: [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.93, 0.95],
        y: gpu ? 'kv_tokens' : 'needed_gib', unit: gpu ? 'tokens in the pool per GPU' : 'GiB per GPU to start', linear: true },
      { key: 'tp', field: 'parallelism.tensor_parallel_size', x: 'tensor_parallel_size',
        current: setting('parallelism.tensor_parallel_size'), values: [1, 2, 4, 8, 16, 32, 64].filter((tp) => tp <= heads),
        y: gpu ? 'kv_tokens' : 'needed_gib', unit: gpu ? 'tokens in the pool per GPU' : 'GiB per GPU to start' },
    ] : [
      { key: 'context', field: 'workload.sequence_length', x: 'sequence length (tokens)',
        current: setting('workload.sequence_length'), values: powers(512, Math.max(1024, Math.min(limit, 1 << 20))),
        y: 'total', unit: 'GiB per GPU' },
      { key: 'batch', field: 'workload.batch_size', x: 'batch size', current: setting('workload.batch_size'),
        values: powers(1, 512), y: 'total', unit: 'GiB per GPU' },
    ];
    return specs.map((spec) => {
      const values = withCurrent(spec.values, spec.current);
      let sweep;
      try {
        sweep = calculator.sweep(request, spec.field, values);
      } catch (error) {
        return null;  // a value the request cannot take (the estimate itself reports bad input)
      }
      const ys = spec.y === 'total' ? sweep.breakdown.total : sweep[spec.y];
      // A point runs unless the engine said no there; without a GPU there is no verdict to give.
      const runs = (i) => sweep.status[i] !== 'refuses' && sweep.status[i] !== 'does_not_fit';
      return { ...spec, points: values.map((v, i) => [v, ys[i] ?? 0, runs(i)]),
        line: spec.y === 'total' && gpu ? result.verdict.limit_gib : null };
    }).filter(Boolean);
  };

  const tick = (v) => (v >= 1024 && v % 1024 === 0 ? `${v / 1024}k` : String(v));
  const short = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${Math.round(v / 1e3)}k` : v >= 100 ? v.toFixed(0) : v.toFixed(1));

  // The y axis's unit, short, over the axis; the x axis's name under its ticks.
  const UNITS = { 'GiB per GPU': 'GiB', 'GiB per GPU to start': 'GiB', 'requests of max_model_len at once': 'requests',
    'KV cache tokens per GPU': 'tokens' };

  function drawChart(chart) {
    const width = 340, height = 206, left = 46, bottom = 40, top = 18, right = 20;
    const xs = chart.points.map(([x]) => x);
    const top_value = Math.max(...chart.points.map(([, y]) => y), chart.line ?? 0, 1e-9) * 1.08;
    // Logarithmic x where the values are powers of two; linear for counts such as layers.
    const lx = chart.linear ? (v) => v : (v) => Math.log2(v), x0 = lx(xs[0]), x1 = lx(xs.at(-1));
    const x = (v) => left + (width - left - right) * (x1 > x0 ? (lx(v) - x0) / (x1 - x0) : 0.5);
    const y = (v) => top + (height - top - bottom) * (1 - v / top_value);
    const describe = ([px, py, ok]) => `${chart.x} ${count(px)}: ${short(py)} ${chart.unit}${ok ? '' : ' (does not run)'}`;
    const node = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', tabindex: 0,
      'aria-label': `${chart.unit} against ${chart.x} (arrow keys read each point): ${chart.points.map(describe).join('; ')}` });
    node.dataset.testid = 'chart-' + chart.key;
    node.dataset.points = JSON.stringify(chart.points.map(([px, py]) => [px, py]));
    node.dataset.current = String(chart.current);
    node.append(svg('line', { x1: left, y1: y(0), x2: width - right, y2: y(0), class: 'axis' }),
      svg('line', { x1: left, y1: top, x2: left, y2: y(0), class: 'axis' }));
    const unit = svg('text', { x: 4, y: 11, class: 'axis-title' });
    unit.textContent = UNITS[chart.unit] ?? chart.unit;
    unit.dataset.testid = 'chart-unit';
    const xTitle = svg('text', { x: (left + width - right) / 2, y: height - 3, class: 'axis-title', 'text-anchor': 'middle' });
    xTitle.textContent = chart.x;
    node.append(unit, xTitle);
    for (const v of [0, top_value / 2 / 1.08, top_value / 1.08]) {
      const label = svg('text', { x: left - 4, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' });
      label.textContent = short(v);
      node.append(label);
    }
    const every = Math.ceil(xs.length / 6);
    xs.forEach((v, i) => {
      if (i % every && i !== xs.length - 1) return;
      if (i !== xs.length - 1 && xs.length - 1 - i < every / 2) return;  // would overlap the last tick
      const label = svg('text', { x: x(v), y: height - bottom + 14, class: 'tick', 'text-anchor': 'middle' });
      label.textContent = tick(v);
      node.append(label);
    });
    if (chart.line !== null) {
      const line = svg('line', { x1: left, y1: y(chart.line), x2: width - right, y2: y(chart.line), class: 'gpu-line' });
      line.dataset.testid = 'chart-gpu-line';
      node.append(line);
    }
    const marker = svg('line', { x1: x(chart.current), y1: top, x2: x(chart.current), y2: y(0), class: 'current' });
    marker.dataset.testid = 'chart-current';
    const you = svg('text', { x: x(chart.current), y: top - 4, class: 'tick', 'text-anchor': 'middle' });
    you.textContent = 'yours';
    node.append(marker, you, svg('polyline', { points: chart.points.map(([px, py]) => `${x(px)},${y(py)}`).join(' '), class: 'total-line' }));
    for (const [px, py, ok] of chart.points) {
      const dot = svg('circle', { cx: x(px), cy: y(py), r: px === chart.current ? 4 : 2.5, class: ok ? 'point' : 'point refused' });
      node.append(dot);
    }
    // Values on hover and by keyboard: the nearest point, ringed, read out under the chart.
    const cursor = svg('circle', { r: 6, class: 'cursor', visibility: 'hidden' });
    node.append(cursor);
    const readout = element('p', { className: 'readout' });
    readout.dataset.testid = 'chart-readout';
    readout.setAttribute('aria-live', 'polite');
    let at = chart.points.findIndex(([px]) => px === chart.current);
    const show = (i) => {
      at = Math.max(0, Math.min(chart.points.length - 1, i));
      const [px, py] = chart.points[at];
      cursor.setAttribute('cx', x(px));
      cursor.setAttribute('cy', y(py));
      cursor.setAttribute('visibility', 'visible');
      readout.textContent = describe(chart.points[at]);
    };
    node.addEventListener('pointermove', (event) => {
      const box = node.getBoundingClientRect();
      const px = (event.clientX - box.left) * width / box.width;
      let best = 0;
      chart.points.forEach(([v], i) => { if (Math.abs(x(v) - px) < Math.abs(x(chart.points[best][0]) - px)) best = i; });
      show(best);
    });
    node.addEventListener('focus', () => show(at));
    node.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[event.key];
      if (event.key === 'Home') show(0);
      else if (event.key === 'End') show(chart.points.length - 1);
      else if (step) show(at + step);
      else return;
      event.preventDefault();
    });
    const caption = element('figcaption', { textContent: `${chart.unit} against ${chart.x}` +
      (chart.line !== null ? '; dashed: what the GPU holds' : '') + '; the marked line is yours; hollow red points do not run' });
    return element('figure', {}, [node, readout, caption]);
  }

  page.renderCharts = function renderCharts(list) {
    document.querySelector('#charts').replaceChildren(...list.map(drawChart));
  };

  // Drawn one frame after the result, for the latest input only; until then #charts carries
  // data-pending (tests and screenshots wait for it to go).
  let frame = 0;
  page.scheduleCharts = function scheduleCharts(sweeps) {
    const host = document.querySelector('#charts');
    cancelAnimationFrame(frame);
    host.dataset.pending = 'true';
    frame = requestAnimationFrame(() => {
      page.renderCharts(sweeps());
      delete host.dataset.pending;
      if (!performance.getEntriesByName('first-charts').length) performance.mark('first-charts');
    });
  };
  page.cancelCharts = function cancelCharts() {
    cancelAnimationFrame(frame);
    delete document.querySelector('#charts').dataset.pending;
  };
})(globalThis.LlmMemPage ??= {});
