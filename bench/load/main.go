// Command load is a closed-loop load generator for a WeChat official-account
// webhook: N connections each send a signed plain-mode text message, wait for
// the answer, and send the next, for a warm-up and then a measured period. It
// reports requests per second and latency percentiles, as a table and as one
// machine-readable RESULT line. It only talks to loopback addresses.
//
//	load -url http://127.0.0.1:18080/wechat -token benchtoken -c 32 -d 20s -label familybot
package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
)

// questions is what residents send: mostly health questions the knowledge base
// answers, some commands, some things it cannot help with. No crisis words and no
// "人工": those alert staff through the outbox, which is not what is measured.
var questions = []string{
	// parenting
	"宝宝发烧怎么办", "孩子发烧38度5要不要去医院", "宝宝几个月可以加辅食", "孩子不爱吃饭怎么办", "宝宝晚上老是哭闹",
	"新生儿黄疸多久能退", "孩子打疫苗后发烧正常吗", "宝宝拉肚子怎么办",
	// adolescents
	"青春期长痘怎么办", "孩子青春期叛逆怎么沟通", "女儿月经不规律", "青春期孩子玩手机停不下来",
	// elderly
	"老人血压高怎么办", "老人血压高平时要注意什么", "老年人失眠怎么办", "怎么预防老年痴呆", "老人骨质疏松吃什么",
	"糖尿病老人饮食注意什么",
	// family planning and services
	"有哪些避孕方法", "产后多久可以同房", "协会在哪里", "你们几点上班", "免费孕前检查怎么预约",
	// commands
	"帮助", "活动", "我的报名", "回音壁", "谢谢",
	// out of scope
	"今天天气怎么样", "推荐一只股票", "附近有什么好吃的", "帮我写一篇作文", "asdfgh",
}

// The commands' place in questions (they are never made unique: "活动 123" is another command).
var firstCommand, commandCount = slices.Index(questions, "帮助"), 5

type options struct {
	url, token, label string
	conns, residents  int
	duration, warmup  time.Duration
	timeout           time.Duration
	maxRequests       int64
	unique            bool
	cpu               string // name=pid,…: processes whose CPU time is reported per request
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:18080/wechat", "webhook URL (loopback only)")
	flag.StringVar(&o.token, "token", "benchtoken", "official-account server token the webhook checks")
	flag.StringVar(&o.label, "label", "", "name printed with the results (default: the URL's port)")
	flag.IntVar(&o.conns, "c", 32, "concurrent connections (each one request at a time)")
	flag.IntVar(&o.residents, "residents", 1000, "distinct senders (FromUserName)")
	flag.BoolVar(&o.unique, "unique", false, "make every question text distinct (a trailing number), so the server can answer none from memory")
	flag.DurationVar(&o.duration, "d", 20*time.Second, "measured duration")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "warm-up before measuring (not counted)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Second, "per-request timeout (counted as an error)")
	flag.Int64Var(&o.maxRequests, "max", 10_000_000, "stop after this many requests in total, whatever the time")
	flag.StringVar(&o.cpu, "cpu", "", "name=pid,… : report these processes' CPU time per request (Linux /proc), e.g. server=1234,db=99")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	u, err := url.Parse(o.url)
	if err != nil {
		return err
	}
	if err := loopbackOnly(u); err != nil {
		return err
	}
	if o.conns < 1 || o.residents < 1 || o.duration <= 0 || o.warmup < 0 || o.maxRequests < 1 {
		return errors.New("-c, -residents, -d and -max must be positive")
	}
	if o.label == "" {
		o.label = u.Port()
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.conns,
		MaxIdleConnsPerHost: o.conns,
		MaxConnsPerHost:     o.conns, // exactly N keep-alive connections
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: o.timeout}

	g := &generator{o: o, client: client, base: u,
		// MsgIds must be unique across runs against one database too: start from the clock.
		msgBase: time.Now().UnixNano() / 1000 * 1000}
	g.senders = make([]string, o.residents)
	for i := range g.senders {
		g.senders[i] = fmt.Sprintf("oBench%022d", i) // 28 characters, like a real openid
	}

	phase := &atomic.Int32{} // 0 warm-up, 1 measuring, 2 stopping
	var wg sync.WaitGroup
	samples := make([][]sample, o.conns)
	for i := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i] = g.worker(ctx, phase, uint64(i))
		}()
	}
	fmt.Fprintf(os.Stderr, "load %s: %d connections, warm-up %v, measuring %v …\n", o.label, o.conns, o.warmup, o.duration)
	sleep(ctx, o.warmup)
	watched, err := parseCPU(o.cpu)
	if err != nil {
		return err
	}
	before := cpuTimes(watched)
	start := time.Now()
	phase.Store(1)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	t := time.NewTimer(o.duration)
	select { // the duration ends, or -max was reached, or we are interrupted
	case <-t.C:
	case <-finished:
	case <-ctx.Done():
	}
	t.Stop()
	phase.Store(2)
	<-finished // in-flight requests finish; they count if they started while measuring
	elapsed := time.Since(start)
	after := cpuTimes(watched)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	res := summarize(o, elapsed, slices.Concat(samples...), g.total.Load())
	for i, w := range watched {
		res.cpu = append(res.cpu, cpuUse{name: w.name, seconds: (after[i] - before[i]).Seconds()})
	}
	res.print(stdout)
	for why, n := range g.errSeen {
		fmt.Fprintf(os.Stderr, "load %s: %d× %s\n", o.label, n, why)
	}
	return nil
}

