// Charts: the engine's own answers along one setting, from one sweep each (the config parsed
// once), the current setting marked. vLLM with a GPU: full-length requests at once against
// max_model_len and KV tokens against tensor parallelism; without one, the GPU memory it needs
// to start; transformers and DeepSpeed: the total against context and batch with the GPU's line.
'use strict';

(function charts(page) {
  const { element, svg } = page;
  const powers = (from, to) => { const out = []; for (let v = from; v <= to; v *= 2) out.push(v); return out; };
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

  function drawChart(chart) {
    const width = 340, height = 190, left = 46, bottom = 30, top = 12, right = 14;
    const xs = chart.points.map(([x]) => x);
    const top_value = Math.max(...chart.points.map(([, y]) => y), chart.line ?? 0, 1e-9) * 1.08;
    // Logarithmic x: the values are powers of two.
    const lx = (v) => Math.log2(v), x0 = lx(xs[0]), x1 = lx(xs.at(-1));
    const x = (v) => left + (width - left - right) * (x1 > x0 ? (lx(v) - x0) / (x1 - x0) : 0.5);
    const y = (v) => top + (height - top - bottom) * (1 - v / top_value);
    const node = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': `${chart.unit} against ${chart.x}: ${chart.points.map(([px, py, ok]) => `${px}: ${short(py)}${ok ? '' : ' (does not run)'}`).join(', ')}` });
    node.dataset.testid = 'chart-' + chart.key;
    node.dataset.points = JSON.stringify(chart.points.map(([px, py]) => [px, py]));
    node.dataset.current = String(chart.current);
    node.append(svg('line', { x1: left, y1: y(0), x2: width - right, y2: y(0), class: 'axis' }),
      svg('line', { x1: left, y1: top, x2: left, y2: y(0), class: 'axis' }));
    for (const v of [0, top_value / 2 / 1.08, top_value / 1.08]) {
      const label = svg('text', { x: left - 4, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' });
      label.textContent = short(v);
      node.append(label);
    }
    const every = Math.ceil(xs.length / 6);
    xs.forEach((v, i) => {
      if (i % every && i !== xs.length - 1) return;
      const label = svg('text', { x: x(v), y: height - 12, class: 'tick', 'text-anchor': i === xs.length - 1 ? 'end' : 'middle' });
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
    node.append(marker, svg('polyline', { points: chart.points.map(([px, py]) => `${x(px)},${y(py)}`).join(' '), class: 'total-line' }));
    for (const [px, py, ok] of chart.points) {
      const dot = svg('circle', { cx: x(px), cy: y(py), r: px === chart.current ? 4 : 2.5, class: ok ? 'point' : 'point refused' });
      const title = svg('title');
      title.textContent = `${chart.x} ${px}: ${short(py)} ${chart.unit}${ok ? '' : ' (does not run)'}`;
      dot.append(title);
      node.append(dot);
    }
    const caption = element('figcaption', { textContent: `${chart.unit} against ${chart.x}` +
      (chart.line !== null ? '; dashed: what the GPU holds' : '') + '; the marked line is your setting; hollow red points do not run' });
    return element('figure', {}, [node, caption]);
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
