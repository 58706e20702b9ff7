package wechat

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// The pooled encoder writes exactly what xml.Marshal writes, reply after reply.
func TestPooledReplyXMLEqualsMarshal(t *testing.T) {
	x := xmlPool.Get().(*xmlWriter)
	defer xmlPool.Put(x)
	for _, text := range []string{"你好", "", "a]]>b <script>&amp;", "第一行\n第二行\t🙂", "宝宝发烧怎么办"} {
		out := message.NewText(text)
		out.SetToUserName("o-user")
		out.SetFromUserName("gh_test")
		out.SetCreateTime(1700000000)
		out.SetMsgType(message.MsgTypeText)
		want, err := xml.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.marshal(out)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s (%v)\nwant %s", text, got, err, want)
		}
	}
	// A value the encoder cannot write fails cleanly and leaves the writer usable.
	if _, err := x.marshal(map[string]string{"a": "b"}); err == nil {
		t.Fatal("a map was encoded")
	}
	if got, err := x.marshal(message.NewText("再来")); err != nil || !bytes.Contains(got, []byte("再来")) {
		t.Fatalf("writer unusable after a failure: %s %v", got, err)
	}
}
