# Sourced by the GPU scripts after they set W (their work folder): the kit's environment (../shared/gpu/README.md),
# the JRE with java.desktop that an earlier call of the lease unpacked (tree + app + JRE exceed one call), and
# `jedge` as a command on PATH rather than a shell function, so that `timeout` can run it.
eval "$(bash .gpu/tools/remote.sh env)"
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
mkdir -p "$W/bin" "$OUT"
cat > "$W/bin/jedge" <<EOF
#!/bin/sh
exec "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -Djava.awt.headless=true -cp "$PWD/.gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "\$@"
EOF
chmod +x "$W/bin/jedge"
# any class of the app (TrtProof, DenoiserFormsTool) as `java_tool CLASS ARGS`
printf '#!/bin/sh\nexec "%s" %s -Xmx24g -cp "%s" "$@"\n' "$GPU_JAVA" "$GPU_JAVA_OPTS" "$PWD/.gpu/app/*:$GPU_CLASSPATH" > "$W/bin/java_tool"
chmod +x "$W/bin/java_tool"
PATH=$W/bin:$PATH
# The machine a run's figures come from, as the first lines of its log.
machine() { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; echo "cores $(nproc)"; date -u; "$GPU_JAVA" -version 2>&1 | head -1; }
# A step's time limit: what it wants, or what is left of BUDGET seconds since T0 (both set by the script); fails with a
# line saying so when less than 10 s is left, so the step is skipped instead of cut off.
tmo() { local want=$1 left=$((BUDGET - (SECONDS - T0))); if [ $left -lt 10 ]; then echo "skipped: the ${BUDGET} s budget is spent" >&2; return 1; fi; echo $((want < left ? want : left)); }
# Starts a script's run: its output also goes to $OUT/NAME.log, the machine comes first, and T0 starts the BUDGET clock.
begin() { exec > >(tee "$OUT/$1.log") 2>&1; machine; T0=$SECONDS; }
# The seeded ViT micro at 224 px in $W/vit/model.onnx and one deterministic sample (x[i] = sin(0.0007 i + 0.3)) in
# $W/vit/input.f32, which TrtProof reads, so every row of a batch is checked against ONNX Runtime.
micro_vit() {
  mkdir -p $W/vit
  local t; t=$(tmo 40) && timeout $t jedge build-model vit --preset micro --seed 7 -o $W/vit/model.onnx 2>&1 | tail -1
  LD_LIBRARY_PATH= python3 -c "
import numpy as np
np.sin(0.0007 * np.arange(3 * 224 * 224) + 0.3).astype('<f4').tofile('$W/vit/input.f32')"
  echo "model and sample ready after $((SECONDS - T0)) s"
}