type sample struct {
	lat     time.Duration
	outcome int8
}

const (
	okXML     = iota // a text reply addressed to the sender
	okSuccess        // "success": the answer went out later (deadline missed) or none was due
	failed
)

type generator struct {
	o       options
	client  *http.Client
	base    *url.URL
	senders []string
	msgBase int64
	seq     atomic.Int64
	total   atomic.Int64
	errMu   sync.Mutex
	errSeen map[string]int
}

func (g *generator) worker(ctx context.Context, phase *atomic.Int32, id uint64) []sample {
	rng := rand.New(rand.NewPCG(id, uint64(g.msgBase)))
	out := make([]sample, 0, 1<<16)
	for ctx.Err() == nil {
		p := phase.Load()
		if p == 2 || g.total.Add(1) > g.o.maxRequests {
			break
		}
		n := g.seq.Add(1)
		from := g.senders[rng.IntN(len(g.senders))]
		i := rng.IntN(len(questions))
		text := questions[i]
		if g.o.unique && (i < firstCommand || i >= firstCommand+commandCount) {
			// Every question new to the server: a number the matcher ignores
			// makes each text distinct, so nothing is answered from memory.
			text += " " + strconv.FormatInt(g.msgBase+n, 10)
		}
		lat, outcome := g.one(ctx, from, text, g.msgBase+n, n)
		if p == 1 {
			out = append(out, sample{lat, outcome})
		}
	}
	return out
}

