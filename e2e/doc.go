// Package e2e holds familybot's browser tests: the real router on httptest,
// driven by Chromium through chromedp at a phone's size. They skip when no
// Chromium is installed (/usr/bin/chromium, or FAMILYBOT_CHROMIUM).
//
// Screenshots of the main pages go to a temporary directory, or to
// e2e/screenshots/ when FAMILYBOT_SCREENSHOTS=1 (that directory is gitignored).
package e2e
