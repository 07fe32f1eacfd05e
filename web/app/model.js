// The model: presets (searchable), a pasted, uploaded or dropped config.json, or one fetched by
// model id from the hub (configurable base URL; the token goes in this one request only).
'use strict';

(function model(page) {
  const { $, element } = page;
  const PRESETS = globalThis.LLM_MEM_PRESETS || [];
  // The engine's bounds (size, nesting, values), applied here before a paste, a file or a
  // fetched config is read or parsed: a 1 GB file or response costs nothing.
  const LIMITS = globalThis.LLM_MEM_SCHEMA.limits;

  // A preset by its id, or by an id it had before (links made then still open it).
  page.findPreset = (id) => PRESETS.find((preset) => preset.id === id || (preset.old_ids ?? []).includes(id));
  page.selectPreset = function selectPreset(id) {
    const preset = page.findPreset(id);
    $('#preset').value = preset ? preset.id : '';
    if (preset) {
      $('#config-text').value = JSON.stringify(preset.config, null, 2);
      page.modelName = preset.model_id;
    }
  };

  /** The model as people name it: the preset's or hub's id, the file, else what the config says. */
  page.modelName = '';
  page.setCustomConfig = function setCustomConfig(name) {
    $('#preset').value = '';
    page.modelName = name ?? '';
  };
  page.nameOf = (config, result, name = page.modelName) => name || (typeof config?._name_or_path === 'string' && config._name_or_path) ||
    result.model.architecture;

  page.buildPresets = function buildPresets() {
    const select = $('#preset');
    select.append(element('option', { value: '', textContent: 'Your own config.json (below)' }));
    for (const preset of PRESETS) {
      select.append(element('option', { value: preset.id, textContent: preset.model_id || preset.id }));
    }
    const search = $('#preset-search');
    search.addEventListener('input', () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const option of select.options) {
        option.hidden = Boolean(option.value) && !words.every((word) => `${option.value} ${option.textContent}`.toLowerCase().includes(word));
      }
    });
    search.addEventListener('keydown', (event) => {
      const first = [...select.options].find((option) => option.value && !option.hidden);
      if (event.key !== 'Enter' || !first) return;
      page.selectPreset(first.value);
      page.update();
    });
  };

  // The config is parsed again only when its text changed: most inputs touch the scenario.
  let parsed = { text: null, config: null, error: null };
  page.readConfig = function readConfig() {
    const text = $('#config-text').value;
    if (text !== parsed.text) {
      const problem = jsonTextProblem(text, LIMITS);
      if (problem) {
        parsed = { text, config: null, error: { field: 'config', message: `config: ${problem}` } };
      } else {
        try {
          parsed = { text, config: JSON.parse(text), error: null };
        } catch (error) {
          parsed = { text, config: null, error: { field: 'config', message: `config: not valid JSON (${error.message})` } };
        }
      }
    }
    return parsed;
  };

  const useText = (text, name) => {
    page.clearCheckpoint();  // another model: the headers read before were another checkpoint's
    $('#config-text').value = text;
    page.setCustomConfig(name);
    page.update();
  };

  /** A picked or dropped file, refused by its size before a byte of it is read. */
  async function useFile(file) {
    const status = $('[data-testid="hub-status"]');
    if (file.size > LIMITS.request_bytes) {
      status.className = 'field-error';
      status.textContent = `${file.name} is ${file.size} bytes: a config.json is at most ${LIMITS.request_bytes} (4 MiB).`;
      return;
    }
    status.className = '';
    status.textContent = '';
    useText(await file.text(), file.name.replace(/\.json$/i, '').replace(/^config$/i, ''));
  }

  page.wireModelInputs = function wireModelInputs() {
    const group = $('#config-text').closest('fieldset');
    group.addEventListener('dragover', (event) => { event.preventDefault(); group.classList.add('dropping'); });
    group.addEventListener('dragleave', () => group.classList.remove('dropping'));
    group.addEventListener('drop', async (event) => {
      event.preventDefault();
      group.classList.remove('dropping');
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) await useFile(file);
    });
    $('#config-file').addEventListener('change', async (event) => {
      const file = event.target.files[0];
      if (file) await useFile(file);
    });
    $('[data-testid="hub-fetch"]').addEventListener('click', fetchFromHub);
    $('#hub-id').addEventListener('keydown', (event) => { if (event.key === 'Enter') fetchFromHub(); });
  };

  /** The hub fields: the model id, the base URL and the token (sent with these requests only). */
  page.hubTarget = () => ({
    id: $('#hub-id').value.trim(),
    base: ($('#hub-base').value.trim() || 'https://huggingface.co').replace(/\/+$/, ''),
    token: $('#hub-token').value.trim(),
  });
  page.isModelId = (id) => /^[\w.-]+(\/[\w.-]+)?$/.test(id);

  // <base>/<id>/resolve/main/config.json, as the hub lays files out.
  async function fetchFromHub() {
    const status = $('[data-testid="hub-status"]');
    const { id, base, token } = page.hubTarget();
    status.className = '';
    const fail = (text) => { status.className = 'field-error'; status.textContent = text; };
    if (!page.isModelId(id)) return fail(`"${id}" is not a model id (organisation/name, e.g. meta-llama/Llama-3.1-8B).`);
    status.textContent = `Fetching ${id}\u2026`;
    let response;
    try {
      response = await fetch(`${base}/${id}/resolve/main/config.json`,
        { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      return fail(`Could not reach ${base}: you may be offline, or the host does not allow this page to fetch from it. Presets and pasted configs still work.`);
    }
    const problems = {
      401: `${id} is gated or private: paste an access token that has access to it (Hub settings).`,
      403: `${id} is gated: accept its licence on the hub, then use an access token (Hub settings).`,
      404: `No config.json for ${id} at ${base}: check the model id.`,
    };
    if (!response.ok) return fail(problems[response.status] ?? `${base} answered HTTP ${response.status} for ${id}.`);
    let text;
    try {
      text = await readBoundedText(response, LIMITS.request_bytes);
    } catch (error) {
      return fail(`Reading ${id}'s config.json from ${base} failed (${error.message}).`);
    }
    if (text === null) return fail(`${id}'s config.json at ${base} is larger than ${LIMITS.request_bytes} bytes (4 MiB): not a config.json; nothing was loaded.`);
    useText(text, id);
    status.textContent = `Loaded ${id}'s config.json from ${base}.`;
  }
})(globalThis.LlmMemPage ??= {});
