//go:build unix

package delivery

import (
	"os"
	"syscall"
)

// lockFile takes flock(2) on f: exclusive for writers, shared for readers.
// The kernel drops the lock when the process dies, so a killed writer never
// blocks the ledger.
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
