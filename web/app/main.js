// The calculator page's wiring: input -> request -> the engine's one result -> every panel.
// Talks to the engine only through its JS API (estimate, sweep, version). Text from a config
// is always set with textContent, never parsed as HTML.
'use strict';

(function main(page) {
  performance.mark('page-start');  // the bench reports when the page's code began
  const { $ } = page;
  // Compile the engine first: it runs off the main thread while the form is built.
  const engine = globalThis.createLlmMem();
  // The first visit's scenario and its answer, computed by this engine when the site was built
  // (scripts/build-first-answer.mjs): shown before the engine is ready, for that scenario only.
  const FIRST_ANSWER = globalThis.LLM_MEM_FIRST_ANSWER;
  const DEFAULT_PRESET = FIRST_ANSWER.state.preset;
  let calculator = null;
  let current = { request: null, result: null };

  function showError(error) {
    const box = $('[data-testid="error"]');
    for (const node of document.querySelectorAll('.field-error')) node.textContent = '';
    for (const control of [...page.fields.map((field) => page.control(field.path)), $('#config-text')]) control.removeAttribute('aria-invalid');
    box.hidden = !error;
    box.textContent = error ? error.message : '';
    if (!error) return;
    // Mark the control the field path points at (config.* errors belong to the config box).
    const path = error.field.startsWith('config') ? 'config' : error.field.replace(/\[\d+\]$/, '');
    const control = path === 'config' ? $('#config-text') : page.control(path);
    const message = document.getElementById('error-' + path);
    if (control) control.setAttribute('aria-invalid', 'true');
    if (message) message.textContent = error.message;
  }

  function show(request, result, config, state) {
    current = { request, result, name: page.nameOf(config, result), state };
    showError(null);
    page.renderResult(result, current.name);
    if (!performance.getEntriesByName('first-breakdown').length) performance.mark('first-breakdown');
  }

  /** Two link states ask the same question: the same fields and values, in any key order. */
  const canonical = (value) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])])) : value);
  const sameScenario = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

  page.update = function update() {
    const scenario = page.readForm();
    const { config, error } = page.readConfig();
    const state = page.scenarioState(scenario, config);
    page.shareState(state);
    if (!calculator) {
      // Until the engine is ready only the first visit's scenario has an answer (built with the site).
      if (!error && sameScenario(state, FIRST_ANSWER.state)) return show({ config, ...scenario }, FIRST_ANSWER.result, config, state);
      current = { request: null, result: null };
      return page.renderNothing('The calculator is still loading: the answer follows in a moment.');
    }
    if (error) {
      current = { request: null, result: null };
      page.renderNothing();
      page.renderPrecisions(calculator, null);
      return showError(error);
    }
    try {
      const request = { config, ...scenario };
      const result = calculator.estimate(request);
      if (!performance.getEntriesByName('first-estimate').length) performance.mark('first-estimate');
      show(request, result, config, state);
      // The charts (two sweeps and their SVG, half the time of an update) follow in the next
      // frame: the verdict and the total answer the input at once. #charts says it is pending.
      page.scheduleCharts(() => page.chartSweeps(calculator, request, result));
      page.renderPrecisions(calculator, request);
    } catch (failure) {
      current = { request: null, result: null };
      page.renderNothing();
      page.renderPrecisions(calculator, null);
      showError(failure.name === 'EstimateError' ? failure : { field: '', message: `internal error: ${failure.message}` });
    }
  };

  page.buildForm();
  page.buildPresets();
  page.buildBreakdownRows();
  const linkProblem = page.restoreState(DEFAULT_PRESET);
  page.rememberGpu(!location.hash.slice(1));
  page.wireModelInputs();
  page.wireCheckpoint(() => calculator, () => current.result);
  page.wireExports(() => current);
  page.wirePrecisions(() => ({ calculator, request: current.request }));
  const linkError = $('[data-testid="link-error"]');
  linkError.hidden = !linkProblem;
  linkError.textContent = linkProblem ?? '';

  // The question (model, GPU, engine) and the settings form are one scenario.
  for (const host of [$('#question'), $('#scenario')]) {
    host.addEventListener('input', () => { linkError.hidden = true; }, { once: true });
    host.addEventListener('input', (event) => {
      // The hub controls, the preset search and the model list (its own handler) are not the scenario's.
      if (event.target.closest('.hub') || event.target.id === 'preset-search' || event.target.id === 'preset') return;
      if (event.target.id === 'config-text') page.setCustomConfig();
      if (event.target.id !== 'config-file' && event.target.id !== 'gguf-file') page.update();
    });
  }
  $('#preset').addEventListener('change', (event) => {
    page.clearCheckpoint();
    page.selectPreset(event.target.value);
    page.update();
  });
  $('#scenario').addEventListener('submit', (event) => event.preventDefault());
  page.update();  // the first visit's answer, before the engine is ready

  engine.then((module) => {
    performance.mark('engine-ready');
    calculator = module;
    $('[data-testid="version"]').textContent = 'v' + module.version();
    // Offline after the first visit, where a service worker may run (not from file://).
    if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
      navigator.serviceWorker.register('sw.js?v=' + encodeURIComponent(module.version())).then(() => {
        document.documentElement.dataset.offlineReady = 'true';
      }, () => {});
    }
    page.update();
    // Pinned scenarios in a link are answered again by this engine, not stored as numbers.
    const pinProblem = page.restoreComparison(module);
    if (pinProblem) {
      linkError.hidden = false;
      linkError.textContent = [linkError.textContent, pinProblem].filter(Boolean).join('; ');
    }
    document.documentElement.dataset.ready = 'true';
  }, (error) => showError({ field: '', message: `The calculator engine failed to load: ${error.message}` }));
})(globalThis.LlmMemPage ??= {});
