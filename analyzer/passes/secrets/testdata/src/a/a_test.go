package a

import "log"

// Test files are left out.
func logSecret(password string) {
	log.Print(password)
}
