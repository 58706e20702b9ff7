package store

import (
	"context"
	"strconv"
	"time"

	"familybot/models"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CreateWish stores a new wish, its "create" history row and the notices
// built by msgs, in one transaction. When perDay > 0 the resident's counter for
// day is raised by a conditional update first; at the limit nothing is stored and
// the error is ELIMIT. A deadlock between residents' inserts is retried.
func (s *Store) CreateWish(ctx context.Context, w *models.Wish, perDay int, day string, msgs func(models.Wish) []models.Notice) error {
	return s.lockedTx(ctx, func(tx *gorm.DB) error {
		w.ID = 0 // a retried attempt starts afresh
		if perDay > 0 {
			q := models.WishQuota{OpenID: w.OpenID, Day: day}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&q).Error; err != nil {
				return err
			}
			res := tx.Model(&models.WishQuota{}).Where("open_id = ? AND day = ? AND n < ?", w.OpenID, day, perDay).
				Update("n", gorm.Expr("n + 1"))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return models.Errorf(models.ELIMIT, "today's wishes are used up")
			}
		}
		if err := tx.Create(w).Error; err != nil {
			return mapErr(err, "wish")
		}
		ev := models.WishEvent{WishID: w.ID, Actor: "resident", Action: models.WishActCreate, ToStatus: w.Status, CreatedAt: w.CreatedAt}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return enqueueAll(tx, msgs, *w, w.CreatedAt)
	})
}

// WishesOnDay returns how many wishes the resident left on day (as counted for the limit).
func (s *Store) WishesOnDay(ctx context.Context, openID, day string) (int, error) {
	var q models.WishQuota
	err := s.DB.WithContext(ctx).Where("open_id = ? AND day = ?", openID, day).Limit(1).Find(&q).Error
	return q.N, err
}

// GetWish returns one wish, or ENOTFOUND.
func (s *Store) GetWish(ctx context.Context, id uint64) (models.Wish, error) {
	var w models.Wish
	err := s.DB.WithContext(ctx).Take(&w, id).Error
	return w, mapErr(err, "wish")
}

// ListWishReplies returns a wish's replies in order.
func (s *Store) ListWishReplies(ctx context.Context, wishID uint64) ([]models.WishReply, error) {
	var out []models.WishReply
	err := s.DB.WithContext(ctx).Where("wish_id = ?", wishID).Order("n").Find(&out).Error
	return out, err
}

// ListWishRepliesFor returns the replies of several wishes, keyed by wish.
func (s *Store) ListWishRepliesFor(ctx context.Context, wishIDs []uint64) (map[uint64][]models.WishReply, error) {
	out := map[uint64][]models.WishReply{}
	if len(wishIDs) == 0 {
		return out, nil
	}
	var rows []models.WishReply
	if err := s.DB.WithContext(ctx).Where("wish_id IN ?", wishIDs).Order("wish_id, n").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.WishID] = append(out[r.WishID], r)
	}
	return out, nil
}

// ListWishEvents returns a wish's history, oldest first.
func (s *Store) ListWishEvents(ctx context.Context, wishID uint64) ([]models.WishEvent, error) {
	var out []models.WishEvent
	err := s.DB.WithContext(ctx).Where("wish_id = ?", wishID).Order("created_at, id").Find(&out).Error
	return out, err
}

