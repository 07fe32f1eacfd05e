// A small GGUF writer for tests (node and browsers alike: Uint8Array and DataView only). It lays a
// file out as llama.cpp's gguf-py writer does (ggml/docs/gguf.md): "GGUF", version, tensor count,
// metadata count, the metadata, the tensor infos, padding to the alignment, then each tensor's
// data at its aligned offset. The data is garbage (or zeros): a header reader must never look at it.
// tests/core/test_gguf_header.cpp has the same writer in C++; tests/data/gguf/malformed.json was
// made with this one.

/** GGUF's metadata value types (ggml/include/gguf.h, enum gguf_type). */
export const GGUF_VALUE_TYPES = Object.freeze({
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
  STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
});

/**
 * ggml's types by id (ggml/include/ggml.h, enum ggml_type) with their storage: `block` values in
 * `bytes` bytes (ggml/src/ggml.c, type_traits; the block sizes ggml/src/ggml-common.h asserts).
 * block 0: an id ggml removed (Q4_2, Q4_3, the Q4_0_x_x and IQ4_NL_x_x repacks).
 */
export const GGML_TYPES = Object.freeze([
  ['F32', 1, 4], ['F16', 1, 2], ['Q4_0', 32, 18], ['Q4_1', 32, 20], ['Q4_2', 0, 0], ['Q4_3', 0, 0],
  ['Q5_0', 32, 22], ['Q5_1', 32, 24], ['Q8_0', 32, 34], ['Q8_1', 32, 36], ['Q2_K', 256, 84],
  ['Q3_K', 256, 110], ['Q4_K', 256, 144], ['Q5_K', 256, 176], ['Q6_K', 256, 210], ['Q8_K', 256, 292],
  ['IQ2_XXS', 256, 66], ['IQ2_XS', 256, 74], ['IQ3_XXS', 256, 98], ['IQ1_S', 256, 50], ['IQ4_NL', 32, 18],
  ['IQ3_S', 256, 110], ['IQ2_S', 256, 82], ['IQ4_XS', 256, 136], ['I8', 1, 1], ['I16', 1, 2], ['I32', 1, 4],
  ['I64', 1, 8], ['F64', 1, 8], ['IQ1_M', 256, 56], ['BF16', 1, 2], ['Q4_0_4_4', 0, 0], ['Q4_0_4_8', 0, 0],
  ['Q4_0_8_8', 0, 0], ['TQ1_0', 256, 54], ['TQ2_0', 256, 66], ['IQ4_NL_4_4', 0, 0], ['IQ4_NL_4_8', 0, 0],
  ['IQ4_NL_8_8', 0, 0], ['MXFP4', 32, 17], ['NVFP4', 64, 36], ['Q1_0', 128, 18], ['Q2_0', 64, 18],
].map(([name, block, bytes], id) => Object.freeze({ id, name, block, bytes })));

/** A ggml type's entry by id or name ("Q4_K"); undefined for an id past the table. */
export function ggmlType(type) {
  return typeof type === 'number' ? GGML_TYPES[type] : GGML_TYPES.find((t) => t.name === type);
}

/** Bytes of a tensor: ne[0] / block x block bytes x the other dimensions (0 for a removed or unknown type). */
export function ggmlTensorBytes(type, shape) {
  const t = ggmlType(type);
  if (!t || t.block === 0) return 0;
  return shape.reduce((n, d) => n * d, 1) / t.block * t.bytes;
}

