# Shared by tools/hotcc and tools/check: install what is missing, configure, build.
# Sourced, not run: sets HOTCC_ROOT and HOTCC_BUILD. HOTCC_BUILD_DIR picks another build dir;
# HOTCC_CMAKE_ARGS adds configure flags on its first use (tools/check --sanitize).
HOTCC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOTCC_BUILD=${HOTCC_BUILD_DIR:-$HOTCC_ROOT/build}

hotcc_packages=(
  clang-22 lld-22 llvm-22-dev libclang-22-dev libclang-cpp22-dev liblld-22-dev clang-tools-22
  libgc-dev libspdlog-dev catch2 libgtest-dev libcli11-dev nlohmann-json3-dev libedit-dev
  cmake ninja-build ccache pkg-config tmux python3 zlib1g-dev libzstd-dev
  emscripten nodejs wasi-libc libc++-22-dev-wasm32
  libclang-rt-22-dev
  libcivetweb-dev chromium
)

hotcc_log() { printf 'hotcc-setup: %s\n' "$*" >&2; }

hotcc_install_missing() {
  local missing=()
  for p in "${hotcc_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    hotcc_log "missing packages; run as root:"
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  hotcc_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || { hotcc_log "apt-get update failed"; exit 1; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    { hotcc_log "apt-get install failed"; exit 1; }
}

# The browser tests' and benchmark's npm packages (playwright-core, which drives Debian's chromium;
# it never downloads a browser of its own), pinned by tests/browser/package-lock.json.
hotcc_install_node_modules() {
  local dir=$HOTCC_ROOT/tests/browser
  [ -d "$dir/node_modules/playwright-core" ] && return 0
  hotcc_log "installing the browser tests' npm packages (npm ci in tests/browser)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    { hotcc_log "npm ci failed in tests/browser"; exit 1; }
}

# Configures on first use; ninja then rebuilds only what changed (a no-op costs ~0.1 s).
# ccache with paths taken relative to the build directory: a clone elsewhere (CI's clean clone, a
# second worktree) hits the same cache entries.
hotcc_build() {
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$HOTCC_ROOT}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
  if [ ! -f "$HOTCC_BUILD/build.ninja" ]; then
    hotcc_log "configuring in $HOTCC_BUILD (first build takes several minutes on 2 cores)"
    CC=clang-22 CXX=clang++-22 cmake -S "$HOTCC_ROOT" -B "$HOTCC_BUILD" -G Ninja \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo ${HOTCC_CMAKE_ARGS:-} >&2 || { hotcc_log "cmake failed"; exit 1; }
  fi
  # Progress only on a terminal; otherwise just compiler output, so a run's stderr stays clean.
  local progress=--quiet
  [ -t 2 ] && progress=
  ninja -C "$HOTCC_BUILD" $progress -j"$(nproc)" 2>&1 | { grep -v '^ninja: no work to do' >&2 || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { hotcc_log "build failed"; exit 1; }
}
