package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"familybot/config"
)

// checkPlaceholders stops `serve` while the association's name, phone or
// address are the shipped placeholders: residents would be told to call
// "0000-00000000". A local trial may go on (allow, or the dev-login mode set)
// with a warning.
func checkPlaceholders(cfg config.Config, allow bool, log *slog.Logger) error {
	keys := cfg.Association.Placeholders()
	if len(keys) == 0 {
		return nil
	}
	if !allow && cfg.Admin.DevLoginToken == "" {
		return fmt.Errorf("%s still hold the values config.yaml ships with, and residents would read them in answers: "+
			"fill them in config.yaml (or FAMILYBOT_ASSOCIATION_NAME / _PHONE / _ADDRESS); for a local trial run `serve --allow-placeholders`",
			strings.Join(keys, ", "))
	}
	log.Warn("association settings still hold the shipped placeholders; residents would read them", "keys", strings.Join(keys, ","))
	return nil
}

// warnPlaceholders tells whoever runs chat or ask, once, that answers show placeholders.
func warnPlaceholders(cfg config.Config, w io.Writer) {
	if keys := cfg.Association.Placeholders(); len(keys) > 0 {
		fmt.Fprintf(w, "提示：%s 还是示例值，回答里会出现示例电话和地址；请在 config.yaml 填写本会的信息。\n", strings.Join(keys, "、"))
	}
}
