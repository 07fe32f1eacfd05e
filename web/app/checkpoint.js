// The weights from the checkpoint's own headers, never a byte of tensor data: safetensors headers
// read from the hub (or a mirror) by HTTP range requests (the index names the shards, each
// shard's first 8 bytes give its header's length, then the header itself), and a GGUF file's
// header, from a file picked here or by range requests, which gives the model too. The engine
// checks the headers (calc.readSafetensorsHeaders, calc.readGguf) and the request carries what
// they say (checkpoint.*).
'use strict';

(function checkpoint(page) {
  const { $ } = page;
  const LIMITS = globalThis.LLM_MEM_SCHEMA.limits;
  const FIELDS = ['checkpoint.tensor_bytes', 'checkpoint.parameters', 'checkpoint.input_bytes', 'checkpoint.output_bytes',
    'checkpoint.layer_bytes'];

  page.clearCheckpoint = () => { for (const path of FIELDS) page.control(path).value = ''; };

  /** bytes [start, end] of `url`; the server must answer 206 (the whole file is never read). */
  async function range(url, headers, start, end) {
    const response = await fetch(url, { headers: { ...headers, Range: `bytes=${start}-${end}` }, credentials: 'omit', cache: 'no-store' });
    if (response.status !== 206) {
      if (response.body) response.body.cancel().catch(() => {});
      throw new Error(response.ok ? `${url} does not answer range requests` : `${url} answered HTTP ${response.status}`);
    }
    const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') || '');
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length !== end - start + 1) throw new Error(`${url} sent ${bytes.length} bytes for a range of ${end - start + 1}`);
    return { bytes, fileBytes: total ? Number(total[1]) : -1 };
  }

  /** The shard files of `id`: its index's weight_map (calc.safetensorsShards), or the one model.safetensors. */
  async function shardsOf(calc, url, headers) {
    const response = await fetch(url('model.safetensors.index.json'), { headers, credentials: 'omit', cache: 'no-store' });
    if (response.status === 404) return ['model.safetensors'];
    if (!response.ok) throw new Error(`model.safetensors.index.json: HTTP ${response.status}`);
    const text = await readBoundedText(response, LIMITS.request_bytes);
    if (text === null) throw new Error('model.safetensors.index.json is larger than 4 MiB');
    return calc.safetensorsShards(text);
  }

  /** `engine()`: the calculator once it is ready; `shown()`: the result on screen. */
  async function readHeaders(engine, shown) {
    const status = $('[data-testid="hub-status"]');
    const fail = (text) => { status.className = 'field-error'; status.textContent = text; };
    const { id, base, token } = page.hubTarget();
    if (!page.isModelId(id)) return fail(`"${id}" is not a model id (organisation/name, e.g. meta-llama/Llama-3.1-8B).`);
    const calc = engine();
    if (!calc) return fail('The calculator is still loading: read the headers in a moment.');
    status.className = '';
    status.textContent = `Reading ${id}'s safetensors headers\u2026`;
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const url = (file) => `${base}/${id}/resolve/main/${file}`;
    let tensors;
    try {
      const files = [];
      for (const shard of await shardsOf(calc, url, headers)) {
        const start = await range(url(shard), headers, 0, 7);
        const length = calc.safetensorsHeaderLength(start.bytes, start.fileBytes);
        files.push(await range(url(shard), headers, 0, 7 + length));
      }
      const layers = shown()?.model.num_hidden_layers;
      tensors = calc.readSafetensorsHeaders(files, layers ? { numHiddenLayers: layers } : undefined);
    } catch (error) {
      return fail(`Could not read ${id}'s safetensors headers at ${base} (${error.message}); the weights stay config.json's.`);
    }
    page.control('checkpoint.tensor_bytes').value = String(tensors.bytes);
    page.control('checkpoint.parameters').value = String(tensors.parameters);
    page.update();
    // What a config's formula does not count, named: where the two counts part.
    const beside = tensors.groups.filter((g) => g.group !== 'weights').map((g) => `${page.count(g.parameters)} in ${g.group}`);
    status.textContent = `Read ${tensors.files} safetensors header${tensors.files === 1 ? '' : 's'} of ${id}: ${page.count(tensors.tensors)} tensors, ` +
      `${page.count(tensors.parameters)} parameters, ${page.count(tensors.bytes)} bytes` + (beside.length ? ` (of the parameters, ${beside.join(', ')})` : '') +
      '. The weights are now the headers\'.';
  }

  /**
   * A GGUF header read through `read(start, end)`: its config becomes the model, llama.cpp the
   * engine, its tensors' bytes the weights, part by part. `what` names the file in the status.
   */
  async function useGguf(engine, read, fileBytes, what) {
    const status = $('[data-testid="hub-status"]');
    const fail = (text) => { status.className = 'field-error'; status.textContent = text; };
    const calc = engine();
    if (!calc) return fail('The calculator is still loading: open the GGUF file in a moment.');
    status.className = '';
    status.textContent = `Reading ${what}'s GGUF header\u2026`;
    let header;
    let reads = 0, bytesRead = 0;
    try {
      header = await calc.readGguf(async (start, end) => {
        reads += 1;
        bytesRead += end - start;
        return read(start, end);
      }, fileBytes);
    } catch (error) {
      return fail(`Could not read ${what}'s GGUF header (${error.message}).`);
    }
    if (!header.config) return fail(`${what}: ${header.config_missing}; its weights were read but there is no model to weigh them with.`);
    $('#config-text').value = JSON.stringify(header.config, null, 2);
    page.setCustomConfig(what.replace(/\.gguf$/i, ''));
    page.clearCheckpoint();
    page.control('framework').value = 'llama.cpp';
    page.control('checkpoint.weights_as').value = 'stored';
    // The checkpoint fields the core worked out for this file (a list field takes "a, b, c").
    for (const [key, value] of Object.entries(header.checkpoint)) {
      page.control(`checkpoint.${key}`).value = Array.isArray(value) ? value.join(', ') : String(value);
    }
    page.update();
    const types = header.types.map((t) => t.type).join(', ');
    status.textContent = `Read ${what}'s GGUF header (${header.architecture}${header.file_type_name ? ', ' + header.file_type_name : ''}): ` +
      `${page.count(header.tensors)} tensors of ${types}, ${page.count(header.parameters)} parameters, ${page.count(header.bytes)} bytes; ` +
      `${reads} read${reads === 1 ? '' : 's'} of ${page.count(bytesRead)} bytes, the header's ${page.count(header.header_bytes)} and no more. ` +
      'The model and its weights are now the file\'s, on llama.cpp.';
  }

  /** A picked GGUF file: its header read slice by slice, the rest of it never. */
  const readFile = (engine, file) => useGguf(engine, async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()), file.size, file.name);

  /** A GGUF file in the hub repository (or the mirror): its header by range requests. */
  function readRemoteGguf(engine) {
    const { id, base, token } = page.hubTarget();
    const name = $('#hub-gguf').value.trim();
    const status = $('[data-testid="hub-status"]');
    if (!page.isModelId(id) || !/^[\w.\/-]+\.gguf$/i.test(name) || name.includes('..')) {
      status.className = 'field-error';
      status.textContent = 'Name the model id above and a .gguf file in it (e.g. Llama-3.1-8B-Instruct-Q4_K_M.gguf).';
      return;
    }
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const url = `${base}/${id}/resolve/main/${name}`;
    return useGguf(engine, async (start, end) => (await range(url, headers, start, end - 1)).bytes, -1, name);
  }

  page.wireCheckpoint = (engine, shown) => {
    $('[data-testid="hub-headers"]').addEventListener('click', () => readHeaders(engine, shown));
    $('[data-testid="hub-gguf-read"]').addEventListener('click', () => readRemoteGguf(engine));
    $('#gguf-file').addEventListener('change', (event) => {
      const file = event.target.files[0];
      if (file) readFile(engine, file);
    });
  };
})(globalThis.LlmMemPage ??= {});
