package models

import (
	"strconv"
	"strings"
)

// TemplateKind names a template message configured under
// official_account.templates; a customer-service notice falls back to it when
// the resident has not written within 48 hours.
type TemplateKind string

// Template kinds (the keys of official_account.templates).
const (
	TemplateNone        TemplateKind = ""
	TemplateWishReply   TemplateKind = "wish_reply"
	TemplatePromotion   TemplateKind = "promotion"
	TemplateEventNotice TemplateKind = "event_notice"
	TemplateReminder    TemplateKind = "reminder"
)

// SubjectKind is the kind of stored thing a notice is about.
type SubjectKind string

// Subject kinds.
const (
	SubjectWish   SubjectKind = "wish"
	SubjectSignup SubjectKind = "signup"
	SubjectEvent  SubjectKind = "event"
	SubjectCrisis SubjectKind = "crisis" // a crisis message (CrisisEvent)
)

// Subject is the stored thing a notice is about: a wish, a sign-up, an event
// or a crisis message. The zero Subject is about nothing stored.
type Subject struct {
	Kind SubjectKind
	ID   uint64
}

// WishSubject, SignupSubject, EventSubject and CrisisSubject name a notice's subject.
func WishSubject(id uint64) Subject   { return Subject{Kind: SubjectWish, ID: id} }
func SignupSubject(id uint64) Subject { return Subject{Kind: SubjectSignup, ID: id} }
func EventSubject(id uint) Subject    { return Subject{Kind: SubjectEvent, ID: uint64(id)} }
func CrisisSubject(id uint64) Subject { return Subject{Kind: SubjectCrisis, ID: id} }

// IsZero reports a subject that names nothing.
func (s Subject) IsZero() bool { return s.Kind == "" || s.ID == 0 }

// NoticeKind is what a notice says; with its subject and variant it makes the
// notice's dedup key, so the values are the key prefixes stored since before
// notices had kinds, and must not change.
type NoticeKind string

// Notice kinds.
const (
	// To staff.
	NoticeWishNew       NoticeKind = "wish:new"    // a new wish (a card: 受理 / 转给我)
	NoticeWishAssigned  NoticeKind = "wish:assign" // a wish handed to a colleague; variant: user and time
	NoticeWishLowRating NoticeKind = "wish:rating" // a resident unsatisfied with the answer
	NoticeCrisisAlert   NoticeKind = "crisis"      // a crisis message (a card: 我来跟进); variant: resident and episode
	NoticeMissingAlert  NoticeKind = "missing"     // a missing child; variant: resident and hour
	NoticeHandoff       NoticeKind = "handoff"     // a resident asking for a person; variant: resident and hour
	NoticeCardUpdate    NoticeKind = "card:update" // a tapped card's new buttons; variant: the tap
	// To residents.
	NoticeWishReply       NoticeKind = "wishreply"          // staff replied to a wish; variant: the reply's number
	NoticeWishStatus      NoticeKind = "wishstatus"         // a wish accepted, rejected or reopened; variant: which
	NoticePromoted        NoticeKind = "promote:signup"     // a waitlisted sign-up got a place
	NoticeEventMoved      NoticeKind = "eventmoved:signup"  // the event's time or place changed; variant: the change
	NoticeEventCancelled  NoticeKind = "eventcancel:signup" // the event was called off
	NoticeSignupCancelled NoticeKind = "staffcancel:signup" // staff cancelled the sign-up
	NoticeReminder        NoticeKind = "remind:signup"      // the event is soon; variant: its start
	NoticeCrisisReply     NoticeKind = "crisisreply"        // staff's reply to a crisis message; variant: the words' hash
	NoticeLateAnswer      NoticeKind = "async"              // an answer that missed WeChat's 5 seconds; variant: the message and part
	NoticeOverflow        NoticeKind = "overflow"           // the rest of a reply too long for one message; variant: as above
)

// keyedBySubject reports whether the subject's id is part of the dedup key. A
// crisis alert goes out once per episode, whichever of its messages raised it,
// so its key names the episode (the variant) and not the message.
func (k NoticeKind) keyedBySubject() bool { return k != NoticeCrisisAlert }

// Notice is everything the outbox sends: to a resident (a customer-service
// message, falling back to a template) or to staff (a WeCom textcard or card).
// outbox.Notifier addresses it; the store writes it, inside the transaction of
// the change that causes it.
type Notice struct {
	Kind    NoticeKind
	About   Subject
	Variant string // tells notices of one kind about one subject apart (a reply's number, a time)
	Channel OutboxChannel
	To      []string // the resident's openid, or WeCom UserIDs
	Title   string
	Text    string
	URL     string // absolute
	// Fallback is the template ID sent instead when the 48-hour window has closed.
	Fallback string
	// Data is a card update's JSON (ChannelWeComUpdate); a card's subject is About.
	Data string
}

// DedupKey makes enqueueing idempotent: kind, subject id, variant, joined by
// colons ("wishreply:12:3", "promote:signup:42", "handoff:<openid>:2026120609").
// The parts are never read back from it.
func (n Notice) DedupKey() string {
	parts := []string{string(n.Kind)}
	if n.About.ID != 0 && n.Kind.keyedBySubject() {
		parts = append(parts, strconv.FormatUint(n.About.ID, 10))
	}
	if n.Variant != "" {
		parts = append(parts, n.Variant)
	}
	return strings.Join(parts, ":")
}

// Message is the outbox row the notice is stored as: the one place rows are made.
func (n Notice) Message() OutboxMessage {
	m := OutboxMessage{DedupKey: n.DedupKey(), Kind: n.Kind, Channel: n.Channel, SubjectKind: n.About.Kind, SubjectID: n.About.ID,
		To: strings.Join(n.To, "|"), Title: n.Title, Text: n.Text, URL: n.URL, FallbackTemplate: n.Fallback, Data: n.Data}
	if n.About.IsZero() {
		m.SubjectKind, m.SubjectID = "", 0
	}
	switch {
	case n.Channel == ChannelWeComCard && n.About.IsZero(): // no subject, no buttons: a plain textcard
		m.Channel = ChannelWeCom
	case n.Channel == ChannelWeComCard:
		m.Data = CardSubject{Kind: string(n.About.Kind), ID: n.About.ID}.JSON()
	}
	return m
}
