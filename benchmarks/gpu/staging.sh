#!/usr/bin/env bash
# TensorRT input staging straight from the tensor's memory (session 6's leftover), proven on the GPU machine.
# Expected run time: about 2 minutes on one H200 (a ViT micro at 224 px; its FP32 engine and an FP16 engine with float16
# inputs and outputs, both at builder level 1 with batch 1:16:16, about 1 minute; 4 x 60 runs per engine). Every step has
# a timeout inside a 170 s budget, so the whole stays under 3 minutes.
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/staging.sh
# What it proves: `TrtProof ... fp32,fp16io ... io=both` converts the model to FP16 with float16 inputs and outputs (the
# converter a convert uses, keepIoFp32 off), so the engine's IO tensors are float16 and every float32 feed is converted on
# the calling thread by backend.Staging (backend.trt.Staging when this was measured): heap feeds (Tensor.ofFloats) and direct ones outside the session's pool
# (Tensor.toDirect), and the float16 output read back into float32. Each is compared, all 16 rows, with ONNX Runtime CPU
# on the FP32 model (FP16 tolerance: cosine >= 0.999), and timed at batch 1 and 16. The FP32 engine is the baseline with
# no conversion (heap feeds bulk-copied into the pinned buffer, direct ones copied by CUDA from pageable memory).
# int64 into an int32 engine input is not proven here: `jedge build-model` makes no model with an int32 input (the DiT's
# class labels are int64, and TensorRT 10 keeps int64 inputs int64); StagingTest covers it up to the native boundary.
# Prints the lines a table is made from:
#   ENGINE precision=... inputs=[name:type] outputs=[name:type]
#   ACCURACY precision=... io=heap|direct rows=16 min_cosine= max_rel_l2= max_abs= top1= pass=
#   RESULT staging precision=... io=heap|direct batch=B rows_per_s= wall_ms_p50= wall_ms_p95= gpu_ms_p50= copy_ms_p50= java_overhead_pct=
# Results go to $OUT: staging.log (everything printed) and staging.json (TrtProof's raw JSON).
set -uo pipefail
W=${W:-/tmp/jedge-staging}
source benchmarks/gpu/kit.sh
begin staging
BUDGET=${BUDGET:-170}
micro_vit

t=$(tmo 150) && timeout $t java_tool io.jedge.cli.convert.TrtProof $W/vit fp32,fp16io 1,16 "$OUT/staging.json" runs=60 warmup=20 \
  level=1 opt=16 io=both cache=$W/trt.cache engines=$W 2>&1 | grep -E "batch [0-9]+: wall|rror|Exception" | tail -12
LD_LIBRARY_PATH= python3 - "$OUT/staging.json" <<'PY'
import json, os, sys
p = sys.argv[1]
if not os.path.exists(p):
    print("RESULT staging missing (TrtProof wrote nothing)"); sys.exit()
r = json.load(open(p))
print("ORT", json.dumps(r.get("ort_cpu")))
for e in r.get("engines", []):
    prec = e["precision"]
    if "timing" not in e:
        print("RESULT staging precision=%s FAILED: %s" % (prec, e.get("error") or e.get("skipped"))); continue
    print("ENGINE precision=%s inputs=%s outputs=%s build_s=%s" % (prec, e.get("engine_inputs"), e.get("engine_outputs"), e.get("build_s")))
    for k in ("accuracy", "accuracy_direct"):
        a = e.get(k) or {}
        v = a.get("vs_ort_fp32") or {}
        print("ACCURACY precision=%s io=%s rows=%s min_cosine=%s max_rel_l2=%s max_abs=%s top1=%s tolerance=%s pass=%s" % (
            prec, a.get("io"), a.get("rows"), v.get("min_cosine"), v.get("max_rel_l2"), v.get("max_abs"), v.get("top1_agree"),
            a.get("tolerance"), a.get("pass")))
    for t in e["timing"]:
        print("RESULT staging precision=%s io=%s batch=%d rows_per_s=%.1f wall_ms_p50=%.4f wall_ms_p95=%.4f gpu_ms_p50=%.4f copy_ms_p50=%.4f java_overhead_pct=%.1f" % (
            prec, t["io"], t["batch"], t["throughput_per_s"], t["wall_ms_p50"], t["wall_ms_p95"], t["gpu_ms_p50"], t["copy_ms_p50"],
            t["java_overhead_pct"]))
PY
echo "total $((SECONDS - T0)) s"
