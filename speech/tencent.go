package speech

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log"
	"math"
	"net/http"
	"strings"
	"time"

	"familybot/config"

	asr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/asr/v20190614"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	sdkerrors "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Tencent is Tencent Cloud 一句话识别 (SentenceRecognition, API 2019-06-14)
// through the official SDK. The audio goes in the request body (SourceType 1),
// so nothing is uploaded anywhere first.
type Tencent struct {
	cred      *common.Credential
	region    string
	engine    string
	endpoint  string
	scheme    string // HTTPS, or HTTP for an endpoint given as http://host
	transport http.RoundTripper
}

// NewTencent builds the driver from its settings.
func NewTencent(c config.SpeechTencent, transport http.RoundTripper) *Tencent {
	if transport == nil {
		transport = http.DefaultTransport
	}
	t := &Tencent{cred: common.NewCredential(c.SecretID, c.SecretKey), region: c.Region, engine: c.Engine,
		endpoint: c.Endpoint, scheme: "HTTPS", transport: transport}
	if host, ok := strings.CutPrefix(c.Endpoint, "http://"); ok {
		t.endpoint, t.scheme = host, "HTTP"
	} else if host, ok := strings.CutPrefix(c.Endpoint, "https://"); ok {
		t.endpoint = host
	}
	return t
}

// Transcribe sends one recording and returns the text.
func (t *Tencent) Transcribe(ctx context.Context, audio []byte, voiceFormat string) (string, error) {
	prof := profile.NewClientProfile()
	prof.HttpProfile.Endpoint = t.endpoint
	prof.HttpProfile.Scheme = t.scheme
	prof.HttpProfile.ReqTimeout = 60
	if dl, ok := ctx.Deadline(); ok {
		prof.HttpProfile.ReqTimeout = int(math.Ceil(time.Until(dl).Seconds())) + 1
	}
	// The SDK takes no context; a client per call carries ours in its transport,
	// so a resident's deadline really stops the call.
	flags := log.Flags()
	c, err := asr.NewClient(t.cred, t.region, prof)
	log.SetFlags(flags) // the SDK's Init resets the standard logger's flags
	if err != nil {
		return "", &Error{Outcome: Unavailable, Err: err}
	}
	c.WithHttpTransport(ctxTransport{ctx: ctx, base: t.transport})

	req := asr.NewSentenceRecognitionRequest()
	req.ProjectId = common.Uint64Ptr(0)
	req.SubServiceType = common.Uint64Ptr(2) // 一句话识别
	req.EngSerViceType = common.StringPtr(t.engine)
	req.SourceType = common.Uint64Ptr(1) // audio in the body
	req.VoiceFormat = common.StringPtr(voiceFormat)
	req.UsrAudioKey = common.StringPtr(randomKey()) // never the resident's openid
	req.Data = common.StringPtr(base64.StdEncoding.EncodeToString(audio))
	req.DataLen = common.Int64Ptr(int64(len(audio)))
	req.ConvertNumMode = common.Int64Ptr(1) // "一" said as a menu choice arrives as "1"
	resp, err := c.SentenceRecognition(req)
	if err != nil {
		return "", tencentError(ctx, err)
	}
	if resp.Response == nil || resp.Response.Result == nil {
		return "", &Error{Outcome: Empty}
	}
	return *resp.Response.Result, nil
}

// tencentError sorts the SDK's error codes into outcomes (the codes are listed
// under 错误码 in the API documentation; families are matched, not every code).
func tencentError(ctx context.Context, err error) error {
	var se *sdkerrors.TencentCloudSDKError
	if !errors.As(err, &se) {
		return timedOut(ctx, "", err)
	}
	code := se.GetCode()
	e := &Error{Code: code, Err: err}
	switch {
	case code == "ClientError.NetworkError":
		return timedOut(ctx, code, err)
	case strings.HasPrefix(code, "AuthFailure"), strings.HasPrefix(code, "UnauthorizedOperation"),
		strings.Contains(code, "CheckAuthInfo"), code == "FailedOperation.UserNotRegistered": // keys, or ASR not enabled
		e.Outcome = Auth
	case strings.HasPrefix(code, "LimitExceeded"), strings.HasPrefix(code, "RequestLimitExceeded"),
		strings.Contains(code, "Amount"), strings.Contains(code, "Isolate"), strings.Contains(code, "Arrears"):
		e.Outcome = Quota
	case strings.HasPrefix(code, "InvalidParameter"), code == "FailedOperation.ErrorRecognize",
		code == "FailedOperation.ErrorDownFile":
		e.Outcome = Unreadable
	default:
		e.Outcome = Unavailable
	}
	return e
}

// ctxTransport gives every request of one call that call's context.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(req.WithContext(t.ctx))
}

func randomKey() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
