// The scenario in the URL: '#' + the URI-encoded request, with `preset` instead of `config`, so
// a link reproduces the result. A broken or edited link says what could not be used.
'use strict';

(function state(page) {
  const { $ } = page;
  let pending = null;

  /** The scenario as a link holds it: the preset's id, or the config itself. */
  page.scenarioState = function scenarioState(scenario, config) {
    const preset = $('#preset').value;
    return preset ? { preset, ...scenario } : { config: config ?? $('#config-text').value, ...scenario };
  };

  /** The URL follows the form a moment later, off the path from input to result. */
  page.shareState = function shareState(scenarioState) {
    const pinned = page.pinnedStates();
    const state = pinned.length ? { ...scenarioState, compare: pinned } : scenarioState;
    clearTimeout(pending);
    pending = setTimeout(() => history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(state))), 50);
  };

  // The GPU a visitor last chose, kept between visits (this browser only); a first visit gets
  // a common data-centre card, so it shows a verdict at once. A link says its own GPU.
  const GPU_KEY = 'llm-memory-calculator.gpu';
  const DEFAULT_GPU = globalThis.LLM_MEM_FIRST_ANSWER.state.framework_config.gpu;  // scripts/build-first-answer.mjs
  const stored = () => { try { return localStorage.getItem(GPU_KEY); } catch { return null; } };
  page.rememberGpu = function rememberGpu(apply) {
    const select = page.control('framework_config.gpu');
    if (apply) {
      const wanted = stored() ?? DEFAULT_GPU;
      select.value = wanted;
      if (select.value !== wanted) select.value = DEFAULT_GPU;  // a card the catalogue no longer has
    }
    select.addEventListener('change', () => { try { localStorage.setItem(GPU_KEY, select.value); } catch { /* private mode */ } });
  };

  /** Restores a shared link; returns what in it could not be used, or null. */
  page.restoreState = function restoreState(defaultPreset) {
    let state = {};
    if (location.hash.length > 1) {
      const refuse = (why) => {
        page.selectPreset(defaultPreset);
        return `link: the scenario in this link ${why}; showing the default`;
      };
      // Bounded before it is decoded or parsed: a link is untrusted text (an escape is 3 bytes).
      const limits = globalThis.LLM_MEM_SCHEMA.limits;
      if (location.hash.length > 3 * limits.request_bytes) return refuse(`is too large (${location.hash.length} characters)`);
      let text;
      try {
        text = decodeURIComponent(location.hash.slice(1));
      } catch (error) {
        return refuse(`is not validly escaped (${error.message})`);
      }
      const problem = jsonTextProblem(text, limits);
      if (problem) return refuse(`cannot be used (${problem})`);
      try {
        state = JSON.parse(text);
      } catch (error) {
        return refuse(`is not valid JSON (${error.message})`);
      }
      if (typeof state !== 'object' || state === null || Array.isArray(state)) return refuse('must be a JSON object');
    }
    // The pinned scenarios are answered once the engine is ready (page.restoreComparison).
    const { compare, ...current } = state;
    page.pendingComparison = compare;
    state = current;
    const problems = page.writeForm(state);
    if (state.config !== undefined) {
      $('#preset').value = '';
      $('#config-text').value = typeof state.config === 'string' ? state.config : JSON.stringify(state.config, null, 2);
    } else {
      const id = state.preset ?? defaultPreset;
      const known = page.findPreset(id);
      if (!known) problems.push(`link.preset: unknown preset ${JSON.stringify(String(id))}`);
      page.selectPreset(known ? known.id : defaultPreset);
    }
    return problems.length ? problems.join('; ') : null;
  };
})(globalThis.LlmMemPage ??= {});
