#!/usr/bin/env bash
# TensorRT pass table of the conformance corpus (converters/src/test/resources/corpus) on the
# remote GPU, after the kit of ../shared/gpu/README.md is installed. From the repository root there:
#   bash benchmarks/gpu/corpus-trt.sh [NAME_FILTER_REGEX]
# For every export: convert to fp32/fp16/int8 with TensorRT engines (builder level ${LEVEL:-0},
# batch 1..2), run each engine on the corpus' deterministic input and compare with torch's output.
# Writes $OUT/corpus-trt.tsv (name, variant, cosine vs torch, max abs error, status) and the logs.
set -uo pipefail
filter=${1:-.}
SYS_LD=${LD_LIBRARY_PATH:-}
C=converters/src/test/resources/corpus
W=/tmp/jedge-corpus; rm -rf "$W"; mkdir -p "$W" "$OUT"
# inputs first, with the machine's own python (the kit's library path breaks torch, not numpy)
python3 - "$C" "$W" "$filter" <<'PY'
import json, os, re, sys
import numpy as np
c, w, f = sys.argv[1:4]
for name in json.load(open(os.path.join(c, "corpus.json")))["ok"]:
    if not re.search(f, name) or name.startswith("digits"):
        continue
    meta = json.load(open(os.path.join(c, name, "meta.json")))
    shape = meta["input_shape"]
    n = int(np.prod(shape))
    x = np.sin(0.0007 * np.arange(n, dtype=np.float64) + 0.3).astype("<f4")
    os.makedirs(os.path.join(w, name), exist_ok=True)
    x.tofile(os.path.join(w, name, "input.f32"))
    print(name, shape)
PY
eval "$(bash .gpu/tools/remote.sh env)"
# the kit's JRE has no java.desktop, which image reading needs: use the carried one when present
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
# the jre may have been unpacked by an earlier call of this lease (tree + app + jre exceed one call)
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
jedge() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx12g -Djava.awt.headless=true -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "$@"; }
export -f jedge; export GPU_JAVA GPU_JAVA_OPTS GPU_CLASSPATH C W
one() {
  name=$1; d=$W/$name
  timeout ${ONE_TIMEOUT:-240} "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx12g -Djava.awt.headless=true -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli convert "$C/$name/model.onnx" -o "$d/b" --precision fp32,fp16,int8 --profile tensorrt --engines tensorrt \
    --batch 1:2:2 --engine-opt-level ${LEVEL:-0} --workspace 2048 --validation-inputs 4 --calibration-seeded 8 > "$d/convert.log" 2>&1
  echo "convert rc=$?" >> "$d/convert.log"
  for v in fp32-vanilla-trt fp16-vanilla-trt int8-vanilla-trt fp32-vanilla fp16-vanilla int8-vanilla; do
    jedge run "$d/b" --variant $v --input "$d/input.f32" --output "$d/$v.npy" > "$d/run-$v.log" 2>&1 || echo "run $v failed" >> "$d/convert.log"
  done
}
export -f one
ls "$W" | xargs -P ${PAR:-4} -I{} bash -c 'one {}'
LD_LIBRARY_PATH=$SYS_LD python3 - "$C" "$W" <<'PY' | tee "$OUT/corpus-trt.tsv"
import os, sys, json
import numpy as np
c, w = sys.argv[1:3]
print("model\tvariant\tcosine_vs_torch\tmax_abs\tstatus")
for name in sorted(os.listdir(w)):
    ref = np.fromfile(os.path.join(c, name, "torch_output.f32"), dtype="<f4")
    for v in ["fp32-vanilla", "fp16-vanilla", "int8-vanilla", "fp32-vanilla-trt", "fp16-vanilla-trt", "int8-vanilla-trt"]:
        p = os.path.join(w, name, v + ".npy")
        if not os.path.exists(p):
            log = os.path.join(w, name, "run-" + v + ".log")
            why = open(log).read().strip().splitlines()[-1][:160] if os.path.exists(log) else "no log"
            print(f"{name}\t{v}\t\t\tmissing: {why}")
            continue
        got = np.load(p).reshape(-1).astype(np.float64)
        r = ref.astype(np.float64)
        cos = float(got @ r / (np.linalg.norm(got) * np.linalg.norm(r) + 1e-30))
        print(f"{name}\t{v}\t{cos:.6f}\t{np.max(np.abs(got - r)):.3g}\tok")
PY
tar czf "$OUT/corpus-trt-logs.tgz" -C "$W" $(cd "$W" && ls */*.log) 2>/dev/null
