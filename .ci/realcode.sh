#!/usr/bin/env bash
# Precision on real code (issue 12): scan the modules pinned in
# eval/realcode/modules.txt with secondlook's static pass and fail when a
# finding at warning or above has no verdict in eval/realcode/triage.tsv.
# Needs the Go module proxy (or a module cache that holds the pinned modules
# and their dependencies). The copies live under the user cache directory and
# are reused by later runs. docs/benchmark.md, "Precision on real code", says
# how to triage what it lists.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null || { echo "realcode: go is not installed" >&2; exit 1; }
echo "== findings/measured.go is generated from eval/realcode/triage.tsv"
go test -count=1 -run 'TestMeasuredUpToDate|TestCommittedTriage' ./eval/realcode
echo "== every finding on the pinned modules has a verdict"
go run ./eval/cmd/triage
