#!/usr/bin/env bash
# Runs jedge's TensorRT proof and benchmarks on the remote GPU machine, after the kit of
# ../shared/gpu/README.md is installed (remote.sh recv/install). Usage, from the repository root there:
#   bash benchmarks/gpu/run-trt.sh STEP        (STEP: proof | e2e | elfatt | compare | diffusion)
# Results go to $OUT (the run tool brings them back). Engines and models stay in /tmp/jedge-trt.
set -uo pipefail
step=${1:?step}
eval "$(bash .gpu/tools/remote.sh env)"
# the kit's JRE has no java.desktop, which image reading needs: use the carried one when present
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
# the jre may have been unpacked by an earlier call of this lease (tree + app + jre exceed one call)
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
W=/tmp/jedge-trt; mkdir -p "$W" "$OUT"
FX=.gpu/app/fixtures
jedge() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -Djava.awt.headless=true -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "$@"; }
proof() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.convert.TrtProof "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu-$step.txt"
case "$step" in
  proof)
    proof "$FX/swin224_dynamo_op18" fp32 1,16 "$OUT/proof-swin-fp32.json" runs=50 warmup=10 tf32=false cache=$W/trt.cache 2>&1 | tail -40
    proof "$FX/vit224_legacy_op17" fp32 1,16 "$OUT/proof-vitlegacy-fp32.json" runs=50 warmup=10 tf32=false cache=$W/trt.cache 2>&1 | tail -40
    ;;
  compare)
    jedge compare "$FX/vit224_legacy_op17/model.onnx" --against tensorrt --no-tf32 --inputs "$FX/vit224_legacy_op17/input.f32" --layerwise --threshold 0.9999 2>&1 | tail -40
    ;;
  e2e)
    jedge build-model vit --preset micro --seed 7 -o $W/vit.onnx
    jedge convert $W/vit.onnx -o $W/vit.bundle --precision fp32,fp16,int8 --profile tensorrt --engines tensorrt \
      --engine-batch 1:8:16 --workspace 2048 --engine-opt-level ${LEVEL:-1} --validation-inputs 8 --timing-cache $W/trt.cache 2>&1 | tail -30
    jedge bench $W/vit.bundle --batch 1,16 --seconds 2 2>&1 | tail -20
    jedge compare $W/vit.bundle --variants fp32-vanilla,fp16-vanilla-trt 2>&1 | tail -8
    jedge compare $W/vit.bundle --variants fp32-vanilla,int8-vanilla-trt 2>&1 | tail -8
    jedge compare $W/vit.bundle --variants fp32-vanilla,fp32-vanilla-trt 2>&1 | tail -8
    cp $W/vit.bundle/bundle.json "$OUT/e2e-bundle.json"
    ;;
  onload)
    # issue 14: a TensorRT-ready bundle with no engines; the first load builds them here, the second
    # reuses them, and an engine marked as built by another TensorRT is rebuilt
    jedge build-model vit --preset micro --seed 7 -o $W/vit.onnx
    jedge convert $W/vit.onnx -o $W/ready.bundle --precision fp32,fp16 --profile tensorrt --validation-inputs 4 2>&1 | tail -6
    LD_LIBRARY_PATH= python3 - "$W/ready.bundle/bundle.json" "$W/x.f32" <<'PY'
import json, sys
import numpy as np
shape = [2 if d < 0 else d for d in json.load(open(sys.argv[1]))["inputs"][0]["shape"]]
np.sin(0.0007 * np.arange(int(np.prod(shape))) + 0.3).astype("<f4").tofile(sys.argv[2]); print("input", shape)
PY
    echo "== first load"; jedge run $W/ready.bundle --input $W/x.f32 --top 1 2>&1 | grep -v "^INFO TensorRT" | tail -12
    echo "== second load"; jedge run $W/ready.bundle --input $W/x.f32 --top 1 2>&1 | grep -v "^INFO TensorRT" | tail -6
    LD_LIBRARY_PATH= python3 - "$W/ready.bundle/bundle.json" <<'PY'
import json, sys
p = sys.argv[1]; b = json.load(open(p))
for v in b["variants"]:
    if v["id"].endswith("-trt"):
        v["builtFor"]["tensorrt"] = "10.5.0"; print("marked stale:", v["id"])
