package broken

func F() int {
	return missing
}
