// Small GGUF files as llama.cpp's converter and llama-quantize lay them out, their weights
// garbage: a Llama-architecture model in Q4_K_M's mix (Q6_K for attn_v, ffn_down and the head),
// for the tests of the GGUF reader in node and in Chromium.
import { ggmlTensorBytes, writeGguf } from './gguf_writer.mjs';

/** A Llama of `layers` layers of `hidden` (a multiple of 256 for the K-quants) and its metadata. */
export function llamaGguf({ layers = 4, hidden = 256, ff = 768, heads = 4, kvHeads = 2, vocab = 1024, tokens = vocab } = {}) {
  const headDim = hidden / heads;
  const tensors = [{ name: 'token_embd.weight', type: 'Q4_K', shape: [hidden, vocab] }];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, type: 'F32', shape: [hidden] },
      { name: `blk.${i}.attn_q.weight`, type: 'Q4_K', shape: [hidden, hidden] },
      { name: `blk.${i}.attn_k.weight`, type: 'Q4_K', shape: [hidden, kvHeads * headDim] },
      { name: `blk.${i}.attn_v.weight`, type: 'Q6_K', shape: [hidden, kvHeads * headDim] },
      { name: `blk.${i}.attn_output.weight`, type: 'Q4_K', shape: [hidden, hidden] },
      { name: `blk.${i}.ffn_norm.weight`, type: 'F32', shape: [hidden] },
      { name: `blk.${i}.ffn_gate.weight`, type: 'Q4_K', shape: [hidden, ff] },
      { name: `blk.${i}.ffn_up.weight`, type: 'Q4_K', shape: [hidden, ff] },
      { name: `blk.${i}.ffn_down.weight`, type: 'Q6_K', shape: [ff, hidden] },
    );
  }
  tensors.push({ name: 'output_norm.weight', type: 'F32', shape: [hidden] }, { name: 'output.weight', type: 'Q6_K', shape: [hidden, vocab] });
  const metadata = [
    ['general.architecture', 'STRING', 'llama'],
    ['general.name', 'tiny llama'],
    ['general.file_type', 'UINT32', 15],
    ['llama.block_count', 'UINT32', layers],
    ['llama.context_length', 'UINT32', 8192],
    ['llama.embedding_length', 'UINT32', hidden],
    ['llama.feed_forward_length', 'UINT32', ff],
    ['llama.attention.head_count', 'UINT32', heads],
    ['llama.attention.head_count_kv', 'UINT32', kvHeads],
    ['llama.rope.freq_base', 'FLOAT32', 500000],
    ['llama.attention.layer_norm_rms_epsilon', 'FLOAT32', 1e-5],
    ['tokenizer.ggml.model', 'STRING', 'gpt2'],
    ['tokenizer.ggml.tokens', 'ARRAY', { type: 'STRING', values: Array.from({ length: tokens }, (_, i) => `token${i}`) }],
  ].map(([key, type, value]) => (value === undefined ? [key, 'STRING', type] : [key, type, value]));
  const bytes = writeGguf({ metadata, tensors });
  const sum = (list) => list.reduce((n, t) => n + ggmlTensorBytes(t.type, t.shape), 0);
  const expected = {
    tensors: tensors.length,
    parameters: tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
    bytes: sum(tensors),
    input: sum(tensors.filter((t) => t.name.startsWith('token_embd'))),
    output: sum(tensors.filter((t) => t.name.startsWith('output'))),
    layers: Array.from({ length: layers }, (_, i) => sum(tensors.filter((t) => t.name.startsWith(`blk.${i}.`)))),
  };
  return { bytes, expected };
}