json.dump(b, open(p, "w"), indent=1)
PY
    echo "== stale engines"; jedge run $W/ready.bundle --input $W/x.f32 --top 1 2>&1 | grep -v "^INFO TensorRT" | tail -12
    cp $W/ready.bundle/bundle.json "$OUT/onload-bundle.json"
    ;;
  diffusion)
    # issue 13: a DiT-S/2 + TAESD bundle with FP32/FP16 denoiser and decoder engines, then generation on them
    jedge build-model dit --preset s --latent 32 --classes 10 --seed 3 -o $W/dit.onnx
    jedge build-model vae-decoder --seed 4 -o $W/taesd.onnx
    jedge convert $W/dit.onnx --decoder $W/taesd.onnx --task latent-diffusion --precision fp32,fp16 --attention keep,elfatt-sd \
      --batch 1:2:8 --engines tensorrt --engine-batch 1:2:8 --workspace 4096 --engine-opt-level ${LEVEL:-1} \
      --timing-cache $W/trt.cache -o $W/dit.bundle 2>&1 | tail -40
    # expect: fp16-vanilla-trt (or fp32-vanilla-trt) and fp16-decoder-trt chosen, backend tensorrt, every step timed
    jedge generate $W/dit.bundle --class 3 --steps 25 --seed 1 -o "$OUT/dit-trt.png" 2>&1 | tail -40
    # the same seed on ONNX Runtime, for a look at both images side by side
    jedge generate $W/dit.bundle --class 3 --steps 25 --seed 1 --backend ort-cpu -o "$OUT/dit-ort.png" 2>&1 | tail -8
    cp $W/dit.bundle/bundle.json "$OUT/diffusion-bundle.json"
    ;;
  elfatt)
    # vanilla vs ELFATT ViTs (dim 192, depth 12, 6 heads) at 224/512/1024 px, FP16, batch 1 and 16
    for px in ${PX:-224 512 1024}; do
      jedge build-model vit --preset tiny --heads 6 --image-size $px --seed 3 -o $W/van$px.onnx
      jedge build-model vit --preset tiny --heads 6 --image-size $px --seed 3 --attention elfatt --blocks windows:16 \
        --softmax-form decomposed -o $W/elf$px.onnx
      for m in van elf; do
        jedge convert $W/$m$px.onnx -o $W/$m$px.bundle --precision ${PREC:-fp16} --engines tensorrt --engine-batch 1:16:16 --engine-opt-level ${LEVEL:-1} \
          --workspace ${WS:-4096} --validation-inputs 4 --timing-cache $W/trt.cache 2>&1 | grep -E "variant|error|skipped|cosine" 
        kind=$([ $m = van ] && echo vanilla || echo elfatt)
        jedge bench $W/$m$px.bundle --variants ${PREC:-fp16}-$kind-trt --batch 1,16 --seconds 2 --json --no-record > "$OUT/bench-$m$px.json" 2>&1; tail -12 "$OUT/bench-$m$px.json"
      done
    done
    ;;
esac
# verify: the converter's engine of the legacy ViT (scale folded onto the logits) against ONNX Runtime and
# torch's output; the three e2e engines against the FP32 ONNX variant.
if [ "$step" = runtime ]; then
  # the app API on the GPU host: selection from the measured figures, engines run through the batcher
  jedge run $W/vit.bundle --input "$FX/vit224_legacy_op17/input.f32" --top 3 2>&1 | grep -v "^\[main\] INFO io.jedge.converters"
  jedge run $W/vit.bundle --variant fp16-vanilla-trt --input "$FX/vit224_legacy_op17/input.f32" --top 3 2>&1 | grep -v "INFO"
  jedge select $W/vit.bundle --goal throughput 2>&1 | grep -v INFO
fi
if [ "$step" = verify ]; then
  jedge convert "$FX/vit224_legacy_op17/model.onnx" -o $W/legacy.bundle --engines tensorrt --no-tf32 --engine-batch 1:1:16 \
    --timing-cache $W/trt.cache 2>&1 | grep -E "variant|folded|error"
  jedge compare $W/legacy.bundle --variants fp32-vanilla,fp32-vanilla-trt --inputs "$FX/vit224_legacy_op17/input.f32" 2>&1 | grep -v INFO
  jedge run $W/legacy.bundle --variant fp32-vanilla-trt --input "$FX/vit224_legacy_op17/input.f32" --top 3 2>&1 | grep -v INFO
  for v in fp32 fp16 int8; do
    [ -d $W/vit.bundle ] && jedge compare $W/vit.bundle --variants fp32-vanilla,$v-vanilla-trt --samples 8 2>&1 | grep -v INFO
  done
  cp $W/legacy.bundle/bundle.json "$OUT/legacy-bundle.json"
fi
# bisect: which fusion parts TensorRT from ONNX Runtime on the legacy ViT export. Exposing a tensor
# as an output stops TensorRT fusing across it; the subset that brings the engine back to ONNX
# Runtime names the fusion.
if [ "$step" = bisect ]; then
  for m in 'attn/Softmax_output' 'attn/Mul_output_0$|attn/Mul_1_output' 'attn/MatMul_output_0$' 'attn/MatMul_1_output' \
           'LayerNormalization_output' 'mlp/act|Erf_output|mlp/fc1/Add' ; do
    echo "== mark: $m"
    jedge compare "$FX/vit224_legacy_op17/model.onnx" --against tensorrt --no-tf32 --inputs "$FX/vit224_legacy_op17/input.f32" \
      --layerwise --mark "$m" --threshold 0.9999 2>&1 | grep -E "^output|shared|first|no layer"
  done
fi
