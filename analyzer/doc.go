// Package analyzer is secondlook's static pass: it loads the Go packages a
// change touches (or a whole module), runs go/analysis passes over them, and
// picks the risky regions a language model should read.
//
// The phases, and where each result lands:
//
//   - [Run] lists the packages once with the go command, compiling only
//     what some package imports, as go vet does (listing.go), type-checks
//     them in bounded batches (so memory stays flat on large modules) from
//     source, their dependencies from export data (typecheck.go; what the
//     listing cannot serve loads with go/packages), and runs, in-process through
//     go/analysis/checker, two kinds of passes: the x/tools passes that find
//     real bugs (the vet set plus nilness and friends; their diagnostics land
//     in [Result.Diagnostics]) and secondlook's own risk-signal passes under
//     analyzer/passes (their diagnostics become [Signal]s on the [Func] that
//     encloses them). Every function of the loaded files becomes a [Func] with
//     its code, the declarations it refers to, its callees and its signals.
//     Packages that fail to load are recorded in [Result.Errors]; the rest are
//     analysed. A package whose tests do not load (a _test.go file that does
//     not type-check, a test-only dependency missing from go.sum) is analysed
//     without them, its tests' error recorded as [PackageError.InTests].
//     In a diff scan, Config.Dependents also loads the module's packages
//     that import the changed ones, for their calls alone
//     ([Result.Dependents]), so that [Reach] can say how far a change to a
//     function reaches: its call sites and the entry points above them.
//     With Config.Cache, a package whose files, dependencies' export data,
//     toolchain and secondlook build are as a stored run saw them is
//     restored instead ([Result.Cached]): neither parsed, type-checked nor
//     analysed (pkgcache.go says what the key holds).
//   - [Select] scores the functions and turns the riskiest into [Region]s: in
//     a diff scan the functions the change touches plus, lower ranked, their
//     callers; in a full scan every function with signals. A token and region
//     budget keeps the best by score and counts what it left out.
//
// Past this package, positions are plain data: a module-relative,
// slash-separated file path and 1-based lines. No token.Pos escapes.
package analyzer
