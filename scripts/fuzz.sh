#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan + UBSan) and fuzzes the estimate path for
# ${1:-60} seconds from a seed corpus made of the config corpus. Any finding fails the run.
# A longer run: bash scripts/fuzz.sh 3600   (findings land in build/fuzz/crash-*)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=build/fuzz
mkdir -p "$out/seeds" "$out/corpus"

clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -ffp-contract=off -DLLMMEM_VERSION='"fuzz"' -Icore/include -Icore/src \
  $(find core/src -name "*.cpp" | sort) tests/fuzz/fuzz_estimate_json.cpp -o "$out/fuzz_estimate_json"

# Seeds: every corpus config alone, and inside a request for each framework.
node -e '
const fs = require("fs"), path = require("path");
const [dir, seeds] = process.argv.slice(1);
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".json"))) {
  const config = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  fs.writeFileSync(path.join(seeds, name), JSON.stringify(config));
  for (const framework of ["transformers", "vllm", "deepspeed", "llama.cpp", "sglang"]) {
    fs.writeFileSync(path.join(seeds, `${framework}-${name}`), JSON.stringify({ config, framework,
      workload: { batch_size: 4, max_num_seqs: 8 }, parallelism: { tensor_parallel_size: 2, data_parallel_size: 2 },
      framework_config: { gpu_memory_gib: 80, cudagraph_capture_sizes: [1, 2] } }));
  }
}' tests/data/configs "$out/seeds"
# And the hostile-input review's repros (issue 21), large ones included: a 1.2 MB per-layer list
# that parsing once took quadratic time over, a vision tower of 2^24 widths, 5,000 nested arrays.
node -e '
const fs = require("fs"), path = require("path");
const seeds = process.argv[1];
const moe = { model_type: "qwen2_moe", architectures: ["Qwen2MoeForCausalLM"], hidden_size: 64, intermediate_size: 128,
  num_attention_heads: 4, num_key_value_heads: 4, num_hidden_layers: 100000, vocab_size: 1000, num_experts: 4,
  num_experts_per_tok: 2, moe_intermediate_size: 32, mlp_only_layers: Array.from({ length: 100000 }, (_, i) => i) };
fs.writeFileSync(path.join(seeds, "repro-mlp-only-layers.json"), JSON.stringify({ config: moe }));
fs.writeFileSync(path.join(seeds, "repro-vision-overflow.json"), JSON.stringify({ config: { model_type: "llava",
  text_config: { model_type: "llama", hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2, intermediate_size: 128, vocab_size: 100 },
  vision_config: { model_type: "clip_vision_model", hidden_size: 16777216, intermediate_size: 16777216, num_hidden_layers: 16777216 } } }));
fs.writeFileSync(path.join(seeds, "repro-deep.json"), JSON.stringify({ config: 0 }).replace("0", "[".repeat(5000) + "]".repeat(5000)));
' "$out/seeds"

# The real safetensors headers' JSON (tests/data/safetensors: the bytes after the 8-byte length).
for header in tests/data/safetensors/*.header; do
  tail -c +9 "$header" > "$out/seeds/safetensors-$(basename "$header")"
done

# GGUF seeds: the real headers (tests/data/gguf/real) and the malformed ones, as bytes.
cp tests/data/gguf/real/*.gguf-header "$out/seeds/" 2>/dev/null || true
node -e '
const fs = require("fs"), path = require("path");
const [file, seeds] = process.argv.slice(1);
for (const c of JSON.parse(fs.readFileSync(file, "utf8"))) fs.writeFileSync(path.join(seeds, "gguf-" + c.id), Buffer.from(c.hex, "hex"));
' tests/data/gguf/malformed.json "$out/seeds"

log="$out/fuzz.log"
# -max_len 2 MB: the large repros stay reachable; -timeout 10: an input slower than 10 s is a finding.
"$out/fuzz_estimate_json" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=2097152 -timeout=10 \
  -artifact_prefix="$out/" "$out/corpus" "$out/seeds" >"$log" 2>&1 || { tail -50 "$log"; exit 1; }
runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
echo "fuzz: estimate_json/sweep_json/solve_json, safetensors and GGUF headers for ${seconds} s: ${runs:-no summary} ($(ls "$out/corpus" | wc -l) inputs in the corpus), no finding"
