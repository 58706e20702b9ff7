package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/util"
)

// MaxVoice is the largest voice recording downloaded: WeChat's are at most 60
// seconds of AMR or Speex, well under 200 KB; Tencent Cloud takes 3 MB base64.
const MaxVoice = 2 << 20

// FetchVoice downloads a voice message's audio (temporary material, kept by
// WeChat for 3 days) into memory. Nothing is written to disk; the caller
// overwrites the bytes when done (speech.Voice). Errors never carry the
// download address, which holds the access token.
func (c *Client) FetchVoice(ctx context.Context, mediaID string) ([]byte, error) {
	if c.oaCfg.AppID == "" {
		return nil, errors.New("official_account.app_id is not configured")
	}
	link, err := material.NewMaterial(c.oa.GetContext()).GetMediaURL(url.QueryEscape(mediaID))
	if err != nil {
		return nil, c.classify(withoutURL(err), c.oaTokenKey())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, errors.New("media download: bad media id")
	}
	resp, err := util.DefaultHTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("media download: %w", withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("media download: HTTP %d", resp.StatusCode)
	}
	audio, err := io.ReadAll(io.LimitReader(resp.Body, MaxVoice+1))
	switch {
	case err != nil:
		clear(audio)
		return nil, fmt.Errorf("media download: %w", err)
	case len(audio) > MaxVoice:
		clear(audio)
		return nil, fmt.Errorf("media download: larger than %d bytes", MaxVoice)
	}
	// An expired media id or a bad token comes back as JSON, not audio.
	if bytes.HasPrefix(bytes.TrimSpace(audio), []byte(`{`)) {
		var ce util.CommonError
		if json.Unmarshal(audio, &ce) == nil && ce.ErrCode != 0 {
			return nil, c.classify(&ce, c.oaTokenKey())
		}
	}
	return audio, nil
}

// withoutURL drops the address from a transport error: WeChat's carry the
// access token (and, for the plain token API, the app secret) in the query.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
