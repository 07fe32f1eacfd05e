// The form: built from the request schema (gen/schema.js, written from the engine), read into a
// request and written back from one. A field shows when its engine and mode read it.
'use strict';

(function form(page) {
  const { $, element } = page;
  const SCHEMA = globalThis.LLM_MEM_SCHEMA;
  const inputs = new Map();  // path -> control
  const byPath = new Map(SCHEMA.fields.map((field) => [field.path, field]));
  const idFor = (path) => 'field-' + path.replace(/\./g, '-');
  // The question at the top of the page: the engine and the GPU (the model is the preset list).
  const QUESTION = ['framework_config.gpu', 'framework'];
  // Words for a few choices whose values are identifiers.
  const EMPTY_LABELS = { 'workload.mode': 'inference (default)' };
  const CHOICE_LABELS = { framework: { transformers: 'Hugging Face transformers', vllm: 'vLLM', deepspeed: 'DeepSpeed', 'llama.cpp': 'llama.cpp (llama-server, Ollama)', sglang: 'SGLang' } };
  const GPU_KINDS = { datacenter: 'Data centre', workstation: 'Workstation', consumer: 'Consumer', amd: 'AMD', apple: 'Apple silicon (unified memory)' };
  page.fields = SCHEMA.fields;
  /** The words for a choice: the schema's label for it, the page's, or the value itself. */
  page.choiceLabel = (path, value) => {
    const field = byPath.get(path);
    return field?.choice_labels?.[field.choices.indexOf(value)] ?? CHOICE_LABELS[path]?.[value] ?? value;
  };

  const framework = () => inputs.get('framework').value || 'transformers';
  // Only transformers runs both ways: vLLM, SGLang and llama.cpp serve, DeepSpeed trains.
  const mode = () => ['vllm', 'llama.cpp', 'sglang'].includes(framework()) ? 'inference' : framework() === 'deepspeed' ? 'training'
    : inputs.get('workload.mode').value || 'inference';
  function applies(field) {
    // Only transformers runs both ways: vLLM serves, DeepSpeed trains.
    if (field.path === 'workload.mode') return framework() === 'transformers';
    if (!field.engines.includes(framework()) || !field.modes.includes(mode())) return false;
    if (!field.when) return true;
    const current = inputs.get(field.when.path).value || byPath.get(field.when.path).default;
    return field.when.values.includes(current);
  }

  /** The control for one field: a select for choices and yes/no, else a text input. */
  function control(field) {
    let node;
    if (field.path === 'framework_config.gpu') {
      // The catalogue by kind, each card with the memory its engines see.
      const kinds = [...new Set(SCHEMA.gpus.map((gpu) => gpu.kind))];
      node = element('select', {}, [element('option', { value: '', textContent: 'No GPU, or another size (set its memory below)' }),
        ...kinds.map((kind) => element('optgroup', { label: GPU_KINDS[kind] ?? kind }, SCHEMA.gpus.filter((gpu) => gpu.kind === kind)
          .map((gpu) => element('option', { value: gpu.name, textContent: `${gpu.name} (${gpu.memory_gib} GiB usable)` }))))]);
    } else if (field.kind === 'choice' || field.kind === 'boolean') {
      const values = field.kind === 'boolean' ? (field.default === null ? ['', 'true', 'false'] : field.default ? ['true', 'false'] : ['false', 'true'])
        : field.default === null ? ['', ...field.choices] : field.choices;
      // An unset choice says what the engine then does, in its words.
      const fromEngine = field.default_note && field.default_note.length < 24 ? `default (${field.default_note})`
        : field.path.startsWith('framework_config.vllm') || field.path.includes('profile') || field.path.includes('chunked') ? 'from the vLLM version' : 'default';
      node = element('select', {}, values.map((value) => element('option', { value,
        textContent: value === '' ? EMPTY_LABELS[field.path] ?? fromEngine : page.choiceLabel(field.path, value) })));
      // The contract's default is selected, whatever its place in the list ("mixed" precision).
      if (field.default !== null && !Array.isArray(field.default)) node.value = String(field.default);
    } else {
      // Suggestions put the engine's default first: "0.31.0 (newest)".
      const placeholder = field.default !== null ? (Array.isArray(field.default) ? field.default.join(',') : String(field.default))
        : field.suggestions ? `${field.suggestions[0]} (newest)` : field.default_note ?? '';
      node = element('input', { type: 'text', inputMode: field.kind === 'integer' || field.kind === 'number' ? 'decimal' : 'text', placeholder });
      if (field.suggestions) node.setAttribute('list', 'suggestions-' + field.path);
    }
    node.id = idFor(field.path);
    node.name = field.path;
    node.dataset.testid = field.path;
    node.title = field.help;
    node.setAttribute('aria-describedby', 'error-' + field.path);
    return node;
  }

  page.buildForm = function buildForm() {
    const host = $('#generated-fields');
    const questionFields = [];
    const sections = [...new Set(SCHEMA.fields.map((field) => field.section))];
    page.sections = sections.map((name) => {
      const fields = SCHEMA.fields.filter((field) => field.section === name);
      const fieldset = element('fieldset', {}, [element('legend', { textContent: name })]);
      const more = element('div', { className: 'grid' });
      for (const field of fields) {
        const node = control(field);
        inputs.set(field.path, node);
        const wrapper = element('div', { className: 'field' }, [
          element('label', { htmlFor: node.id, textContent: field.label }), node,
          element('p', { className: 'field-error', id: 'error-' + field.path })]);
        if (field.suggestions) {
          wrapper.append(element('datalist', { id: 'suggestions-' + field.path }, field.suggestions.map((value) => element('option', { value }))));
        }
        wrapper.querySelector('.field-error').dataset.errorFor = field.path;
        field.wrapper = wrapper;
        if (QUESTION.includes(field.path)) questionFields.push(field);
        else (field.advanced ? more : fieldset).append(wrapper);
      }
      if (more.childElementCount) {
        fieldset.append(element('details', {}, [element('summary', {
          textContent: name === 'Overheads' ? 'Fragmentation, safety margin and other factors' : `More ${/^[A-Z][a-z]/.test(name) && name !== 'SGLang' ? name.toLowerCase() : name} settings` }), more]));
      }
      host.append(fieldset);
      return { fields: fields.filter((field) => !QUESTION.includes(field.path)), fieldset };
    });
    $('#question-fields').append(...QUESTION.map((path) => questionFields.find((field) => field.path === path).wrapper));
  };

  page.control = (path) => inputs.get(path);

  // Numbers go as numbers; anything else as typed, so the engine names the field in its error.
  const scalar = (text) => {
    const trimmed = text.trim();
    return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
  };

  /** The request the form describes (without the config), as sent and shared. */
  page.readForm = function readForm() {
    const request = {};
    for (const field of SCHEMA.fields) field.wrapper.hidden = !applies(field);
    for (const section of page.sections) {
      section.fieldset.hidden = section.fields.every((field) => field.wrapper.hidden);
      const details = section.fieldset.querySelector('details');
      if (details) details.hidden = !section.fields.some((field) => field.advanced && !field.wrapper.hidden);
    }
    for (const field of SCHEMA.fields) {
      const raw = inputs.get(field.path).value;
      if (field.wrapper.hidden || raw.trim() === '') continue;
      // The contract's default goes unsaid: the request and the link carry what the user chose.
      if (field.default !== null && !Array.isArray(field.default) && raw === String(field.default)) continue;
      const value = field.kind === 'boolean' ? raw === 'true'
        // Every part as typed, empty ones too: "1,,2" is named by the engine, not read as [1, 2].
        : field.kind === 'integer_list' ? raw.split(',').map(scalar)
        : field.kind === 'choice_list' ? raw.split(',').map((part) => part.trim()).filter(Boolean)
        : field.kind === 'integer' || field.kind === 'number' ? scalar(raw) : raw;
      const keys = field.path.split('.');
      if (keys.length === 1) request[keys[0]] = value;
      else (request[keys[0]] ??= {})[keys[1]] = value;
    }
    return request;
  };

  // A link's value goes into its control as it would be typed there: text as typed (the engine
  // names what it cannot read), a number, a list for a list. A shape the control cannot hold
  // is named, never flattened ([64] would otherwise become 64).
  function linkValueProblem(field, value) {
    const typed = (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    const list = field.kind === 'integer_list' || field.kind === 'choice_list';
    if (typed(value) || (field.kind === 'boolean' && typeof value === 'boolean')) return null;
    if (list && Array.isArray(value) && value.every(typed)) return null;
    return list ? 'must be a list' : field.kind === 'boolean' ? 'must be true or false' : 'must be a single value';
  }

  /**
   * Sets every control a request names; returns what could not be used (unknown fields, values
   * a select cannot hold), each as "link.<path>: ...".
   */
  page.writeForm = function writeForm(request) {
    const problems = [];
    const known = new Set(['preset', 'config', ...SCHEMA.fields.map((field) => field.path.split('.')[0])]);
    for (const key of Object.keys(request)) {
      if (!known.has(key)) problems.push(`link.${key}: unknown field`);
      else if (key !== 'preset' && key !== 'config' && key !== 'framework') {
        const section = request[key];
        if (typeof section !== 'object' || section === null || Array.isArray(section)) { problems.push(`link.${key}: must be an object`); continue; }
        for (const inner of Object.keys(section)) if (!inputs.has(`${key}.${inner}`)) problems.push(`link.${key}.${inner}: unknown field`);
      }
    }
    for (const field of SCHEMA.fields) {
      const keys = field.path.split('.');
      let value = request;
      for (const key of keys) value = value == null || typeof value !== 'object' ? undefined : value[key];
      if (value === undefined) continue;
      const kindProblem = linkValueProblem(field, value);
      if (kindProblem) { problems.push(`link.${field.path}: ${kindProblem}, got ${JSON.stringify(value)}`); continue; }
      const node = inputs.get(field.path);
      const wanted = Array.isArray(value) ? value.join(',') : String(value);
      node.value = wanted;
      if (node.tagName === 'SELECT' && node.value !== wanted && field.kind === 'text') {
        // Free text shown as a list (the GPU catalogue): a link may name the card as the engine
        // reads it ("H100", "rtx-4090"), and the engine resolves it or says why not.
        node.append(element('option', { value: wanted, textContent: wanted }));
        node.value = wanted;
      } else if (node.tagName === 'SELECT' && node.value !== wanted) {
        const choices = [...node.options].map((option) => option.value).filter(Boolean);
        problems.push(`link.${field.path}: must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
        node.value = node.options[0].value;
      }
    }
    return problems;
  };
})(globalThis.LlmMemPage ??= {});
