package models

import "time"

// Beijing is the one zone the association's times are meant in: staff type
// times in it, residents read them in it, and a day, week or month starts at
// midnight in it, whatever the server's zone. China keeps no daylight saving,
// so a fixed zone needs no tzdata.
var Beijing = time.FixedZone("CST", 8*3600)
