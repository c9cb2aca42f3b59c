#!/usr/bin/env bash
# Issue 13: time per denoising step of DiT-S/2 and DiT-B/2 on TensorRT at 4096 tokens (128x128 latents, patch 2), CFG as
# one batch-2 call: vanilla FP32 and FP16, ELFATT-SD, ToMe 0.5 and ELFATT-SD+ToMe (FP16), every block rewritten.
# Expected run time: about 6 minutes on one H200 (five engines per model at builder level 1 with a shared timing cache,
# 50 timed runs each). SIZES="128 64" adds 1024-token rows for DiT-S (about 1.5 min more).
#   bash benchmarks/gpu/dit-steps.sh          (from the repository root, after the TensorRT/Java kit is installed)
# Why not `jedge convert` + `generate` (benchmarks/gpu/dit.sh): at 4096 tokens convert's fidelity runs on ONNX Runtime
# CPU take longer than this whole script; fidelity is measured on the trained digits DiT, not on these seeded weights.
# The graphs come from DenoiserFormsTool (the rewrite, FP16 and TensorRT-ready passes a convert uses); TrtProof builds
# and times each engine with CUDA events (gpu_ms_p50 = H2D + compute + D2H of one call = one step of CFG sampling) and
# reports the engine's activation memory.
# Prints per model and form: RESULT dit=PRESET tokens=N form=... layers= activation_mib= gpu_ms_p50= wall_ms_p50=
# and the speedups over FP16 vanilla. Raw TrtProof JSON goes to $OUT (one file per model and size).
# LAYERS=6-11 FORMS=keep,elfatt-sd: only those blocks rewritten (what the fidelity floor keeps on trained weights: the
# later half of the blocks on the digits DiT), with no FP32 row (about 2.5 minutes for S and B at 4096 tokens).
# NO_FP32=1: no FP32 row either way (benchmarks/gpu/tome-order.sh).
set -uo pipefail
W=/tmp/jedge-dit-steps
source benchmarks/gpu/kit.sh
begin dit-steps
BUDGET=${BUDGET:-560}
# a command, not a shell function, so that `timeout` can run it
for size in ${SIZES:-128}; do
  for preset in ${PRESETS:-s b}; do
    [ "$size" != 128 ] && [ "$preset" != s ] && continue # 1024-token rows for DiT-S only
    name=dit-$preset-$size${LAYERS:+-L$LAYERS}
    t=$(tmo 60) || break
    timeout $t jedge build-model dit --preset $preset --latent $size --classes 10 --seed 3 -o $W/$name.onnx 2>&1 | tail -1
    forms=${FORMS:-keep,elfatt-sd,tome,elfatt-sd+tome}
    timeout $t java_tool io.jedge.cli.convert.DenoiserFormsTool $W/$name.onnx $W/$name $forms 0.5 ${LAYERS:-} 2>&1 | tail -4
    items=$([ -z "${LAYERS:-}" ] && [ -z "${NO_FP32:-}" ] && echo "fp32:$W/$name.onnx")
    for f in ${forms//,/ }; do f=${f/keep/vanilla}; items="${items:+$items,}fp16:$W/$name/fp16-$f.onnx"; done
    t=$(tmo 240) || break
    timeout $t java_tool io.jedge.cli.convert.TrtProof $W/$name.onnx "$items" 2 "$OUT/$name.json" runs=50 warmup=10 level=1 \
      workspace=16384 cache=$W/trt.cache engines=$W 2>&1 | grep -E "parsed .* layers|rror" | tail -6
    LD_LIBRARY_PATH= python3 - "$OUT/$name.json" "$preset${LAYERS:+/L$LAYERS}" "$size" <<'PY'
import json, os, sys
p, preset, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
if not os.path.exists(p):
    print("RESULT dit=%s missing (TrtProof wrote nothing)" % preset); sys.exit()
rows = {}
for e in json.load(open(p)).get("engines", []):
    form = os.path.basename(e["onnx"]).replace(".onnx", "")
    form = "fp32-vanilla" if e["precision"] == "fp32" else form
    if "timing" not in e:
        print("RESULT dit=%s tokens=%d form=%s FAILED: %s" % (preset, (size // 2) ** 2, form, e.get("error") or e.get("skipped"))); continue
    t = e["timing"][0]
    rows[form] = t["gpu_ms_p50"]
    print("RESULT dit=%s tokens=%d form=%s layers=%s activation_mib=%.1f gpu_ms_p50=%.4f compute_ms_p50=%.4f wall_ms_p50=%.4f cosine_vs_ort_fp32=%s" % (
        preset, (size // 2) ** 2, form, e.get("layers"), e["gpu_memory"].get("context_activation_mib", -1), t["gpu_ms_p50"],
        t["compute_ms_p50"], t["wall_ms_p50"], (e.get("accuracy") or {}).get("min_cosine", (e.get("accuracy") or {}).get("cosine"))))
base = rows.get("fp16-vanilla")
for form, ms in rows.items():
    if base:
        print("SPEEDUP dit=%s tokens=%d %s vs fp16-vanilla: %.2fx" % (preset, (size // 2) ** 2, form, base / ms))
PY
    echo "$name done after $((SECONDS - T0)) s"
  done
done
echo "total $((SECONDS - T0)) s"
