// What leaves the page: the response as JSON, a Markdown table with the verdict, the link; and
// the comparison of up to three pinned results. All of it read from results, none recomputed.
'use strict';

(function share(page) {
  const { $, element, gib, count } = page;

  /** A pinned result's name: the model and what sets this scenario apart. */
  function describe(request, result) {
    const w = request.workload || {}, p = request.parallelism || {}, f = request.framework_config || {};
    const parts = [request.framework || 'transformers'];
    if (w.kv_cache_dtype) parts.push(`KV ${w.kv_cache_dtype}`);
    if (p.tensor_parallel_size > 1) parts.push(`TP ${p.tensor_parallel_size}`);
    if (w.batch_size) parts.push(`batch ${w.batch_size}`);
    if (w.sequence_length) parts.push(`seq ${w.sequence_length}`);
    if (result.kv_cache_capacity) parts.push(`${count(result.kv_cache_capacity.max_model_len)} tokens`);
    if (f.gpu) parts.push(f.gpu);
    if (f.fine_tuning && f.fine_tuning !== 'full') parts.push(f.fine_tuning);
    return `${result.model.architecture}, ${parts.join(', ')}`;
  }

  page.markdown = function markdown(result) {
    const m = result.model;
    const lines = ['| Component | GiB per GPU |', '| --- | ---: |',
      ...page.BREAKDOWN_KEYS.filter((key) => key === 'total' || result.breakdown[key] > 0)
        .map((key) => `| ${page.label(key, result.framework)} | ${gib(result.breakdown[key])} |`)];
    const c = result.kv_cache_capacity;
    const capacity = c ? `\n\nKV cache: ${count(c.tokens)} tokens in ${count(c.num_gpu_blocks)} blocks; ${c.max_concurrency.toFixed(2)} requests of ${count(c.max_model_len)} tokens at once.` : '';
    return `**${m.architecture}** (${count(m.total_parameters)} parameters), ${result.estimator}, ${result.mode}\n\n` +
      `${result.verdict.summary}\n\n${lines.join('\n')}${capacity}\n`;
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
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = `${what} copied.`;
      } catch (error) {
        status.textContent = `Could not copy (${error.message}); select and copy it from here:`;
        $('[data-testid="export-text"]').hidden = false;
      }
      $('[data-testid="export-text"]').value = text;
    };
    $('[data-testid="export-markdown"]').addEventListener('click', () => current().result && copy(page.markdown(current().result), 'Markdown table'));
    $('[data-testid="export-link"]').addEventListener('click', () => copy(location.href, 'Link'));

    const pinned = [];
    const renderComparison = () => {
      const table = $('[data-testid="compare"]');
      table.hidden = pinned.length === 0;
      const head = element('tr', {}, [element('th', { scope: 'col', textContent: 'Component' }),
        ...pinned.map((pin, i) => {
          const remove = element('button', { type: 'button', textContent: '\u00d7', title: 'Remove' });
          remove.setAttribute('aria-label', `Remove scenario ${i + 1}`);
          remove.addEventListener('click', () => { pinned.splice(i, 1); renderComparison(); });
          return element('th', { scope: 'col', className: 'num' }, [`${i + 1}. ${pin.label} `, remove]);
        })]);
      const row = (label, key, cell) => {
        const cells = pinned.map((pin) => {
          const td = element('td', { className: 'num', textContent: cell(pin.result) });
          td.dataset.testid = `compare-${key}`;
          return td;
        });
        return element('tr', { className: key === 'total' ? 'total' : '' }, [element('td', { textContent: label }), ...cells]);
      };
      const rows = page.BREAKDOWN_KEYS.map((key) => row(page.label(key), key, (r) => gib(r.breakdown[key])));
      rows.push(row('Verdict', 'verdict', (r) => r.verdict.status.replaceAll('_', ' ')),
        row('KV tokens', 'tokens', (r) => (r.kv_cache_capacity ? count(r.kv_cache_capacity.tokens) : '\u2014')));
      table.replaceChildren(element('thead', {}, [head]), element('tbody', {}, rows));
    };
    $('[data-testid="compare-add"]').addEventListener('click', () => {
      const { request, result } = current();
      if (!result) return;
      if (pinned.length === 3) pinned.shift();
      pinned.push({ label: describe(request, result), result });
      renderComparison();
    });
  };
})(globalThis.LlmMemPage ??= {});
