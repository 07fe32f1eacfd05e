// The scenario in the URL: '#' + the URI-encoded request, with `preset` instead of `config`, so
// a link reproduces the result. A broken or edited link says what could not be used.
'use strict';

(function state(page) {
  const { $ } = page;
  let pending = null;

  /** The URL follows the form a moment later, off the path from input to result. */
  page.shareState = function shareState(scenario, config) {
    const preset = $('#preset').value;
    const state = preset ? { preset, ...scenario } : { config: config ?? $('#config-text').value, ...scenario };
    clearTimeout(pending);
    pending = setTimeout(() => history.replaceState(null, '', '#' + encodeURIComponent(JSON.stringify(state))), 50);
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
