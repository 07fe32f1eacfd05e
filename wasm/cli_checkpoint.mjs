// `llm-mem checkpoint`: a local checkpoint's tensors from its safetensors headers, reading each
// file's first 8 + header-length bytes and nothing of its tensor data. An index
// (model.safetensors.index.json) names its shards, which are read beside it. A GGUF file's
// header, read as far as the core asks (calc.readGguf), gives its model and tensors.
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './cli_args.mjs';

/** One file's header bytes and size, read without its data. */
async function headerOf(calc, path) {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const prefix = Buffer.alloc(8);
    const { bytesRead } = await file.read(prefix, 0, 8, 0);
    const start = new Uint8Array(prefix.buffer, prefix.byteOffset, bytesRead);
    const length = calc.safetensorsHeaderLength(start, size);  // throws past the file or safetensors' limit
    const bytes = new Uint8Array(8 + length);
    bytes.set(start);
    await file.read(bytes, 8, length, 8);
    return { bytes, fileBytes: size };
  } finally {
    await file.close();
  }
}

/** The files a path stands for: itself, or an index's shards (each once, in the index's order). */
async function shardsOf(calc, path) {
  if (!path.endsWith('.json')) return [path];
  const limit = calc.schema().limits.request_bytes;
  if ((await stat(path)).size > limit) throw new UsageError(`${basename(path)}: larger than ${limit} bytes (4 MiB): not a safetensors index`);
  return calc.safetensorsShards(await readFile(path, 'utf8'), basename(path)).map((shard) => join(dirname(path), shard));
}

/** A GGUF file's header: its tensors by type and place, and its config. */
export async function ggufOf(calc, path) {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await calc.readGguf(async (start, end) => {
      const bytes = new Uint8Array(end - start);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
      return bytes.subarray(0, bytesRead);
    }, size);
  } finally {
    await file.close();
  }
}

export async function checkpointCommand(calc, paths) {
  if (paths.length === 1 && /\.gguf$/i.test(paths[0])) return ggufOf(calc, paths[0]);
  if (paths.length === 0) throw new UsageError('checkpoint needs a .safetensors file or a model.safetensors.index.json');
  const files = [];
  for (const path of paths) {
    for (const shard of await shardsOf(calc, path)) files.push(await headerOf(calc, shard));
  }
  return calc.readSafetensorsHeaders(files);
}
