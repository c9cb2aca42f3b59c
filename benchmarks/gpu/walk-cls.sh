#!/usr/bin/env bash
# The TensorRT half of the classifier walkthrough (benchmarks/walkthrough-classify-cpu-2026-12-03.md): what a user runs on
# a GPU with their own exports, on real ones only.
# Expected run time: about 4 minutes on one H200 (11 small engines at builder level 1 with a timing cache, about 10-20 s
# each; eval of 360 digits per variant; 1 s of bench per variant). Every step has a timeout inside a 320 s budget.
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/walk-cls.sh
# Steps:
#   1. digits_vit_legacy (trained on scikit-learn digits; torch top-1 99.17% on its 360 held-out digits): convert
#      fp32,fp16,int8 --profile tensorrt --engines tensorrt with --calibration calib_x.npy, then eval every variant
#      (ONNX Runtime and engine) on test_x/test_y.
#   2. vit224_legacy_op17 (timm ViT export): fp32,fp16,int8 x keep,elfatt-sd with engines; run every variant on the
#      fixture's input.f32 and compare with torch_output.f32; bench 1 s at batch 1.
#   3. hf_dinov2_legacy (its class dim is symbolic in the export: convert now takes 32 from a run): fp32,fp16 with
#      engines; run the engine variants (the manifest says [-1, 32]).
#   4. swin224_dynamo_op18: compare --against tensorrt (ONNX Runtime against an engine of the same model).
# Prints the lines a table is made from:
#   CONVERT model= rc= seconds=            (convert's exit status; its last lines follow)
#   EVAL <variant> <top-1> <top-5> <agreement>   (jedge eval's table rows, digits)
#   RUN model= variant= top1= torch_top1= max_abs_vs_torch= cosine_vs_torch=
#   BENCH <jedge bench rows>
#   COMPARE <jedge compare lines>
# Results go to $OUT: walk-cls.log (everything printed) and the three bundle.json files.
set -uo pipefail
W=${W:-/tmp/jedge-walk-cls}
source benchmarks/gpu/kit.sh
begin walk-cls
BUDGET=${BUDGET:-320}
FX=.gpu/app/fixtures
CORPUS=converters/src/test/resources/corpus
ENG="--engines tensorrt --engine-opt-level 1 --workspace 2048 --timing-cache $W/trt.cache"

convert() { # NAME MODEL ARGS...
  local name=$1 model=$2; shift 2
  local t s=$SECONDS; t=$(tmo 150) || return 1
  rm -rf "$W/$name.bundle"
  timeout $t jedge convert "$model" -o "$W/$name.bundle" "$@" > "$W/$name.convert.log" 2>&1
  local rc=$?
  echo "CONVERT model=$name rc=$rc seconds=$((SECONDS - s))"
  grep -v "calibration [0-9]*/" "$W/$name.convert.log" | tail -25
  [ -f "$W/$name.bundle/bundle.json" ] && cp "$W/$name.bundle/bundle.json" "$OUT/$name-bundle.json"
  return $rc
}

variants() { LD_LIBRARY_PATH= python3 -c "import json,sys; print(' '.join(v['id'] for v in json.load(open(sys.argv[1]))['variants']))" "$1/bundle.json"; }

run_vs_torch() { # NAME BUNDLE INPUT TORCH_OUTPUT
  local name=$1 b=$2 in=$3 ref=$4 v t
  for v in $(variants "$b"); do
    t=$(tmo 40) || return 1
    rm -f "$W/out.f32"
    timeout $t jedge run "$b" --input "$in" --variant "$v" --top 1 --output "$W/out.f32" > "$W/run.log" 2>&1 \
      || { echo "RUN model=$name variant=$v FAILED: $(grep -m1 'error' "$W/run.log")"; continue; }
    LD_LIBRARY_PATH= python3 - "$W/out.f32" "$ref" "$name" "$v" <<'PY'
import sys
import numpy as np
a = np.fromfile(sys.argv[1], "<f4"); b = np.fromfile(sys.argv[2], "<f4")
if a.size != b.size:
    print("RUN model=%s variant=%s FAILED: %d outputs, torch wrote %d" % (sys.argv[3], sys.argv[4], a.size, b.size)); sys.exit()
cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))
print("RUN model=%s variant=%s top1=%d torch_top1=%d max_abs_vs_torch=%.3g cosine_vs_torch=%.6f" % (
    sys.argv[3], sys.argv[4], a.argmax(), b.argmax(), float(np.abs(a - b).max()), cos))
PY
  done
}

# 1. the trained digits model
if convert digits "$CORPUS/digits_vit_legacy/model.onnx" --precision fp32,fp16,int8 --profile tensorrt $ENG \
    --engine-batch 1:8:64 --calibration "$CORPUS/digits_data/calib_x.npy"; then
  t=$(tmo 90) && timeout $t jedge eval "$W/digits.bundle" --inputs "$CORPUS/digits_data/test_x.npy" \
    --labels "$CORPUS/digits_data/test_y.npy" 2>/dev/null | sed 's/^\([a-z0-9+-]*-[a-z0-9+-]* \)/EVAL \1/'
fi

# 2. the timm ViT export, both attention forms
if convert vit224 "$FX/vit224_legacy_op17/model.onnx" --precision fp32,fp16,int8 --attention keep,elfatt-sd --profile tensorrt \
    $ENG --engine-batch 1:1:8 --calibration-seeded 8 --validation-inputs 4; then
  run_vs_torch vit224 "$W/vit224.bundle" "$FX/vit224_legacy_op17/input.f32" "$FX/vit224_legacy_op17/torch_output.f32"
  t=$(tmo 60) && timeout $t jedge bench "$W/vit224.bundle" --batch 1 --seconds 1 2>&1 | grep -v "split:" | sed 's/^/BENCH /'
fi

# 3. the symbolic class dim on TensorRT
if convert dinov2 "$CORPUS/hf_dinov2_legacy/model.onnx" --precision fp32,fp16 --profile tensorrt $ENG --engine-batch 1:1:4; then
  LD_LIBRARY_PATH= python3 -c "
import numpy as np
np.sin(0.0007 * np.arange(3 * 32 * 32) + 0.3).astype('<f4').tofile('$W/dinov2-in.f32')"
  for v in $(variants "$W/dinov2.bundle"); do
    t=$(tmo 40) && timeout $t jedge run "$W/dinov2.bundle" --input "$W/dinov2-in.f32" --variant "$v" --top 2 2>&1 \
      | grep -E "^top|%|error" | tr '\n' ' ' | sed "s/^/RUN model=dinov2 variant=$v /"; echo
  done
fi

# 4. ONNX Runtime against TensorRT on the Swin export
t=$(tmo 90) && timeout $t jedge compare "$FX/swin224_dynamo_op18/model.onnx" --against tensorrt \
  --inputs "$FX/swin224_dynamo_op18/input.f32" 2>&1 | tail -8 | sed 's/^/COMPARE /'
echo "done after $((SECONDS - T0)) s"
