#!/usr/bin/env bash
# Runs the aarch64 jedge distribution on an x86-64 Debian/Ubuntu machine under QEMU user-mode emulation
# and prints what ran. Not part of CI (needs root for apt-get install, and minutes of emulated Java).
#
#   dist/build.sh --arch all --host && sudo dist/emulate-aarch64.sh
#
# It installs Debian's qemu-user-static (and binfmt-support), unpacks Debian's arm64 libc6, libgcc-s1,
# libstdc++6 and zlib1g into a sysroot under dist/cache (apt-get download with a private apt state: the
# system's dpkg architectures are left alone), then runs the aarch64 tarball's own launcher and jlink
# runtime: --version, run and bench on a small bundle (built by the x86-64 host flavour), and
# device --root on every captured device tree of jetson-runtime's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
arm_tgz="$root/dist/out/jedge-$version-linux-aarch64.tar.gz"
host_tgz="$root/dist/out/jedge-$version-host-linux-x86_64.tar.gz"
for f in "$arm_tgz" "$host_tgz"; do
  [ -f "$f" ] || { echo "emulate-aarch64.sh: $f is missing; run dist/build.sh --arch all --host first" >&2; exit 1; }
done

echo "== 1. qemu-user-static and binfmt-support (apt-get install)"
if ! command -v qemu-aarch64-static >/dev/null; then
  apt-get -q update
  DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends qemu-user-static binfmt-support
fi
qemu-aarch64-static --version | head -1

echo "== 2. an arm64 sysroot for the dynamic loader and the C/C++ runtime (libc6, libgcc-s1, libstdc++6, zlib1g)"
sysroot="$root/dist/cache/sysroot-arm64"
if [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  st="$root/dist/cache/apt-arm64"
  mkdir -p "$st/state/lists/partial" "$st/cache/archives/partial" "$st/debs"
  a=(-o "Dir::State=$st/state" -o "Dir::Cache=$st/cache" -o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
     -o Debug::NoLocking=1)
  apt-get -q "${a[@]}" update
  (cd "$st/debs" && apt-get -q "${a[@]}" download libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 zlib1g:arm64)
  mkdir -p "$sysroot"
  for deb in "$st"/debs/*_arm64.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  # Debian's merged /usr: the loader is looked up as /lib/ld-linux-aarch64.so.1
  [ -e "$sysroot/lib" ] || ln -s usr/lib "$sysroot/lib"
fi
ls -l "$sysroot/lib/ld-linux-aarch64.so.1"

work=$(mktemp -d /tmp/jedge-arm64.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$arm_tgz"
tar -C "$work" -xzf "$host_tgz"
aj="$work/jedge-$version-linux-aarch64/jedge"
hj="$work/jedge-$version-host-linux-x86_64/jedge"
file "$work/jedge-$version-linux-aarch64/runtime/bin/java" 2>/dev/null || true

# The launcher runs java through qemu explicitly (works with or without binfmt_misc registered).
arm() {
  echo "\$ [aarch64 under qemu] jedge $*"
  JEDGE_ALLOW_FOREIGN_ARCH=1 JEDGE_RUNNER="qemu-aarch64-static -L $sysroot" "$aj" "$@"
}

echo "== 3. the aarch64 distribution: version, a small bundle's run and bench"
arm --version
"$hj" build-model vit --preset micro --image-size 32 --patch 8 --dim 32 --heads 2 --depth 1 --classes 10 --seed 5 \
  -o "$work/vit.onnx" >/dev/null
"$hj" convert "$work/vit.onnx" -o "$work/vit.bundle" >/dev/null
echo "(bundle $work/vit.bundle built natively by the x86-64 host flavour: fp32, 1 block, 32 px)"
head -c $((3 * 32 * 32 * 4)) /dev/zero > "$work/in.f32"
arm run "$work/vit.bundle" --input "$work/in.f32" --top 3
arm bench "$work/vit.bundle" --batch 1 --seconds 2
arm device

echo "== 4. device --root on the captured device trees (jetson-runtime/src/test/resources/fake-roots)"
for tree in "$root"/jetson-runtime/src/test/resources/fake-roots/*/; do
  arm device --root "$tree"
done
echo "emulate-aarch64.sh: OK (jedge $version linux-aarch64 under $(qemu-aarch64-static --version | head -1))"
