// The weights from the checkpoint's own safetensors headers, read from the hub (or a mirror) by
// HTTP range requests: the index names the shards, each shard's first 8 bytes give its header's
// length, then the header itself; never a byte of tensor data. The engine checks the headers
// (calc.readSafetensorsHeaders) and the request carries what they say (checkpoint.*).
'use strict';

(function checkpoint(page) {
  const { $ } = page;
  const LIMITS = globalThis.LLM_MEM_SCHEMA.limits;
  const FIELDS = ['checkpoint.tensor_bytes', 'checkpoint.parameters'];

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

  page.wireCheckpoint = (engine, shown) => $('[data-testid="hub-headers"]').addEventListener('click', () => readHeaders(engine, shown));
})(globalThis.LlmMemPage ??= {});