/** Little-endian bytes, appended. */
export class GgufBytes {
  constructor() { this.chunks = []; this.length = 0; }
  #put(size, write) {
    const chunk = new Uint8Array(size);
    write(new DataView(chunk.buffer));
    this.chunks.push(chunk);
    this.length += size;
    return this;
  }
  u8(v) { return this.#put(1, (d) => d.setUint8(0, v)); }
  i8(v) { return this.#put(1, (d) => d.setInt8(0, v)); }
  u16(v) { return this.#put(2, (d) => d.setUint16(0, v, true)); }
  i16(v) { return this.#put(2, (d) => d.setInt16(0, v, true)); }
  u32(v) { return this.#put(4, (d) => d.setUint32(0, v, true)); }
  i32(v) { return this.#put(4, (d) => d.setInt32(0, v, true)); }
  u64(v) { return this.#put(8, (d) => d.setBigUint64(0, BigInt(v), true)); }
  i64(v) { return this.#put(8, (d) => d.setBigInt64(0, BigInt(v), true)); }
  f32(v) { return this.#put(4, (d) => d.setFloat32(0, v, true)); }
  f64(v) { return this.#put(8, (d) => d.setFloat64(0, v, true)); }
  bytes(array) { this.chunks.push(Uint8Array.from(array)); this.length += array.length; return this; }
  /** A gguf_string: uint64 length, then UTF-8 (a Uint8Array as is). */
  string(text) {
    const encoded = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    return this.u64(encoded.length).bytes(encoded);
  }
  toUint8Array() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) { out.set(chunk, at); at += chunk.length; }
    return out;
  }
}

const valueType = (type) => (typeof type === 'number' ? type : GGUF_VALUE_TYPES[type]);

/** A value of `type` (id or name). ARRAY: { type, values }, its values of that type (arrays nest). */
function writeValue(out, type, value) {
  const T = GGUF_VALUE_TYPES;
  switch (valueType(type)) {
    case T.UINT8: return out.u8(value);
    case T.INT8: return out.i8(value);
    case T.UINT16: return out.u16(value);
    case T.INT16: return out.i16(value);
    case T.UINT32: return out.u32(value);
    case T.INT32: return out.i32(value);
    case T.FLOAT32: return out.f32(value);
    case T.BOOL: return out.u8(value ? 1 : 0);
    case T.STRING: return out.string(value);
    case T.UINT64: return out.u64(value);
    case T.INT64: return out.i64(value);
    case T.FLOAT64: return out.f64(value);
    case T.ARRAY:
      out.u32(valueType(value.type)).u64(value.count ?? value.values.length);
      for (const element of value.values) writeValue(out, value.type, element);
      return out;
    default: throw new Error(`no GGUF value type ${type}`);
  }
}

/** Deterministic garbage (xorshift32), so a file's hex is the same on every run. */
function fillGarbage(bytes, seed) {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    bytes[i] = x & 0xff;
  }
}

const alignUp = (n, a) => Math.ceil(n / a) * a;

/**
 * The bytes of a whole GGUF file.
 * - metadata: [[key, type, value], ...] (type an id or a GGUF_VALUE_TYPES name), or { raw: Uint8Array }
 *   for a whole key-value pair written as given (a malformed one).
 * - tensors: [{ name, type (id or name), shape: [ne0, ne1, ...], data?: Uint8Array, offset? }]; offsets
 *   default to each tensor after the one before, aligned.
 * - alignment: written as general.alignment (UINT32) unless the metadata has that key; the layout's
 *   alignment either way (default 32).
 * - garbage: the tensor data is pseudo-random bytes (else zeros); explicit `data` wins.
 * - magic, tensorCount, metadataCount: overrides, for malformed files.
 */
export function writeGguf({
  version = 3, metadata = [], tensors = [], alignment, garbage = true, magic = 'GGUF', tensorCount, metadataCount, seed = 1,
} = {}) {
  const entries = [...metadata];
  const declared = entries.find((e) => Array.isArray(e) && e[0] === 'general.alignment');
  if (alignment !== undefined && !declared) entries.push(['general.alignment', 'UINT32', alignment]);
  const layout = alignment ?? (declared && typeof declared[2] === 'number' && declared[2] > 0 ? declared[2] : 32);

  const out = new GgufBytes();
  out.bytes(new TextEncoder().encode(magic)).u32(version);
  out.u64(tensorCount ?? tensors.length).u64(metadataCount ?? entries.length);
  for (const entry of entries) {
    if (!Array.isArray(entry)) { out.bytes(entry.raw); continue; }
    const [key, type, value] = entry;
    out.string(key).u32(valueType(type));
    writeValue(out, type, value);
  }
  let next = 0;
  const placed = tensors.map((t) => {
    const size = t.data ? t.data.length : ggmlTensorBytes(t.type, t.shape);
    const offset = t.offset ?? alignUp(next, layout);
    next = offset + size;
    return { ...t, size, offset };
  });
  for (const t of placed) {
    out.string(t.name).u32(t.shape.length);
    for (const d of t.shape) out.u64(d);
    out.u32(typeof t.type === 'number' ? t.type : ggmlType(t.type).id).u64(t.offset);
  }
  const headerEnd = out.length;
  const dataStart = placed.length > 0 ? alignUp(headerEnd, layout) : headerEnd;
  const dataEnd = placed.length > 0 ? alignUp(Math.max(...placed.map((t) => t.offset + t.size)), layout) : 0;
  const file = new Uint8Array(dataStart + dataEnd);
  file.set(out.toUint8Array(), 0);
  const data = file.subarray(dataStart);
  if (garbage) fillGarbage(data, seed);
  for (const t of placed) if (t.data) data.set(t.data, t.offset);
  return file;
}

/** Lowercase hex of bytes, and back. */
export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
