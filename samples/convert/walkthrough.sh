#!/usr/bin/env bash
# The conversion walkthrough: from a PyTorch export to a bundle with fp32/fp16/int8 and ELFATT-SD variants,
# and TensorRT engines where TensorRT is present.
# Usage: samples/run convert [MODEL.onnx] [OUT_DIR] [CONVERT OPTIONS...]
# Without MODEL.onnx (or with '') it builds a small seeded ViT to stand in for your export. Options after OUT_DIR
# are passed to 'jedge convert' (e.g. --min-cosine 0.95). JEDGE names the jedge launcher (default: ./jedge of
# this checkout); JEDGE_BENCH_SECONDS the timed seconds per variant and batch (default 1).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jedge="${JEDGE:-$here/jedge}"
model=${1:-}
out=${2:-jedge-out/convert}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$out"
if [ -z "$model" ]; then
  model="$out/vit.onnx"
  echo "== 0. no model given: building a seeded ViT (random weights) as a stand-in for a torch.onnx export"
  "$jedge" build-model vit --preset micro --seed 1 -o "$model"
fi
echo "== 1. what is in the export (interface, ops, attention blocks)"
"$jedge" inspect "$model"
echo "== 2. convert: fp32/fp16/int8 x (as exported, ELFATT-SD), with accuracy and fidelity reports"
# engines only where 'jedge device --json' reports a TensorRT library and the TensorRT Java bindings load
device="$("$jedge" device --json 2>/dev/null | tr -d ' \n\t' || true)"
engines=()
if [[ "$device" == *'"tensorRt":"'* && "$device" == *'"tensorRtJavaBindings":{"load":true'* ]]; then
  echo "   TensorRT found: building engines too"
  engines=(--engines tensorrt)
fi
"$jedge" convert "$model" -o "$out/bundle" --precision fp32,fp16,int8 --attention keep,elfatt-sd \
  --calibration-seeded 32 --batch 1:8:16 ${engines[@]+"${engines[@]}"} "$@"
echo "== 3. measure every variant here and record the figures in the bundle"
"$jedge" bench "$out/bundle" --batch 1,8 --seconds "${JEDGE_BENCH_SECONDS:-1}"
echo "== 4. what the runtime would choose here, and on a Jetson Orin Nano at 15 W (simulated)"
"$jedge" select "$out/bundle"
"$jedge" select "$out/bundle" --simulate orin-nano-8gb:15W
echo "bundle: $out/bundle"
