package findings

// metaSpecs are the rules secondlook reports about its own input rather
// than about the code's behaviour: comments that steer secondlook and are
// themselves wrong. They take the x2yy block of their family, as the
// detectors' rules do, and their analyzer is "secondlook/<check>".
var metaSpecs = []spec{
	{
		id: "SL4201", kind: "logic-error", name: "suppression-without-reason",
		analyzer: "secondlook/suppress",
		title:    "Suppression comment without a reason or a known rule",
		level:    LevelNote, precision: PrecisionHigh,
		help: "A //secondlook:ignore comment hides the findings of the rules it names, so it should say why they do not apply. " +
			"Without a reason the next reader cannot tell a finding judged harmless from one merely silenced, and a comment naming an unknown rule hides nothing while looking as if it does. " +
			"Name the rule by its ID, name or kind (see secondlook rules) and follow it with the reason, at the end of the flagged line or on the line above.",
		bad: `func (s *Server) start() {
	go s.loop() //secondlook:ignore goroutine-leak
}`,
		good: `func (s *Server) start() {
	//secondlook:ignore goroutine-leak loop returns when s.done is closed in Close
	go s.loop()
}`,
	},
}
