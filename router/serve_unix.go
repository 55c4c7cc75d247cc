//go:build unix

package router

import "syscall"

var errTooManyFiles error = syscall.EMFILE
