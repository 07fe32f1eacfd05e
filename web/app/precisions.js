// "What if I quantize it?": the scenario on screen at other precisions, side by side. Each row is
// the engine's own result for the same request with checkpoint.weights_as set; the page only
// formats it. Computed when the panel is open, a frame after the answer.
'use strict';

(function precisions(page) {
  const { $, element, gib, count } = page;
  const PATH = 'checkpoint.weights_as';
  // The formats people weigh against each other; every value stays in the form's list.
  const ROWS = ['stored', 'bf16', 'fp8', 'fp8-block', 'int8', 'awq', 'gptq', 'nf4-dq', 'mxfp4',
    'q8_0', 'q6_k', 'q5_k_m', 'q4_k_m', 'q3_k_m', 'q2_k', 'iq4_xs'];
  const VERDICTS = { fits: 'fits', does_not_fit: 'does not fit', starts: 'starts', refuses: 'refuses to start', no_gpu: 'no GPU chosen' };
  let frame = 0;

  function row(request, weightsAs, calculator) {
    const label = page.choiceLabel(PATH, weightsAs);
    const current = (request.checkpoint?.weights_as ?? 'stored').toLowerCase() === weightsAs;
    const use = element('button', { type: 'button', textContent: current ? 'shown' : 'Use', disabled: current });
    use.setAttribute('aria-label', `Use ${label}`);
    use.addEventListener('click', () => {
      page.control(PATH).value = weightsAs;
      page.update();
    });
    let cells;
    try {
      const result = calculator.estimate({ ...request, checkpoint: { ...request.checkpoint, weights_as: weightsAs } });
      const capacity = result.kv_cache_capacity;
      cells = [
        (result.model.weight_bytes / 1e9).toFixed(2),
        gib(result.breakdown.model_weights),
        gib(result.breakdown.total),
        VERDICTS[result.verdict.status] ?? result.verdict.status,
        capacity ? count(capacity.tokens) : '\u2014',
      ].map((text) => element('td', { className: 'num', textContent: text }));
    } catch (error) {
      cells = [element('td', { textContent: error.message, colSpan: 5 })];
    }
    const tr = element('tr', { className: current ? 'current' : '' },
      [element('th', { scope: 'row', textContent: label }), ...cells, element('td', {}, [use])]);
    tr.dataset.weightsAs = weightsAs;
    if (current) tr.setAttribute('aria-current', 'true');
    return tr;
  }

  /** Fills the table for `request` (a frame later) when the panel is open. */
  page.renderPrecisions = function renderPrecisions(calculator, request) {
    const panel = $('[data-testid="precisions"]');
    cancelAnimationFrame(frame);
    if (!request) $('[data-testid="precision-table"]').replaceChildren();  // no answer, no rows
    if (!panel.open || !calculator || !request) return;
    panel.dataset.pending = 'true';
    frame = requestAnimationFrame(() => {
      const head = element('tr', {}, ['Weights as', 'Model (GB)', 'Weights per GPU (GiB)', 'Total per GPU (GiB)', 'Verdict', 'KV tokens', '']
        .map((text) => element('th', { scope: 'col', textContent: text })));
      const rows = ROWS.map((weightsAs) => row(request, weightsAs, calculator));
      $('[data-testid="precision-table"]').replaceChildren(element('thead', {}, [head]), element('tbody', {}, rows));
      delete panel.dataset.pending;
    });
  };

  page.wirePrecisions = function wirePrecisions(current) {
    $('[data-testid="precisions"]').addEventListener('toggle', () => {
      const { calculator, request } = current();
      page.renderPrecisions(calculator, request);
    });
  };
})(globalThis.LlmMemPage ??= {});