// ListWishesByOpenID returns a resident's wishes, newest first.
func (s *Store) ListWishesByOpenID(ctx context.Context, openID string, limit int) ([]models.Wish, error) {
	var out []models.Wish
	err := s.DB.WithContext(ctx).Where("open_id = ?", openID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ListWallWishes returns the latest finished wishes residents agreed to show and
// staff did not hide, for the 回音壁.
func (s *Store) ListWallWishes(ctx context.Context, limit int) ([]models.Wish, error) {
	var out []models.Wish
	err := s.DB.WithContext(ctx).Where("status = ? AND public = ? AND wall_hidden = ?", models.WishDone, true, false).
		Order("finished_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// overdueExpr ranks overdue wishes 0 and the rest 1.
const overdueExpr = "CASE WHEN status = ? AND created_at < ? THEN 0 WHEN status IN ? AND created_at < ? THEN 0 ELSE 1 END"

func wishScope(db *gorm.DB, f models.WishFilter) *gorm.DB {
	if len(f.Statuses) > 0 {
		db = db.Where("status IN ?", f.Statuses)
	}
	if f.Category != "" {
		db = db.Where("category = ?", f.Category)
	}
	if f.Scoped {
		db = db.Where("(team = ? AND team <> '') OR assigned_to = ?", f.Team, f.AssignedTo)
	}
	if f.LowRated {
		db = db.Where("rating BETWEEN 1 AND ?", models.WishLowRating)
	}
	if f.NotFollowedUp {
		db = db.Where("followed_up_at IS NULL")
	}
	return db
}

// CountWishes counts the wishes f selects (limit and overdue ignored).
func (s *Store) CountWishes(ctx context.Context, f models.WishFilter) (int64, error) {
	var n int64
	err := wishScope(s.DB.WithContext(ctx).Model(&models.Wish{}), f).Count(&n).Error
	return n, err
}

// ListWishes returns the staff inbox: overdue first, then open wishes oldest
// first (first come, first served), then finished ones newest first.
func (s *Store) ListWishes(ctx context.Context, f models.WishFilter) ([]models.Wish, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	db := wishScope(s.DB.WithContext(ctx).Model(&models.Wish{}), f)
	if f.OverdueOnly {
		db = db.Where(overdueExpr+" = 0", models.WishPending, f.AcceptBy.UTC(), models.WishOpenStatuses, f.FinishBy.UTC())
	}
	var out []models.Wish
	err := db.Clauses(clause.OrderBy{Expression: clause.Expr{
		SQL: overdueExpr + ", CASE WHEN status IN ? THEN 0 ELSE 1 END, CASE WHEN status IN ? THEN created_at END ASC, id DESC",
		Vars: []any{models.WishPending, f.AcceptBy.UTC(), models.WishOpenStatuses, f.FinishBy.UTC(),
			models.WishOpenStatuses, models.WishOpenStatuses},
	}}).Limit(f.Limit).Find(&out).Error
	return out, err
}

// CountWishesByStatus counts the wishes visible through f (status and limit ignored).
func (s *Store) CountWishesByStatus(ctx context.Context, f models.WishFilter) (map[models.WishStatus]int64, error) {
	f.Statuses = nil
	var rows []struct {
		Status models.WishStatus
		N      int64
	}
	err := wishScope(s.DB.WithContext(ctx).Model(&models.Wish{}), f).Select("status, count(*) AS n").Group("status").Scan(&rows).Error
	out := map[models.WishStatus]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

// CountOverdueWishes counts overdue wishes visible through f.
func (s *Store) CountOverdueWishes(ctx context.Context, f models.WishFilter) (int64, error) {
	f.Statuses = nil
	var n int64
	err := wishScope(s.DB.WithContext(ctx).Model(&models.Wish{}), f).
		Where(overdueExpr+" = 0", models.WishPending, f.AcceptBy.UTC(), models.WishOpenStatuses, f.FinishBy.UTC()).Count(&n).Error
	return n, err
}

// ChangeWish applies one staff change (see models.WishChange) in a transaction.
// The conditional update on the status makes two staff acting at once safe: the
// second gets ECONFLICT and nothing of theirs is stored.
func (s *Store) ChangeWish(ctx context.Context, ch models.WishChange) (models.Wish, error) {
	var w models.Wish
	at := ch.At.UTC()
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		set := map[string]any{"status": ch.To, "updated_at": at}
		if ch.To != ch.From {
			switch ch.To {
			case models.WishAccepted, models.WishInProgress:
				if ch.From == models.WishPending {
					set["accepted_at"] = at
				}
			case models.WishDone, models.WishRejected:
				set["finished_at"] = at
			}
			if ch.From == models.WishDone { // reopened: open again, and its next answer may be rated
				set["finished_at"] = nil
				set["rating"], set["rated_at"], set["followed_up_at"] = 0, nil, nil
			}
		}
		if ch.Reason != nil {
			set["reason"] = *ch.Reason
		}
		if ch.AssignTo != nil {
			set["assigned_to"] = *ch.AssignTo
		}
		if ch.Team != nil {
			set["team"] = *ch.Team
		}
		if ch.WallHidden != nil {
			set["wall_hidden"] = *ch.WallHidden
		}
		if ch.PublicReply != nil {
			set["public_reply"] = *ch.PublicReply
		}
		if ch.FollowedUp {
			set["followed_up_at"] = at
		}
		if ch.Category != nil {
			set["category"] = *ch.Category
		}
		if ch.Reply != nil {
			set["reply_count"] = gorm.Expr("reply_count + 1")
		}
		res := tx.Model(&models.Wish{}).Where("id = ? AND status = ?", ch.ID, ch.From).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		// The update above holds the wish's row lock until commit, so reading the
		// reply count here and numbering the reply cannot race another reply.
		if err := tx.Take(&w, ch.ID).Error; err != nil {
			return mapErr(err, "wish")
		}
		// MySQL reports 0 rows for a matched row whose values did not change, so
		// decide on the status read back rather than on RowsAffected alone.
		if res.RowsAffected != 1 && w.Status != ch.From {
			return models.Errorf(models.ECONFLICT, "wish changed meanwhile")
		}
		n := 0
		if ch.Reply != nil {
			r := *ch.Reply
			r.WishID, r.N, r.CreatedAt = w.ID, w.ReplyCount, at
			if err := tx.Create(&r).Error; err != nil {
				return mapErr(err, "reply")
			}
			n = r.N
		}
		ev := ch.Event
		ev.WishID, ev.FromStatus, ev.ToStatus, ev.CreatedAt = w.ID, ch.From, ch.To, at
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if ch.Notices == nil {
			return nil
		}
		_, err := enqueue(tx, at, ch.Notices(w, n)...)
		return err
	})
	return w, err
}

// RateWish stores a resident's 1–5 rating of a finished wish, once. It returns
// ENOTFOUND for someone else's wish, EINVALID before 办结 and ECONFLICT when
// already rated.
func (s *Store) RateWish(ctx context.Context, id uint64, openID string, score int, at time.Time, msgs func(models.Wish) []models.Notice) (models.Wish, error) {
	var w models.Wish
	at = at.UTC()
	err := s.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.Wish{}).Where("id = ? AND open_id = ? AND status = ? AND rating = 0", id, openID, models.WishDone).
			Updates(map[string]any{"rating": score, "rated_at": at, "updated_at": at})
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Take(&w, id).Error; err != nil || w.OpenID != openID {
			return models.Errorf(models.ENOTFOUND, "wish not found")
		}
		if res.RowsAffected != 1 {
			if w.Status != models.WishDone {
				return models.Errorf(models.EINVALID, "wish not finished")
			}
			return models.Errorf(models.ECONFLICT, "already rated")
		}
		ev := models.WishEvent{WishID: id, Actor: "resident", Action: models.WishActRate, FromStatus: w.Status, ToStatus: w.Status,
			Note: strconv.Itoa(score), CreatedAt: at}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return enqueueAll(tx, msgs, w, at)
	})
	return w, err
}

func enqueueAll(tx *gorm.DB, msgs func(models.Wish) []models.Notice, w models.Wish, at time.Time) error {
	if msgs == nil {
		return nil
	}
	_, err := enqueue(tx, at, msgs(w)...)
	return err
}
