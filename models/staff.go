package models

import "time"

// Staff roles: staff see their team's wishes and those assigned to them; admins
// see everything and manage the staff list; reviewers are the association's
// doctors: staff who also record the medical review of knowledge entries;
// managers are staff who also read the service report.
const (
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
	RoleReviewer = "reviewer"
	RoleManager  = "manager"
)

// RoleNames are the roles as staff read them.
var RoleNames = map[string]string{RoleStaff: "工作人员", RoleAdmin: "管理员", RoleReviewer: "医学审核", RoleManager: "负责人"}

// Staff is a WeCom member allowed into the admin. Being a member of the WeCom
// corporation is not enough: only UserIDs in this table get in.
type Staff struct {
	UserID    string `gorm:"type:varchar(64);primaryKey"`
	Name      string `gorm:"type:varchar(64)"`
	Role      string `gorm:"type:varchar(16)"`
	Team      string `gorm:"type:varchar(32)"` // a wish category code, or empty (assigned wishes only)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name readable ("staff", not gorm's "staffs").
func (Staff) TableName() string { return "staff" }

// IsAdmin reports whether the staff member has the admin role.
func (s Staff) IsAdmin() bool { return s.Role == RoleAdmin }

// CanReport reports whether the staff member may read the service report.
func (s Staff) CanReport() bool { return s.Role == RoleAdmin || s.Role == RoleManager }

// IsReviewer reports whether the staff member may record medical reviews.
func (s Staff) IsReviewer() bool { return s.Role == RoleReviewer }

// Label is the name to show, falling back to the UserID.
func (s Staff) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.UserID
}

// Validate checks a staff record before it is stored.
func (s Staff) Validate() error {
	if s.UserID == "" || len(s.UserID) > 64 {
		return Errorf(EINVALID, "UserID 不能为空，且不超过64个字符")
	}
	for _, r := range s.UserID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == '@') {
			return Errorf(EINVALID, "UserID 只能包含字母、数字和 _ - . @")
		}
	}
	if _, ok := RoleNames[s.Role]; !ok {
		return Errorf(EINVALID, "角色只能是 staff、admin、reviewer 或 manager")
	}
	if s.Team != "" {
		if _, ok := wishCategoryLabels[s.Team]; !ok {
			return Errorf(EINVALID, "小组只能是 life、health、activity、policy、other 之一，或留空")
		}
	}
	if len([]rune(s.Name)) > 32 {
		return Errorf(EINVALID, "姓名不超过32个字")
	}
	return nil
}

// AdminSession is a logged-in staff session, kept server-side. ID is the SHA-256
// of the cookie value, so the table alone cannot be used to log in. CSRF is the
// session's synchronizer token for forms.
type AdminSession struct {
	ID         string    `gorm:"type:varchar(64);primaryKey"`
	UserID     string    `gorm:"type:varchar(64);index"`
	CSRF       string    `gorm:"type:varchar(64)"`
	ExpiresAt  time.Time `gorm:"index"`
	LastSeenAt time.Time
	CreatedAt  time.Time
}

// OAuthState is a one-time WeCom login state, bound to the browser that started
// the login by the hash of a short-lived pre-login cookie.
type OAuthState struct {
	State     string    `gorm:"type:varchar(64);primaryKey"`
	Binding   string    `gorm:"type:varchar(64)"`
	Next      string    `gorm:"type:varchar(255)"`
	ExpiresAt time.Time `gorm:"index"`
	CreatedAt time.Time
}

// TableName keeps the table name readable ("oauth_states", not "o_auth_states").
func (OAuthState) TableName() string { return "oauth_states" }

// AuditLog records who did what and when in the admin, including every view of
// sensitive data (never the data itself).
type AuditLog struct {
	ID        uint64    `gorm:"primaryKey"`
	Actor     string    `gorm:"type:varchar(64);index"`
	Action    string    `gorm:"type:varchar(32);index"`
	Object    string    `gorm:"type:varchar(64)"`
	Detail    string    `gorm:"type:varchar(512)"`
	IP        string    `gorm:"type:varchar(64)"`
	CreatedAt time.Time `gorm:"index"`
	// Times counts the attempts a summary row stands for (failed logins: one
	// row per action, client and minute); 1 for an ordinary record.
	Times int `gorm:"not null;default:1"`
	// Summary is the summary row's key (action, client, minute); NULL otherwise.
	Summary *string `gorm:"type:varchar(160);uniqueIndex:idx_audit_summary"`
}

// AuditFilter selects audit records; zero fields select everything.
type AuditFilter struct {
	Actor  string    // the staff UserID ("anonymous" for attempts without a session)
	Action string    // an action code, or a group of them ending in "." ("login.")
	From   time.Time // CreatedAt ≥ From
	To     time.Time // CreatedAt < To
}
