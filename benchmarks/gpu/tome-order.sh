#!/usr/bin/env bash
# elfatt-sd+tome with its local heads on the merged tokens in token order (1ddef0e): what the sort (a TopK over the kept
# sources, integer Less/ReduceSum slots, a ScatterElements there and a GatherElements back) costs per denoising step on
# TensorRT, and whether TensorRT computes it as ONNX Runtime does. (One TopK over all merged positions, 1709bcd, ran
# 1.6-2.1x slower per step and was reverted: benchmarks/tome-order-tensorrt-h200-2026-12-03-run2.md.)
# Expected run time: about 4 minutes on one H200 (BUDGET=270 s caps the timing part, 90 s more for the checks: 6 min at most).
#   bash benchmarks/gpu/tome-order.sh          (from the repository root, after the TensorRT/Java kit is installed)
# Timing: benchmarks/gpu/dit-steps.sh with FORMS=keep,tome,elfatt-sd+tome and no FP32 row: DiT-S/2 and DiT-B/2, seed 3,
# 4096 tokens, CFG as one batch-2 call, every block rewritten, ToMe 0.5: 2048 merged tokens in 8 local chunks of 256, so
# the sort is in the graph (the ELFATT-SD+ToMe rows of benchmarks/dit-steps-tensorrt-h200-2026-12-03.md predate it).
# Prints dit-steps.sh's RESULT and SPEEDUP lines, then
#   CHECK dit=s form=fp16-tome|fp16-elfatt-sd+tome trt_vs_ort {max_abs, max_rel_l2, min_cosine} pass=: the TensorRT FP16 engine
#     against ONNX Runtime CPU running the very same FP16 graph (batch 2, seeded inputs); ToMe is the baseline (FP16
#     similarities on the two backends flip a few near-tied merges), a broken sort would fall far below it.
# Raw TrtProof JSON goes to $OUT (dit-s-128.json, dit-b-128.json, check-tome.json, check-elfatt-sd+tome.json) with the
# logs dit-steps.log and tome-order.log.
set -uo pipefail
FORMS=keep,tome,elfatt-sd+tome NO_FP32=1 BUDGET=${BUDGET:-270} bash benchmarks/gpu/dit-steps.sh
W=/tmp/jedge-dit-steps # the graphs dit-steps.sh wrote
source benchmarks/gpu/kit.sh
begin tome-order
BUDGET=90
# TensorRT against ONNX Runtime on the same FP16 graph: the reference model given to TrtProof is the form's own graph
for f in tome elfatt-sd+tome; do
  g=$W/dit-s-128/fp16-$f.onnx
  [ -f "$g" ] || { echo "CHECK dit=s form=fp16-$f missing ($g not written)"; continue; }
  t=$(tmo 90) || break
  timeout $t java_tool io.jedge.cli.convert.TrtProof "$g" "fp16:$g" 2 "$OUT/check-$f.json" runs=5 warmup=2 level=1 \
    workspace=16384 cache=$W/trt.cache engines=$W/check 2>&1 | grep -E "rror" | tail -4
  LD_LIBRARY_PATH= python3 - "$OUT/check-$f.json" "$f" <<'PY'
import json, os, sys
p, f = sys.argv[1], sys.argv[2]
if not os.path.exists(p):
    print("CHECK dit=s form=fp16-%s missing (TrtProof wrote nothing)" % f); sys.exit()
for e in json.load(open(p)).get("engines", []):
    a = e.get("accuracy") or {}
    if "vs_ort_fp32" not in a:
        print("CHECK dit=s form=fp16-%s FAILED: %s" % (f, e.get("error") or e.get("skipped") or "no ONNX Runtime reference")); continue
    print("CHECK dit=s form=fp16-%s trt_vs_ort %s pass=%s" % (f, json.dumps(a["vs_ort_fp32"], sort_keys=True), a.get("pass")))
PY
done
echo "checks took $((SECONDS - T0)) s"
