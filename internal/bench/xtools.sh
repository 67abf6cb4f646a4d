#!/usr/bin/env bash
# Benchmarks the static pass on a large real module: golang.org/x/tools
# (the version in go.mod, from the module cache), against `go vet ./...` on
# the same module in the same run.
#
#   bash internal/bench/xtools.sh            # from the repository root
#
# It prints wall time and peak RSS for:
#   1. go vet ./...                 with a cold build cache (a fresh GOCACHE)
#   2. secondlook scan --dry-run    full scan, the cache go vet left (vet does
#                                   not compile every package and test variant
#                                   that go list -export asks for)
#   3. secondlook scan --dry-run    full scan again: a warm cache, as after a build
#   4. secondlook scan --dry-run    full scan with its own cold cache
#   5. secondlook scan --diff       a change to one package, warm cache
# and the ratios of 2, 3 and 4 to 1. Needs GNU time (apt-get install time).
# Run it on a quiet machine: the figures are wall times.
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
GOCACHE=$work/cache-vet measure go-vet-cold go vet ./...
GOCACHE=$work/cache-vet measure scan-after-vet "$work/secondlook" scan --dry-run --max-tokens 0 -q ./...
GOCACHE=$work/cache-vet measure scan-warm "$work/secondlook" scan --dry-run --max-tokens 0 -q ./...
GOCACHE=$work/cache-sl measure scan-cold "$work/secondlook" scan --dry-run --max-tokens 0 -q ./...

# A diff scan touching one package.
(cd "$work/xtools" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm base)
sed -i 's/^func run(pass \*analysis.Pass) (any, error) {/&\n\t_ = 0/' "$work/xtools/go/analysis/passes/nilness/nilness.go"
GOCACHE=$work/cache-vet measure scan-diff-one-pkg "$work/secondlook" scan --diff HEAD --dry-run -q

grep "would go to a model" "$work/scan-warm.out"
echo "diff scan:"; grep "would go to a model" "$work/scan-diff-one-pkg.out"
awk -v w="$scan_warm_wall" -v av="$scan_after_vet_wall" -v c="$scan_cold_wall" -v v="$go_vet_cold_wall" 'BEGIN {
	printf "ratio scan (warm cache) / cold go vet:      %.3f\n", w / v
	printf "ratio scan (after go vet) / cold go vet:    %.3f\n", av / v
	printf "ratio scan (own cold cache) / cold go vet:  %.3f\n", c / v
}'
