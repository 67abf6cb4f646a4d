#!/usr/bin/env bash
# Prints the path of a llama-server binary on its last line of standard output,
# building it first when the cache does not hold one.
#
# The source is llama.cpp as shipped in the npm package node-llama-cpp (a git
# bundle, MIT): npm is a registry this machine reaches, GitHub is not. The
# binary is cached outside the repository, keyed by the llama.cpp commit, so a
# later run on the same machine reuses it:
#   ${SECONDLOOK_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/secondlook-ci}/llama-<commit>/llama-server
# A cold build takes about 20 minutes on 2 cores; everything but the path goes
# to standard error.
set -euo pipefail

NODE_LLAMA_CPP=node-llama-cpp@3.21.1
LLAMA_COMMIT=80fb11a # the commit that package's bundle holds; checked below

cache_root=${SECONDLOOK_LLAMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/secondlook-ci}
dir=$cache_root/llama-$LLAMA_COMMIT
bin=$dir/llama-server

log() { echo "llama-server.sh: $*" >&2; }

usable() { [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; }

if usable; then
	log "cached: $bin"
	echo "$bin"
	exit 0
fi

mkdir -p "$cache_root"
# One build at a time per machine: a second caller waits for the first.
exec 9>"$cache_root/llama-$LLAMA_COMMIT.lock"
if command -v flock >/dev/null; then
	flock 9
fi
if usable; then
	log "built by another run meanwhile: $bin"
	echo "$bin"
	exit 0
fi

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v ccache >/dev/null || need+=(ccache)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v git >/dev/null || need+=(git)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

start=$(date +%s)
work=$(mktemp -d "$cache_root/build-$LLAMA_COMMIT.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "fetching the llama.cpp source from $NODE_LLAMA_CPP"
(cd "$work" && npm pack --silent "$NODE_LLAMA_CPP" >&2)
tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle
git clone --quiet "$work/package/llama/gitRelease.bundle" "$work/src" >&2
got=$(git -C "$work/src" rev-parse HEAD)
case $got in
"$LLAMA_COMMIT"*) ;;
*)
	log "the bundle holds llama.cpp $got, not $LLAMA_COMMIT: update LLAMA_COMMIT in $0 with NODE_LLAMA_CPP"
	exit 1
	;;
esac

# ccache keeps compiled objects across cache keys (a new commit rebuilds only
# what changed). The UI flags stop the build from downloading a web UI;
# GGML_NATIVE=OFF makes a binary that runs on any x86-64 of the machine kind.
export CCACHE_DIR=${CCACHE_DIR:-$cache_root/ccache}
log "configuring"
cmake -S "$work/src" -B "$work/build" \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	-DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
	-DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
	-DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF >&2
log "building llama-server with $(nproc) jobs"
cmake --build "$work/build" --target llama-server -j"$(nproc)" >&2

mkdir -p "$dir"
cp "$work/build/bin/llama-server" "$bin.tmp"
mv "$bin.tmp" "$bin"
usable || {
	log "the built $bin does not run: $("$bin" --version 2>&1 | tail -3)"
	exit 1
}
log "built $bin in $(($(date +%s) - start)) s"
echo "$bin"
