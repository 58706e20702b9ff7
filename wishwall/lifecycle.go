package wishwall

import (
	"context"
	"strings"
	"unicode/utf8"

	"familybot/models"
)

// transitions lists the statuses each status may move to.
var transitions = map[models.WishStatus][]models.WishStatus{
	models.WishPending:    {models.WishAccepted, models.WishRejected},
	models.WishAccepted:   {models.WishInProgress, models.WishDone, models.WishRejected},
	models.WishInProgress: {models.WishDone},
}

// CanTransition reports whether a wish may move from one status to another.
func CanTransition(from, to models.WishStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses lists where a wish in status may go next.
func NextStatuses(status models.WishStatus) []models.WishStatus {
	return append([]models.WishStatus(nil), transitions[status]...)
}

// CanReply reports whether staff may send a reply in status (not after 不予受理).
func CanReply(status models.WishStatus) bool { return status != models.WishRejected }

// CanSee is the scope rule: admins see every wish; staff see their team's wishes
// and the wishes assigned to them.
func CanSee(st models.Staff, w models.Wish) bool {
	return st.IsAdmin() || (st.Team != "" && w.Team == st.Team) || (st.UserID != "" && w.AssignedTo == st.UserID)
}

// scope returns the inbox filter that applies CanSee in the database.
func (s *Service) scope(st models.Staff) models.WishFilter {
	now := s.Now.UTC()
	f := models.WishFilter{AcceptBy: now.Add(-AcceptWithin), FinishBy: now.Add(-FinishWithin)}
	if !st.IsAdmin() {
		f.Scoped, f.Team, f.AssignedTo = true, st.Team, st.UserID
	}
	return f
}

// Query is the inbox's filter. Status is a status code, "open" (the default:
// everything still needing work), "overdue", or "all".
type Query struct {
	Status   string
	Category string
	LowRated bool // only wishes rated models.WishLowRating or less
	Limit    int
}

// Inbox lists the wishes st may see, overdue first.
func (s *Service) Inbox(ctx context.Context, st models.Staff, q Query) ([]Detail, error) {
	f := s.scope(st)
	f.Category, f.Limit, f.LowRated = q.Category, q.Limit, q.LowRated
	switch q.Status {
	case "", "open":
		f.Statuses = models.WishOpenStatuses
	case "overdue":
		f.OverdueOnly = true
	case "all":
	default:
		f.Statuses = []models.WishStatus{models.WishStatus(q.Status)}
	}
	ws, err := s.Store.ListWishes(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.Now.UTC()
	out := make([]Detail, len(ws))
	for i, w := range ws {
		out[i] = Detail{Wish: w, Overdue: Overdue(w, now)}
	}
	return out, nil
}

// Counts returns the number of wishes st may see per status, and how many are overdue.
func (s *Service) Counts(ctx context.Context, st models.Staff) (map[models.WishStatus]int64, int64, error) {
	f := s.scope(st)
	byStatus, err := s.Store.CountWishesByStatus(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	overdue, err := s.Store.CountOverdueWishes(ctx, f)
	return byStatus, overdue, err
}

// Get returns a wish with its replies and history; EFORBID outside st's scope.
func (s *Service) Get(ctx context.Context, st models.Staff, id uint64) (Detail, error) {
	w, err := s.load(ctx, st, id)
	if err != nil {
		return Detail{}, err
	}
	rs, err := s.Store.ListWishReplies(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	evs, err := s.Store.ListWishEvents(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	return Detail{Wish: w, Replies: rs, Events: evs, Overdue: Overdue(w, s.Now.UTC())}, nil
}

func (s *Service) load(ctx context.Context, st models.Staff, id uint64) (models.Wish, error) {
	w, err := s.Store.GetWish(ctx, id)
	if err != nil {
		return w, err
	}
	if !CanSee(st, w) {
		return models.Wish{}, models.Errorf(models.EFORBID, "这条心愿不属于您的小组")
	}
	return w, nil
}

func event(st models.Staff, action, note string) models.WishEvent {
	return models.WishEvent{Actor: st.UserID, ActorName: st.Label(), Action: action, Note: note}
}

// transition moves a wish to status to, with an optional reply or reason.
func (s *Service) transition(ctx context.Context, st models.Staff, id uint64, to models.WishStatus, reply, reason string) (models.Wish, error) {
	defer s.WallCache.Forget()
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if !CanTransition(w.Status, to) {
		return w, models.Errorf(models.EINVALID, "“%s”的心愿不能改为“%s”", models.WishStatusLabel(w.Status), models.WishStatusLabel(to))
	}
	ch := models.WishChange{ID: id, From: w.Status, To: to, At: s.Now.UTC(), Event: event(st, models.WishActStatus, "")}
	switch to {
	case models.WishDone:
		if reply, err = checkReply(reply, "办结时请填写给居民的答复"); err != nil {
			return w, err
		}
		ch.Reply = &models.WishReply{StaffID: st.UserID, StaffName: st.Label(), Text: reply}
		ch.Event.Note = reply
	case models.WishRejected:
		if reason, err = checkReply(reason, "不予受理时请填写原因"); err != nil {
			return w, err
		}
		ch.Reason, ch.Event.Note = &reason, reason
	}
	ch.Notices = s.residentNotices(reply + reason)
	return s.Store.ChangeWish(ctx, ch)
}

func checkReply(text, missing string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", models.Errorf(models.EINVALID, "%s", missing)
	}
	if utf8.RuneCountInString(text) > MaxReply {
		return "", models.Errorf(models.EINVALID, "内容请不要超过%d个字", MaxReply)
	}
	return text, nil
}

// Accept moves a wish from 待受理 to 已受理 and tells the resident.
func (s *Service) Accept(ctx context.Context, st models.Staff, id uint64) (models.Wish, error) {
	return s.transition(ctx, st, id, models.WishAccepted, "", "")
}

// Start moves an accepted wish to 办理中.
func (s *Service) Start(ctx context.Context, st models.Staff, id uint64) (models.Wish, error) {
	return s.transition(ctx, st, id, models.WishInProgress, "", "")
}

// Finish closes a wish as 已办结 with a reply to the resident (required).
func (s *Service) Finish(ctx context.Context, st models.Staff, id uint64, reply string) (models.Wish, error) {
	return s.transition(ctx, st, id, models.WishDone, reply, "")
}

// Reopen takes a finished wish back to 办理中 (the answer did not solve it, a
// low rating, new information), with a reason the resident is told. The wish
// leaves the 回音壁 until it is finished again, and may be rated again then.
func (s *Service) Reopen(ctx context.Context, st models.Staff, id uint64, reason string) (models.Wish, error) {
	defer s.WallCache.Forget()
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if w.Status != models.WishDone {
		return w, models.Errorf(models.EINVALID, "只有已办结的心愿可以重新办理")
	}
	if reason, err = checkReply(reason, "重新办理时请填写原因，会告诉居民"); err != nil {
		return w, err
	}
	return s.Store.ChangeWish(ctx, models.WishChange{ID: id, From: w.Status, To: models.WishInProgress, At: s.Now.UTC(),
		Event: event(st, models.WishActStatus, reason), Notices: s.reopenNotices(reason)})
}

// Reject closes a wish as 不予受理 with a reason (required), sent to the resident.
func (s *Service) Reject(ctx context.Context, st models.Staff, id uint64, reason string) (models.Wish, error) {
	return s.transition(ctx, st, id, models.WishRejected, "", reason)
}

// Reply sends a reply to the resident without changing the status.
func (s *Service) Reply(ctx context.Context, st models.Staff, id uint64, text string) (models.Wish, error) {
	defer s.WallCache.Forget()
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if !CanReply(w.Status) {
		return w, models.Errorf(models.EINVALID, "不予受理的心愿不能再回复")
	}
	if text, err = checkReply(text, "请填写回复内容"); err != nil {
		return w, err
	}
	return s.Store.ChangeWish(ctx, models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(),
		Reply: &models.WishReply{StaffID: st.UserID, StaffName: st.Label(), Text: text},
		Event: event(st, models.WishActReply, text), Notices: s.residentNotices(text)})
}

// Assign hands a wish to a team and, optionally, a colleague (userID "" = nobody),
// and tells the colleague in WeCom.
func (s *Service) Assign(ctx context.Context, st models.Staff, id uint64, team, userID string) (models.Wish, error) {
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	if team != "" {
		if _, ok := models.WishCategoryByLabel(team); !ok {
			return w, models.Errorf(models.EINVALID, "没有这个小组")
		}
	} else {
		team = w.Team
	}
	note := "小组：" + models.WishCategoryLabel(team)
	var to models.Staff
	if userID != "" {
		if to, err = s.Store.GetStaff(ctx, userID); err != nil {
			return w, models.Errorf(models.EINVALID, "没有这位工作人员")
		}
		note += "；经办人：" + to.Label()
	} else {
		note += "；经办人：无"
	}
	ch := models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(), Team: &team, AssignTo: &userID,
		Event: event(st, models.WishActAssign, note)}
	if userID != "" && userID != st.UserID {
		ch.Notices = func(w models.Wish, _ int) []models.Notice { return s.assignNotices(w, userID) }
	}
	return s.Store.ChangeWish(ctx, ch)
}

// SetWallHidden keeps a public wish off the 回音壁 (or shows it again).
func (s *Service) SetWallHidden(ctx context.Context, st models.Staff, id uint64, hidden bool) (models.Wish, error) {
	defer s.WallCache.Forget()
	w, err := s.load(ctx, st, id)
	if err != nil {
		return w, err
	}
	note := "在回音壁展示"
	if hidden {
		note = "不在回音壁展示"
	}
	return s.Store.ChangeWish(ctx, models.WishChange{ID: id, From: w.Status, To: w.Status, At: s.Now.UTC(), WallHidden: &hidden,
		Event: event(st, models.WishActWall, note)})
}
