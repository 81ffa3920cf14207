#!/usr/bin/env bash
# `npm run build:bpf`: regenerates bpf/vmlinux.h from the running kernel's BTF and compiles the
# CO-RE objects. The objects are committed (CO-RE relocates them at load on any BTF kernel), so
# only people who change bpf/*.c or bpf/*.h need clang, llvm, bpftool and libbpf-dev.
set -euo pipefail
cd "$(dirname "$0")"
OUT="${1:-.}"

for tool in clang bpftool; do
  command -v "$tool" >/dev/null || {
    echo "build:bpf needs $tool: apt-get install clang llvm bpftool libbpf-dev" >&2
    exit 1
  }
done
[ -r /usr/include/bpf/bpf_helpers.h ] || {
  echo "build:bpf needs libbpf's headers: apt-get install libbpf-dev" >&2
  exit 1
}

BTF=/sys/kernel/btf/vmlinux
[ -r "$BTF" ] || { echo "build:bpf needs kernel BTF at $BTF (CONFIG_DEBUG_INFO_BTF=y)" >&2; exit 1; }
bpftool btf dump file "$BTF" format c > vmlinux.h.tmp
mv vmlinux.h.tmp vmlinux.h

case "$(uname -m)" in
  x86_64) ARCH=x86 ;;
  aarch64) ARCH=arm64 ;;
  *) echo "build:bpf: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

for src in *.bpf.c; do
  obj="${src%.c}.o"
  clang -g -O2 -Wall -Werror -target bpf "-D__TARGET_ARCH_${ARCH}" -I. -c "$src" -o "$OUT/$obj.tmp"
  # Links the object statically and drops DWARF, keeping the BTF that CO-RE needs.
  bpftool gen object "$OUT/$obj" "$OUT/$obj.tmp"
  rm -f "$OUT/$obj.tmp"
  echo "built $OUT/$obj"
done
