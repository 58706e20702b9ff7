// Command bareecho is the floor for familybot's load benchmark: the smallest
// webhook on the same stack (Gin + silenceper/wechat/v2) that validates the
// signature, parses the message and echoes its text back as a passive reply.
// No database, no bot, no dedup: whatever familybot adds costs on top of this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address (loopback)")
	token := flag.String("token", "benchtoken", "official-account server token")
	flag.Parse()
	if err := run(*addr, *token); err != nil {
		fmt.Fprintln(os.Stderr, "bareecho:", err)
		os.Exit(1)
	}
}

func run(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen on a loopback address, not %q", addr)
	}
	// The SDK's OA object is built once; GetServer makes a light Server per request.
	oa := officialaccount.NewOfficialAccount(&offConfig.Config{AppID: "wxbench", Token: token, Cache: cache.NewMemory()})

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery()) // the SDK panics if writing the reply fails
	h := func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10)
		srv := oa.GetServer(c.Request, c.Writer) // signature validation stays on
		srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			if m.MsgType != message.MsgTypeText {
				return nil // "success"
			}
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(m.Content)}
		})
		if err := srv.Serve(); err != nil {
			if !c.Writer.Written() {
				c.String(http.StatusForbidden, "invalid")
			}
			return
		}
		if srv.ResponseMsg != nil {
			_ = srv.Send()
		} else if !c.Writer.Written() {
			c.String(http.StatusOK, "success")
		}
	}
	r.GET("/wechat", h)
	r.POST("/wechat", h)
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	// Same server timeouts as familybot's.
	hs := &http.Server{Addr: addr, Handler: r, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 32 << 10}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	log.Printf("bareecho listening on %s", addr)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
