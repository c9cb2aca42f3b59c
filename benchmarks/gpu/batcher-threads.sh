#!/usr/bin/env bash
# Issue 17: the batcher against hand-made full batches on ONNX Runtime CPU with 16 cores, by intra-op thread count.
# On the device machine the batcher reached 0.75-0.82x there (0.90-0.93x on TensorRT): does leaving cores to the
# batcher's gather and answer threads and the 32 clients close the gap, and what does it cost the hand-made batches?
# Expected run time: about 2 minutes (one FP32 convert of ViT-224 without engines, then 3 x 5 rounds).
#   bash benchmarks/gpu/batcher-threads.sh      (from the repository root, after the kit is installed)
# Prints the bench's round lines and RESULT batcher lines, one per thread count (THREADS, default "16 14 12").
set -uo pipefail
W=/tmp/jedge-batcher-threads
source benchmarks/gpu/kit.sh
MODEL=.gpu/app/fixtures/vit224_legacy_op17/model.onnx
begin batcher-threads
BUDGET=${BUDGET:-200}
t=$(tmo 60) && timeout $t jedge convert "$MODEL" -o $W/cpu.bundle --precision fp32 --attention keep 2>&1 | tail -2
for n in ${THREADS:-16 14 12}; do
  echo "== --threads $n"
  t=$(tmo 50) || break
  timeout $t jedge bench $W/cpu.bundle --variants fp32-vanilla --threads $n --batcher 16 --clients 32 --rounds 5 --seconds 0.5 2>&1 \
    | grep -E "^round|^RESULT|error"
done
echo "total $((SECONDS - T0)) s"
