#!/usr/bin/env bash
# Issue 15 (one comparator): checks on the GPU machine that the TensorRT proof and `jedge compare
# --against tensorrt` still work after their accuracy figures moved onto converters.compare.Metrics
# and ModelComparator. Expected run time: about 3-4 minutes (two ViT-224 FP32 engine builds with a
# timing cache, 20 timed runs per batch).
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/cmp-check.sh
# Prints: the TRTPROOF_JSON line (its accuracy block: min_cosine, max_rel_l2, max_abs, top1_agree,
# tolerance, pass against ONNX Runtime FP32 and torch), a one-line summary of it, and the layer-wise
# compare text (output cosine / max abs / max rel / rel L2, first divergence).
# Results go to $OUT: cmp-gpu.txt, cmp-proof.json, cmp-compare.txt.
set -uo pipefail
W=/tmp/jedge-cmp
source benchmarks/gpu/kit.sh
FX=.gpu/app/fixtures
# a command, not a shell function, so that `timeout` can run it
printf '#!/bin/sh\nexec "%s" %s -Xmx24g -cp "%s" io.jedge.cli.convert.TrtProof "$@"\n' "$GPU_JAVA" "$GPU_JAVA_OPTS" \
  "$PWD/.gpu/app/*:$GPU_CLASSPATH" > $W/bin/proof
chmod +x $W/bin/proof
{ machine; git log -1 --format=%H 2>/dev/null; } | tee "$OUT/cmp-gpu.txt"

echo "== TrtProof, vit224_legacy_op17 FP32, batch 1 and 16"
timeout 200 proof "$FX/vit224_legacy_op17" fp32 1,16 "$OUT/cmp-proof.json" runs=20 warmup=5 tf32=false cache=$W/trt.cache 2>&1 \
  | grep -E "^TRTPROOF_JSON|batch [0-9]+:" | cut -c1-4000
LD_LIBRARY_PATH= python3 - "$OUT/cmp-proof.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("ort_vs_torch", r.get("ort_vs_torch"))
for e in r.get("engines", []):
    a = e.get("accuracy", {})
    print(e.get("precision"), "vs_ort_fp32", a.get("vs_ort_fp32"), "pass", a.get("pass"), "vs_torch", a.get("vs_torch"),
          "error", e.get("error"))
PY

echo "== jedge compare --against tensorrt --layerwise"
timeout 200 jedge compare "$FX/vit224_legacy_op17/model.onnx" --against tensorrt --no-tf32 \
  --inputs "$FX/vit224_legacy_op17/input.f32" --layerwise --threshold 0.9999 2>&1 | tail -20 | tee "$OUT/cmp-compare.txt"
