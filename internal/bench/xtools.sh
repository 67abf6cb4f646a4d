#!/usr/bin/env bash
# Benchmarks the static pass on a large real module: golang.org/x/tools
# (the version in go.mod, from the module cache), against `go vet ./...` on
# the same module in the same run.
#
#   bash internal/bench/xtools.sh            # from the repository root
#
# It prints wall time and peak RSS of one run of:
#   1. go vet ./...                 cold: a fresh build cache (GOCACHE)
#   2. go vet ./...                 cached: again, on the cache 1 left
#   3. secondlook scan --dry-run    cold: a full scan with its own fresh
#                                   build cache and an empty analysis cache
#   4. secondlook scan --dry-run    warm: again, on the caches 3 left
#   5. secondlook scan --dry-run    the build cache warm, --no-cache (what
#                                   the analysis cache saves)
#   6. secondlook scan --diff       a change to one package, caches warm
# and the ratios cold scan / cold vet and warm scan / cached vet. The
# targets (issue 17): warm scan <= max(1.5 s, 3 x cached vet), cold scan
# <= 1.0 x cold vet. Needs GNU time (apt-get install time). The figures are
# wall times: say what else ran on the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
command -v /usr/bin/time >/dev/null || { echo "bench: needs GNU time: apt-get install -y time" >&2; exit 1; }

ver=$(go list -m -f '{{.Version}}' golang.org/x/tools)
src=$(go env GOMODCACHE)/golang.org/x/tools@$ver
[ -d "$src" ] || go mod download golang.org/x/tools
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src" "$work/xtools"
chmod -R u+w "$work/xtools"
(cd "$work/xtools" && go mod download >/dev/null 2>&1 || true)
go build -o "$work/secondlook" ./cmd/secondlook

# measure NAME CMD...: runs CMD in the x/tools copy, records wall seconds and peak RSS (KiB).
measure() {
	local name=$1; shift
	(cd "$work/xtools" && /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err") || true
	read -r wall rss <"$work/$name.time"
	printf '%-28s wall %7.2fs  peak RSS %6d MiB\n' "$name" "$wall" "$((rss / 1024))"
	eval "${name//-/_}_wall=$wall"
}

export GOFLAGS=-mod=mod
scan=("$work/secondlook" scan --cache-dir "$work/sl-cache")
GOCACHE=$work/cache-vet measure vet-cold go vet ./...
GOCACHE=$work/cache-vet measure vet-cached go vet ./...
GOCACHE=$work/cache-sl measure scan-cold "${scan[@]}" --dry-run --max-tokens 0 -q ./...
GOCACHE=$work/cache-sl measure scan-warm "${scan[@]}" --dry-run --max-tokens 0 -q ./...
GOCACHE=$work/cache-sl measure scan-no-analysis-cache "${scan[@]}" --no-cache --dry-run --max-tokens 0 -q ./...

# A diff scan touching one package.
(cd "$work/xtools" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm base)
sed -i 's/^func run(pass \*analysis.Pass) (any, error) {/&\n\t_ = 0/' "$work/xtools/go/analysis/passes/nilness/nilness.go"
GOCACHE=$work/cache-sl measure scan-diff-one-pkg "${scan[@]}" --diff HEAD --dry-run -q

cmp -s "$work/scan-cold.out" "$work/scan-warm.out" || echo "bench: the warm scan's regions differ from the cold scan's" >&2
grep "would go to a model" "$work/scan-warm.out"
echo "diff scan:"; grep "would go to a model" "$work/scan-diff-one-pkg.out"
awk -v w="$scan_warm_wall" -v vc="$vet_cached_wall" -v c="$scan_cold_wall" -v v="$vet_cold_wall" 'BEGIN {
	t = 3 * vc; if (t < 1.5) t = 1.5
	printf "warm scan / cached go vet:  %.2f  (target: warm scan <= %.2fs: %s)\n", w / vc, t, (w <= t ? "met" : "not met")
	printf "cold scan / cold go vet:    %.2f  (target: <= 1.00: %s)\n", c / v, (c <= v ? "met" : "not met")
}'