// one sends a message and checks the answer: 200 and either "success" or a text
// reply to the sender that parses as XML.
func (g *generator) one(ctx context.Context, from, text string, msgID, n int64) (time.Duration, int8) {
	now := time.Now().Unix()
	ts, nonce := strconv.FormatInt(now, 10), strconv.FormatInt(n, 10)
	u := *g.base
	u.RawQuery = url.Values{"signature": {signature(g.o.token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}.Encode()
	body := "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[" + from +
		"]]></FromUserName><CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" + text +
		"]]></Content><MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId></xml>"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(body))
	if err != nil {
		return 0, failed
	}
	req.Header.Set("Content-Type", "text/xml")
	start := time.Now()
	resp, err := g.client.Do(req)
	if err != nil {
		lat := time.Since(start)
		g.noteErr(err.Error())
		return lat, failed
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	lat := time.Since(start)
	switch {
	case err != nil:
		g.noteErr("reading body: " + err.Error())
		return lat, failed
	case resp.StatusCode != http.StatusOK:
		g.noteErr("status " + strconv.Itoa(resp.StatusCode))
		return lat, failed
	case string(reply) == "success":
		return lat, okSuccess
	}
	var m struct {
		ToUserName string `xml:"ToUserName"`
		MsgType    string `xml:"MsgType"`
		Content    string `xml:"Content"`
	}
	if err := xml.Unmarshal(reply, &m); err != nil || m.ToUserName != from || m.MsgType != "text" || m.Content == "" {
		g.noteErr(fmt.Sprintf("unexpected reply %.80q", reply))
		return lat, failed
	}
	return lat, okXML
}

func (g *generator) noteErr(s string) {
	g.errMu.Lock()
	defer g.errMu.Unlock()
	if g.errSeen == nil {
		g.errSeen = map[string]int{}
	}
	if len(g.errSeen) < 20 || g.errSeen[s] > 0 {
		g.errSeen[s]++
	}
}

// signature is WeChat's plain-mode signature: sha1 of the sorted token, timestamp and nonce.
func signature(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type result struct {
	label                     string
	conns                     int
	elapsed                   time.Duration
	requests, xml, succ, errs int
	rps                       float64
	p50, p90, p99, max        time.Duration
	sent                      int64
	cpu                       []cpuUse
}

// cpuUse is the CPU time (user+system) a process spent while measuring.
type cpuUse struct {
	name    string
	seconds float64
}

func summarize(o options, elapsed time.Duration, s []sample, sent int64) result {
	r := result{label: o.label, conns: o.conns, elapsed: elapsed, requests: len(s), sent: sent}
	lats := make([]time.Duration, len(s))
	for i, x := range s {
		lats[i] = x.lat
		switch x.outcome {
		case okXML:
			r.xml++
		case okSuccess:
			r.succ++
		default:
			r.errs++
		}
	}
	slices.Sort(lats)
	r.rps = float64(len(s)) / elapsed.Seconds()
	r.p50, r.p90, r.p99 = pct(lats, 50), pct(lats, 90), pct(lats, 99)
	if len(lats) > 0 {
		r.max = lats[len(lats)-1]
	}
	return r
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func (r result) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tconns\tseconds\trequests\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\txml\tsuccess\terrors\t")
	fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t\n",
		r.label, r.conns, r.elapsed.Seconds(), r.requests, r.rps, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.xml, r.succ, r.errs)
	tw.Flush()
	var cpu strings.Builder
	for _, c := range r.cpu {
		perReq := 0.0
		if r.requests > 0 {
			perReq = c.seconds * 1000 / float64(r.requests)
		}
		fmt.Fprintf(w, "  cpu %-8s %6.1f%% of one core, %.3f ms per request\n", c.name, 100*c.seconds/r.elapsed.Seconds(), perReq)
		fmt.Fprintf(&cpu, " cpu_%s_ms_per_req=%.3f", c.name, perReq)
	}
	fmt.Fprintf(w, "RESULT label=%s conns=%d seconds=%.2f requests=%d rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s xml=%d success=%d errors=%d%s\n",
		r.label, r.conns, r.elapsed.Seconds(), r.requests, r.rps, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.xml, r.succ, r.errs, cpu.String())
}

type watchedProc struct {
	name string
	pid  int
}

func parseCPU(spec string) ([]watchedProc, error) {
	var out []watchedProc
	for _, part := range strings.Split(spec, ",") {
		if part == "" {
			continue
		}
		name, pid, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || name == "" {
			return nil, fmt.Errorf("-cpu wants name=pid pairs, got %q", part)
		}
		out = append(out, watchedProc{name, n})
	}
	if len(out) > 0 {
		out = append(out, watchedProc{"load", os.Getpid()})
	}
	return out, nil
}

// cpuTimes reads user+system time from /proc/PID/stat (fields 14 and 15, in
// clock ticks of 1/100 s on Linux); a process that cannot be read counts 0.
func cpuTimes(ps []watchedProc) []time.Duration {
	out := make([]time.Duration, len(ps))
	for i, p := range ps {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
		if err != nil {
			continue
		}
		// The command name (field 2) may contain spaces: count from its closing parenthesis.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		f := strings.Fields(rest) // f[0] is field 3
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[i] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}

func loopbackOnly(u *url.URL) error {
	if u.Scheme != "http" {
		return fmt.Errorf("only http:// on loopback is supported, not %q", u.Scheme)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to load %q: loopback addresses only", host)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
