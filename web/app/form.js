// The form: built from the request schema (gen/schema.js, written from the engine), read into a
// request and written back from one. A field shows when its engine and mode read it.
'use strict';

(function form(page) {
  const { $, element } = page;
  const SCHEMA = globalThis.LLM_MEM_SCHEMA;
  // Suggestions for the vLLM version: releases whose defaults differ (docs/formulas.md).
  const VLLM_VERSIONS = ['0.31.0', '0.30.0', '0.27.1', '0.25.0', '0.23.0', '0.22.0', '0.21.0', '0.19.1', '0.17.1',
    '0.15.1', '0.12.0', '0.11.0', '0.10.2', '0.10.1', '0.9.2', '0.8.5', '0.7.3', '0.6.6', '0.6.4', '0.5.4'];
  const inputs = new Map();  // path -> control
  const idFor = (path) => 'field-' + path.replace(/\./g, '-');
  page.fields = SCHEMA.fields;

  const framework = () => inputs.get('framework').value || 'transformers';
  // Only transformers runs both ways: vLLM serves, DeepSpeed trains.
  const mode = () => framework() === 'vllm' ? 'inference' : framework() === 'deepspeed' ? 'training'
    : inputs.get('workload.mode').value || 'inference';
  function applies(field) {
    // Only transformers runs both ways: vLLM serves, DeepSpeed trains.
    if (field.path === 'workload.mode') return framework() === 'transformers';
    if (!field.engines.includes(framework()) || !field.modes.includes(mode())) return false;
    if (!field.when) return true;
    const current = inputs.get(field.when.path).value || SCHEMA.fields.find((f) => f.path === field.when.path).default;
    return field.when.values.includes(current);
  }

  /** The control for one field: a select for choices and yes/no, else a text input. */
  function control(field) {
    let node;
    if (field.path === 'framework_config.gpu') {
      node = element('select', {}, [element('option', { value: '', textContent: 'None or custom (type its memory)' }),
        ...SCHEMA.gpus.map((gpu) => element('option', { value: gpu.name, textContent: `${gpu.name} (${gpu.memory_gib} GiB)` }))]);
    } else if (field.kind === 'choice' || field.kind === 'boolean') {
      const values = field.kind === 'boolean' ? (field.default === null ? ['', 'true', 'false'] : field.default ? ['true', 'false'] : ['false', 'true'])
        : field.default === null || field.path === 'workload.mode' ? ['', ...field.choices] : field.choices;
      const fromEngine = field.path.startsWith('framework_config.vllm') || field.path.includes('profile') || field.path.includes('chunked') ? 'from the version' : 'default';
      node = element('select', {}, values.map((value) => element('option', { value, textContent: value === '' ? fromEngine : value })));
    } else {
      const placeholder = field.default !== null ? (Array.isArray(field.default) ? field.default.join(',') : String(field.default))
        : field.path === 'framework_config.vllm_version' ? `${VLLM_VERSIONS[0]} (newest)` : field.default_note ?? '';
      node = element('input', { type: 'text', inputMode: field.kind === 'integer' || field.kind === 'number' ? 'decimal' : 'text', placeholder });
      if (field.path === 'framework_config.vllm_version') node.setAttribute('list', 'vllm-versions');
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
        if (field.path === 'framework_config.vllm_version') {
          wrapper.append(element('datalist', { id: 'vllm-versions' }, VLLM_VERSIONS.map((value) => element('option', { value }))));
        }
        wrapper.querySelector('.field-error').dataset.errorFor = field.path;
        field.wrapper = wrapper;
        (field.advanced ? more : fieldset).append(wrapper);
      }
      if (more.childElementCount) {
        fieldset.append(element('details', {}, [element('summary', {
          textContent: name === 'Overheads' ? 'Show the spec\u2019s tunable overheads' : `More ${name} settings` }), more]));
      }
      host.append(fieldset);
      return { name, fields, fieldset, more };
    });
  };

  page.control = (path) => inputs.get(path);
  page.framework = framework;

  // Numbers go as numbers; anything else as typed, so the engine names the field in its error.
  const scalar = (text) => {
    const trimmed = text.trim();
    return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
  };

  /** The request the form describes (without the config), as sent and shared. */
  page.readForm = function readForm() {
    const request = {};
    for (const section of page.sections) {
      const shown = section.fields.filter(applies);
      section.fieldset.hidden = section.name !== 'Overheads' && shown.length === 0;
      const details = section.fieldset.querySelector('details');
      if (details) details.hidden = !section.fields.some((field) => field.advanced && applies(field));
    }
    for (const field of SCHEMA.fields) {
      field.wrapper.hidden = !applies(field);
      const raw = inputs.get(field.path).value;
      if (field.wrapper.hidden || raw.trim() === '') continue;
      // The contract's default goes unsaid: the request and the link carry what the user chose.
      if (field.default !== null && !Array.isArray(field.default) && raw === String(field.default)) continue;
      const value = field.kind === 'boolean' ? raw === 'true'
        : field.kind === 'integer_list' ? raw.split(',').map((part) => part.trim()).filter(Boolean).map(scalar)
        : field.kind === 'choice_list' ? raw.split(',').map((part) => part.trim()).filter(Boolean)
        : field.kind === 'integer' || field.kind === 'number' ? scalar(raw) : raw;
      const keys = field.path.split('.');
      if (keys.length === 1) request[keys[0]] = value;
      else (request[keys[0]] ??= {})[keys[1]] = value;
    }
    return request;
  };

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
      const node = inputs.get(field.path);
      let wanted = Array.isArray(value) ? value.join(',') : String(value);
      if (field.path === 'framework_config.gpu') {
        // A link may name the card as the engine accepts it: "H100", "rtx-4090".
        const folded = (text) => String(text).toLowerCase().replace(/[^a-z0-9]/g, '');
        const gpu = SCHEMA.gpus.find((g) => [g.name, ...g.aliases].some((name) => folded(name) === folded(value))) ??
          SCHEMA.gpus.find((g) => folded(g.name).startsWith(folded(value)));
        if (gpu) wanted = gpu.name;
      }
      node.value = wanted;
      if (node.tagName === 'SELECT' && node.value !== wanted) {
        const choices = [...node.options].map((option) => option.value).filter(Boolean);
        problems.push(`link.${field.path}: must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
        node.value = node.options[0].value;
      }
    }
    return problems;
  };
})(globalThis.LlmMemPage ??= {});
