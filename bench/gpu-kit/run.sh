#!/usr/bin/env bash
# Avatar Studio GPU kit (packed by `npm run kit:gpu`, see bench/README.md in the repository).
#
#   bash run.sh [--quick] [kit.mjs options: --steps N --sizes 10000,65000 --budget S --skip live …]
#
# Runs the engine's conformance checks, benchmarks, a training run and the live path on this machine's GPU and prints
# ONE JSON object as the last line of stdout (progress on stderr). Needs only bash, coreutils and xz or python3 (to
# decompress Node and dawn.node) and a GPU driver with Vulkan; the Vulkan loader, EGL and GLES libraries are carried
# as Debian packages and unpacked only when the system lacks them. Everything is written inside this folder, under
# .run/, removed at the end (GPU_KIT_KEEP=1 keeps it: the logs, the unpacked binaries).
#
# Environment: GPU_KIT_KEEP=1; GPU_KIT_NODE=/path/to/node (use another Node ≥ 20); GPU_KIT_CARRIED_LIBS=1|0 (always |
# never use the carried libraries; default: only for what is missing); GPU_KIT_TIMEOUT=S (hard limit, default 1500);
# STUDIO_GPU_ADAPTER=auto|default|swiftshader|opengles (which adapter; default auto: a real GPU first).
set -u -o pipefail
KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$KIT/.run"
T0=$(date +%s)
NOTES=""
say() { echo "[run.sh] $*" >&2; }
note() { # a line for the JSON's setup.notes too
  say "$*"
  NOTES="${NOTES:+$NOTES; }${*//;/,}"
}

json_str() {
  local s
  s=$(printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037')
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/ }
  s=${s//$'\r'/}
  printf '"%s"' "$s"
}
# Prints the one JSON object for a failure before or around kit.mjs, and exits.
fail() {
  local tail=""
  [ -f "$RUN/stderr.log" ] && tail=$(tail -n 20 "$RUN/stderr.log" 2>/dev/null)
  printf '{"kit":"avatar-studio-gpu-kit","ok":false,"error":%s,"stderrTail":%s,"totalSeconds":%s}\n' \
    "$(json_str "$1")" "$(json_str "$tail")" "$(($(date +%s) - T0))"
  exit 1
}
cleanup() { [ "${GPU_KIT_KEEP:-0}" = 1 ] || rm -rf "$RUN"; }
trap cleanup EXIT

case "${1:-}" in -h | --help)
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 0
  ;;
esac
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "this kit is for Linux x86-64, not $(uname -s)-$(uname -m)"
[ -f "$KIT/kit.mjs" ] || fail "kit.mjs is missing from $KIT"
rm -rf "$RUN"
mkdir -p "$RUN" || fail "cannot create $RUN (is the kit folder writable?)"

# ---- decompression: xz, else Python's lzma ------------------------------------------------------------------------
unxz_to() {
  local src=$1 dst=$2
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$src" >"$dst.tmp" || return 1
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys
with lzma.open(sys.argv[1]) as i, open(sys.argv[2], "wb") as o: shutil.copyfileobj(i, o, 1 << 20)' "$src" "$dst.tmp" || return 1
  else
    return 2
  fi
  mv "$dst.tmp" "$dst"
}

if [ -n "${GPU_KIT_NODE:-}" ]; then
  NODE=$GPU_KIT_NODE
else
  NODE="$RUN/node"
  unxz_to "$KIT/node.xz" "$NODE" || fail "cannot decompress node.xz: install xz-utils or python3 (status $?)"
  chmod +x "$NODE"
fi
unxz_to "$KIT/dawn.node.xz" "$RUN/dawn.node" || fail "cannot decompress dawn.node.xz: install xz-utils or python3"
NODE_VERSION=$("$NODE" --version 2>&1) || fail "the kit's Node does not start here: $NODE_VERSION"
say "node $NODE_VERSION"

