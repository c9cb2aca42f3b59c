#!/usr/bin/env bash
# The conversion walkthrough: from a PyTorch export to a bundle with fp32/fp16/int8 and ELFATT-SD variants,
# and TensorRT engines where TensorRT is present. Usage: samples/run convert [MODEL.onnx] [OUT_DIR]
# Without MODEL.onnx it builds a small seeded ViT to stand in for your export.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jedge="$here/jedge"
out=${2:-jedge-out/convert}
mkdir -p "$out"
model=${1:-}
if [ -z "$model" ]; then
  model="$out/vit.onnx"
  echo "== 0. no model given: building a seeded ViT (random weights) as a stand-in for a torch.onnx export"
  "$jedge" build-model vit --preset micro --seed 1 -o "$model"
fi
echo "== 1. what is in the export (interface, ops, attention blocks)"
"$jedge" inspect "$model"
echo "== 2. convert: fp32/fp16/int8 x (as exported, ELFATT-SD), with accuracy and fidelity reports"
engines=()
if "$jedge" device --json 2>/dev/null | grep -q '"tensorRtVersion"'; then engines=(--engines tensorrt); fi
"$jedge" convert "$model" -o "$out/bundle" --precision fp32,fp16,int8 --attention keep,elfatt-sd \
  --calibration-seeded 32 --batch 1:8:16 "${engines[@]}"
echo "== 3. measure every variant here and record the figures in the bundle"
"$jedge" bench "$out/bundle" --batch 1,8 --seconds 1
echo "== 4. what the runtime would choose here, and on a Jetson Orin Nano at 15 W (simulated)"
"$jedge" select "$out/bundle"
"$jedge" select "$out/bundle" --simulate orin-nano-8gb:15W
echo "bundle: $out/bundle"
