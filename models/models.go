// Package models holds familybot's domain types: the gorm entities, their enums
// and the one error type every layer speaks. It imports nothing of ours.
package models

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP statuses in handlers and to friendly Chinese in bot.
const (
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
	ECONFLICT = "conflict"
	EFORBID   = "forbidden"
	ELIMIT    = "rate_limited"
	EINTERNAL = "internal"
)

// Error is the domain error: a code and a message that is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds a domain error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of a domain error, EINTERNAL for anything else, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err is a domain error with the given code.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }
