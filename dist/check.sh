#!/usr/bin/env bash
# Checks the x86_64 distributions here the way a machine without Java runs them: unpacks the tarballs
# into a temp dir and runs the launcher under `env -i` with a PATH that holds only the launcher's own
# tools (sh, dirname, uname, readlink) and no java. Prints every command and its output.
#
#   dist/build.sh --arch x86_64 --host && dist/check.sh
#
# The device flavour runs --version, device, run, bench and select on a small bundle that the host
# flavour builds (build-model + convert); its convert must say what to install and exit 2, and its
# build-engines must say why TensorRT is not usable here and exit 1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
arch=${JEDGE_CHECK_ARCH:-x86_64}
device_tgz="$root/dist/out/jedge-$version-linux-$arch.tar.gz"
host_tgz="$root/dist/out/jedge-$version-host-linux-x86_64.tar.gz"
for f in "$device_tgz" "$host_tgz"; do
  [ -f "$f" ] || { echo "dist/check.sh: $f is missing; run dist/build.sh --arch x86_64 --host first" >&2; exit 1; }
done
work=$(mktemp -d /tmp/jedge-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$device_tgz"
tar -C "$work" -xzf "$host_tgz"
mkdir -p "$work/bin" "$work/home"
for t in sh dirname uname readlink; do ln -s "$(command -v "$t")" "$work/bin/$t"; done
dj="$work/jedge-$version-linux-$arch/jedge"
hj="$work/jedge-$version-host-linux-x86_64/jedge"

run() { # prints the command, runs it with an empty environment and no java on PATH
  echo "\$ env -i PATH=$work/bin ${*/#$work/\$TMP}"
  env -i PATH="$work/bin" HOME="$work/home" ${JEDGE_CHECK_ENV:-} "$@"
}

run sh -c 'if command -v java; then echo "java is on PATH" >&2; exit 1; else echo "java: not on PATH"; fi'
run "$dj" --version
run "$dj" device
set +e
run "$dj" convert model.onnx -o out.bundle
rc=$?
set -e
[ "$rc" = 2 ] || { echo "dist/check.sh: device flavour 'jedge convert' exited $rc, expected 2" >&2; exit 1; }
echo "(exit $rc, as expected: the device flavour has no converters)"
run "$hj" build-model vit --preset micro --image-size 32 --patch 8 --dim 32 --heads 2 --depth 1 --classes 10 --seed 5 \
  -o "$work/vit.onnx"
run "$hj" convert "$work/vit.onnx" -o "$work/vit.bundle"
head -c $((2 * 3 * 32 * 32 * 4)) /dev/zero > "$work/in.f32" # two zero images, float32 NCHW
run "$dj" run "$work/vit.bundle" --input "$work/in.f32" --top 3
run "$dj" bench "$work/vit.bundle" --batch 1,4 --seconds 0.5
run "$dj" select "$work/vit.bundle"
set +e
run "$dj" build-engines "$work/vit.bundle"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "dist/check.sh: build-engines without TensorRT exited $rc, expected 1" >&2; exit 1; }
echo "(exit $rc, as expected: no TensorRT here, and the line says why)"
echo "dist/check.sh: OK (jedge $version linux-$arch without java on PATH)"
