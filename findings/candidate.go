package findings

// Candidate is what a model claimed about a region, unverified. It never
// reaches a writer: Verify turns it into a Finding or says why it was
// dropped.
type Candidate struct {
	RegionID    string  `json:"region_id"`
	Kind        string  `json:"kind"`     // as the model named it; Verify normalizes it
	File        string  `json:"file"`     // module-relative, slash-separated
	Function    string  `json:"function"` // as Go prints it, e.g. "(*Server).Handle"
	RegionStart int     `json:"region_start"`
	RegionEnd   int     `json:"region_end"` // the lines the model was shown, 1-based, inclusive
	Line        int     `json:"line"`       // the claimed first line
	EndLine     int     `json:"end_line"`   // the claimed last line; 0 means Line
	Quote       string  `json:"quote"`      // the offending code, as the model copied it
	Message     string  `json:"message"`
	Explanation string  `json:"explanation"`
	Confidence  float64 `json:"confidence"`
	Model       string  `json:"model"`
	// PromptVersion is the version of the prompt the model answered, for
	// tracing a claim back to the text that produced it.
	PromptVersion string `json:"prompt_version"`
}

// DropReason says why Verify dropped a Candidate. The values are stable:
// summaries and the benchmark count drops by reason.
type DropReason string

// The reasons, in the order Verify checks them. The empty DropReason means
// the candidate was kept.
const (
	// DropUnknownKind: the kind is not one of Kinds(), even after
	// normalizing case, spaces and underscores.
	DropUnknownKind DropReason = "unknown-kind"
	// DropNoMessage: the message is empty.
	DropNoMessage DropReason = "no-message"
	// DropOutsideRegion: the claimed line is not a line the model was shown.
	DropOutsideRegion DropReason = "outside-region"
	// DropNoQuote: the quote is empty or too weak to be evidence: fewer
	// than four non-space characters, or only keywords and punctuation
	// ("}", "return", "} else {").
	DropNoQuote DropReason = "no-quote"
	// DropQuoteNotFound: the quote does not occur in the region within two
	// lines of the claimed line.
	DropQuoteNotFound DropReason = "quote-not-found"
)

// DropReasons lists every reason Verify may return, in the order it checks
// them.
func DropReasons() []DropReason {
	return []DropReason{DropUnknownKind, DropNoMessage, DropOutsideRegion, DropNoQuote, DropQuoteNotFound}
}
