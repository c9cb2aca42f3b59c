#!/usr/bin/env bash
# elfatt-sd+tome with its local heads on the merged tokens in token order (branch s7-tome-order): what the new sort
# (a TopK over the kept sources, integer Less/ReduceSum slots, a ScatterElements there and a GatherElements back) costs
# per denoising step on TensorRT, and whether TensorRT computes it as ONNX Runtime does.
# Expected run time: about 4 minutes on one H200 (eight FP16 engines at builder level 1 with a shared timing cache;
# BUDGET=330 s caps it, a step that would overrun is skipped with a line saying so).
#   bash benchmarks/gpu/tome-order.sh          (from the repository root, after the TensorRT/Java kit is installed)
# Models as benchmarks/gpu/dit-steps.sh: DiT-S/2 and DiT-B/2, seed 3, 128x128 latents = 4096 tokens, CFG as one batch-2
# call, every block rewritten, ToMe 0.5: 2048 merged tokens in 8 local chunks of 256 (the default block), so the sort
# is in the graph. Forms: FP16 vanilla, ToMe and ELFATT-SD+ToMe (the ELFATT-SD+ToMe rows of
# benchmarks/dit-steps-tensorrt-h200-2026-12-03.md came from the form without the sort).
# Prints:
#   RESULT dit=PRESET tokens=4096 form=... layers= activation_mib= gpu_ms_p50= compute_ms_p50= wall_ms_p50= (50 timed calls)
#   SPEEDUP dit=PRESET tokens=4096 FORM vs fp16-vanilla: X.XXx
#   CHECK dit=s form=fp16-tome|fp16-elfatt-sd+tome trt_vs_ort {max_abs, max_rel_l2, min_cosine} pass=: the TensorRT FP16 engine
#     against ONNX Runtime CPU running the very same FP16 graph (batch 2, seeded inputs); ToMe is the baseline (FP16
#     similarities on the two backends flip a few near-tied merges), a broken sort would fall far below it.
# Raw TrtProof JSON goes to $OUT (dit-s-128.json, dit-b-128.json, check-tome.json, check-elfatt-sd+tome.json) with the
# log tome-order.log.
set -uo pipefail
W=/tmp/jedge-tome-order
source benchmarks/gpu/kit.sh
exec > >(tee "$OUT/tome-order.log") 2>&1
machine
git log -1 --format=%H 2>/dev/null
T0=$SECONDS
BUDGET=${BUDGET:-330}
FORMS=keep,tome,elfatt-sd+tome
# a command, not a shell function, so that `timeout` can run it
printf '#!/bin/sh\nexec "%s" %s -Xmx24g -cp "%s" "$@"\n' "$GPU_JAVA" "$GPU_JAVA_OPTS" "$PWD/.gpu/app/*:$GPU_CLASSPATH" > $W/bin/java_tool
chmod +x $W/bin/java_tool
for preset in s b; do
  name=dit-$preset-128
  t=$(tmo 60) || break
  timeout $t jedge build-model dit --preset $preset --latent 128 --classes 10 --seed 3 -o $W/$name.onnx 2>&1 | tail -1
  timeout $t java_tool io.jedge.cli.convert.DenoiserFormsTool $W/$name.onnx $W/$name $FORMS 0.5 2>&1 | tail -3
  items=""
  for f in ${FORMS//,/ }; do f=${f/keep/vanilla}; items="${items:+$items,}fp16:$W/$name/fp16-$f.onnx"; done
  t=$(tmo 150) || break
  timeout $t java_tool io.jedge.cli.convert.TrtProof $W/$name.onnx "$items" 2 "$OUT/$name.json" runs=50 warmup=10 level=1 \
    workspace=16384 cache=$W/trt.cache engines=$W 2>&1 | grep -E "parsed .* layers|rror" | tail -6
  LD_LIBRARY_PATH= python3 - "$OUT/$name.json" "$preset" <<'PY'
import json, os, sys
p, preset = sys.argv[1], sys.argv[2]
if not os.path.exists(p):
    print("RESULT dit=%s missing (TrtProof wrote nothing)" % preset); sys.exit()
rows = {}
for e in json.load(open(p)).get("engines", []):
    form = os.path.basename(e["onnx"]).replace(".onnx", "")
    if "timing" not in e:
        print("RESULT dit=%s tokens=4096 form=%s FAILED: %s" % (preset, form, e.get("error") or e.get("skipped"))); continue
    t = e["timing"][0]
    rows[form] = t["gpu_ms_p50"]
    print("RESULT dit=%s tokens=4096 form=%s layers=%s activation_mib=%.1f gpu_ms_p50=%.4f compute_ms_p50=%.4f wall_ms_p50=%.4f" % (
        preset, form, e.get("layers"), e["gpu_memory"].get("context_activation_mib", -1), t["gpu_ms_p50"], t["compute_ms_p50"],
        t["wall_ms_p50"]))
base = rows.get("fp16-vanilla")
for form, ms in rows.items():
    if base:
        print("SPEEDUP dit=%s tokens=4096 %s vs fp16-vanilla: %.2fx" % (preset, form, base / ms))
PY
  echo "$name done after $((SECONDS - T0)) s"
done
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
echo "total $((SECONDS - T0)) s"
