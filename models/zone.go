package models

import "time"

// Beijing is the one zone the association's times are meant in: staff type
// times in it, residents read them in it, and a day, week or month starts at
// midnight in it, whatever the server's zone. China keeps no daylight saving,
// so a fixed zone needs no tzdata.
var Beijing = time.FixedZone("CST", 8*3600)

// Clock tells the time; a nil Clock is the system clock. Services hold one so
// that tests can set the time.
type Clock func() time.Time

// UTC is the clock's time in UTC.
func (c Clock) UTC() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