# ---- shared libraries: the system's, else the carried Debian packages -----------------------------------------------
LDCONFIG=$(command -v ldconfig 2>/dev/null || ls /sbin/ldconfig /usr/sbin/ldconfig 2>/dev/null | head -n 1)
LDCACHE=$([ -n "$LDCONFIG" ] && "$LDCONFIG" -p 2>/dev/null)
have_lib() {
  [ "${GPU_KIT_CARRIED_LIBS:-}" = 1 ] && return 1
  printf '%s\n' "$LDCACHE" | grep -q "[[:space:]]$1 " && return 0
  local d
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /lib /usr/local/lib ${LD_LIBRARY_PATH//:/ }; do
    [ -e "$d/$1" ] && return 0
  done
  return 1
}
extract_deb() {
  if command -v dpkg-deb >/dev/null 2>&1; then
    dpkg-deb -x "$1" "$2" && return 0
  fi
  command -v python3 >/dev/null 2>&1 || return 1
  # A .deb is an ar archive holding data.tar.{xz,gz,bz2}.
  python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'!<arch>\n', 'not a .deb'
pos = 8
while pos + 60 <= len(data):
    name = data[pos:pos + 16].decode().strip().rstrip('/')
    size = int(data[pos + 48:pos + 58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    pos += 60 + size + (size & 1)
    if name.startswith('data.tar'):
        with tarfile.open(fileobj=io.BytesIO(body), mode='r:*') as tf:
            if hasattr(tarfile, 'data_filter'):
                tf.extractall(sys.argv[2], filter='data')
            else:
                tf.extractall(sys.argv[2])
        sys.exit(0)
sys.exit('no data.tar member')
PY
}
declare -A NEED=()
have_lib libvulkan.so.1 || NEED[libvulkan1]=1
have_lib libEGL.so.1 || NEED[libegl1]=1
have_lib libGLESv2.so.2 || NEED[libgles2]=1
have_lib libGLdispatch.so.0 || NEED[libglvnd0]=1
if [ "${GPU_KIT_CARRIED_LIBS:-}" != 0 ] && [ ${#NEED[@]} -gt 0 ]; then
  mkdir -p "$RUN/sys"
  for pkg in "${!NEED[@]}"; do
    deb=$(ls "$KIT"/debs/"${pkg}"_*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
      note "missing $pkg and the kit carries no $pkg .deb"
      continue
    fi
    extract_deb "$deb" "$RUN/sys" || say "could not unpack $deb (no dpkg-deb, no python3?)"
    note "using the carried $(basename "$deb")"
  done
  for d in "$RUN/sys/usr/lib/x86_64-linux-gnu" "$RUN/sys/lib/x86_64-linux-gnu"; do
    [ -d "$d" ] && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
fi

# ---- NVIDIA driver files outside the standard places (e.g. /usr/local/nvidia in containers) -------------------------
if [ -e /dev/nvidiactl ] || [ -d /proc/driver/nvidia ] || command -v nvidia-smi >/dev/null 2>&1; then
  SMI=$(command -v nvidia-smi 2>/dev/null || ls /usr/local/nvidia/bin/nvidia-smi 2>/dev/null)
  [ -n "$SMI" ] && note "$("$SMI" -L 2>&1 | head -n 2 | tr '\n' ' ')"
  if ! printf '%s\n' "$LDCACHE" | grep -q 'libGLX_nvidia.so.0'; then
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
      [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d" && note "driver libraries: $d"
    done
  fi
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$f" ]; then
        export VK_DRIVER_FILES="$f" VK_ICD_FILENAMES="$f"
        note "Vulkan driver: $f"
        break
      fi
    done
    [ -n "${VK_DRIVER_FILES:-}" ] || note "no nvidia_icd.json found in the usual places; the Vulkan loader searches on its own"
  fi
  if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && ! ls /usr/share/glvnd/egl_vendor.d/*nvidia*.json /etc/glvnd/egl_vendor.d/*nvidia*.json >/dev/null 2>&1; then
    f=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    [ -f "$f" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$f" && note "EGL vendor: $f"
  fi
fi

# ---- dawn.node loads? (it needs glibc ≥ 2.34 and libstdc++ with GLIBCXX_3.4.30: Debian 12, Ubuntu 22.04 or newer) ----
dawn_loads() { DAWN_ERR=$("$NODE" -e 'process.dlopen({ exports: {} }, process.argv[1])' "$RUN/dawn.node" 2>&1); }
if ! dawn_loads; then
  deb=$(ls "$KIT"/debs/libstdc++6_*.deb 2>/dev/null | head -n 1)
  if printf '%s' "$DAWN_ERR" | grep -q 'GLIBCXX\|CXXABI' && [ -n "$deb" ]; then
    mkdir -p "$RUN/stdcxx"
    extract_deb "$deb" "$RUN/stdcxx" && export LD_LIBRARY_PATH="$RUN/stdcxx/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    note "the system's libstdc++ is too old for dawn.node: using the carried $(basename "$deb")"
    dawn_loads || fail "dawn.node does not load here: $DAWN_ERR"
  else
    fail "dawn.node does not load here ($(getconf GNU_LIBC_VERSION 2>/dev/null); it needs glibc >= 2.34): $DAWN_ERR"
  fi
fi
[ -n "${LD_LIBRARY_PATH:-}" ] && say "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

# ---- run ------------------------------------------------------------------------------------------------------------
export GPU_KIT_DAWN_NODE="$RUN/dawn.node" GPU_KIT_RESULT="$RUN/result.json" TMPDIR="$RUN" GPU_KIT_NOTES="$NOTES"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$RUN}"
chmod 700 "$RUN"
cmd=("$NODE" "$KIT/kit.mjs" "$@")
command -v timeout >/dev/null 2>&1 && cmd=(timeout -k 20 "${GPU_KIT_TIMEOUT:-1500}" "${cmd[@]}")
say "setup $(($(date +%s) - T0)) s; running kit.mjs $*"
"${cmd[@]}" >"$RUN/stdout.txt" 2> >(tee "$RUN/stderr.log" >&2)
rc=$?
sleep 0.2 # let tee flush
line=$(grep -v '^[[:space:]]*$' "$RUN/stdout.txt" | tail -n 1)
case "$line" in
'{'*'}')
  printf '%s\n' "$line"
  exit $rc
  ;;
esac
if [ -s "$RUN/result.json" ]; then
  cat "$RUN/result.json"
  exit $((rc ? rc : 1))
fi
[ $rc = 124 ] && fail "kit.mjs ran past GPU_KIT_TIMEOUT=${GPU_KIT_TIMEOUT:-1500} s and was stopped"
fail "kit.mjs exited with status $rc without printing its JSON"
