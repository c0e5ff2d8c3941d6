//go:build !unix

package delivery

import "os"

// On systems without flock(2) the ledger is only serialised within one
// process (Ledger.mu); concurrent mxprobe processes must not share it.
func lockFile(f *os.File, exclusive bool) error { return nil }

func unlockFile(f *os.File) error { return nil }
