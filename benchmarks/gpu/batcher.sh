#!/usr/bin/env bash
# Issue 17, batching that pays, on the GPU machine. Expected run time: about 3 minutes (one convert of ViT-224 with
# FP32+FP16 engines of dynamic batch 1:16:16 at builder level 1, ~1 min; the batcher against hand-made full batches of
# 16 with 32 clients and 5 rounds on ONNX Runtime CPU, then TensorRT FP32 and FP16, ~1.5 min). Every step has a
# timeout, so the whole stays under 6 minutes.
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/batcher.sh
# The same model and engines as benchmarks/gpu/speed.sh (vit224_legacy_op17), so its RESULT batcher lines compare
# with benchmarks/speed-tensorrt-h200-2026-12-03.md (before: 0.640x on TensorRT FP32, 0.825x on ONNX Runtime CPU).
# Prints the lines a table is made from:
#   round N: hand-made R rows/s, batcher R rows/s (mean batch B), X wall, ... lost L
#   RESULT batcher variant=... backend=... max_batch=16 clients=32 rounds=5 ... ratio_median ratio_min ratio_max lost ratios=[...]
# Results go to $OUT: batcher.log (everything printed).
set -uo pipefail
W=${W:-/tmp/jedge-batcher} # W=/tmp/jedge-speed reuses the bundle speed.sh converted in the same lease
source benchmarks/gpu/kit.sh
FX=.gpu/app/fixtures
MODEL=$FX/vit224_legacy_op17/model.onnx
begin batcher
BUDGET=${BUDGET:-340}

echo "== convert: FP32 and FP16 engines with a dynamic batch (1:16:16)"
if [ ! -f $W/dyn.bundle/bundle.json ]; then
  t=$(tmo 150) && timeout $t jedge convert "$MODEL" -o $W/dyn.bundle --precision fp32,fp16 --attention keep --profile tensorrt \
    --engines tensorrt --engine-batch 1:16:16 --engine-opt-level 1 --no-tf32 --validation-inputs 4 --timing-cache $W/trt.cache \
    2>&1 | grep -E "trt|engine|error|Error" | tail -4
fi
echo "convert done after $((SECONDS - T0)) s"

echo "== batcher vs hand-made full batches of 16, 32 clients ($(nproc) cores): ONNX Runtime CPU, TensorRT FP32, TensorRT FP16"
for v in fp32-vanilla fp32-vanilla-trt fp16-vanilla-trt; do
  t=$(tmo 60) || break
  timeout $t jedge bench $W/dyn.bundle --variants $v --batcher 16 --clients 32 --rounds 5 --seconds 0.5 2>&1 | grep -v "^INFO\|SLF4J"
done
echo "total $((SECONDS - T0)) s"
