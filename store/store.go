// Package store is familybot's storage: the only importer of gorm drivers. One
// file per aggregate; the same code runs on SQLite (default) and MySQL/MariaDB.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"familybot/models"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store wraps the gorm handle. Every method takes a context first.
type Store struct {
	DB     *gorm.DB
	Driver string
	Now    func() time.Time
}

// Open connects, checks the connection, and migrates the schema.
func Open(ctx context.Context, driver, dsn string, log *slog.Logger) (*Store, error) {
	var dial gorm.Dialector
	switch driver {
	case "sqlite":
		dial = sqlite.Open(sqliteDSN(dsn))
	case "mysql":
		dial = mysql.Open(mysqlDSN(dsn))
	default:
		return nil, fmt.Errorf("database.driver %q is unknown: use sqlite or mysql", driver)
	}
	gl := logger.Discard
	db, err := gorm.Open(dial, &gorm.Config{
		TranslateError: true, // 1062 / UNIQUE failures become gorm.ErrDuplicatedKey
		// A single statement is atomic on its own; explicit s.Tx keeps multi-statement
		// work transactional. Without this every write pays BEGIN/COMMIT round trips.
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		Logger:                 gl,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot reach the %s database: %v", driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if driver == "sqlite" {
		// One writer at a time: SQLite serialises writes anyway, and a single
		// connection turns "database is locked" errors into orderly waiting.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(50)
		sqlDB.SetMaxIdleConns(25)
		// MariaDB closes idle connections after wait_timeout; recycle before that.
		sqlDB.SetConnMaxLifetime(9 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		return nil, fmt.Errorf("cannot reach the %s database: %v", driver, err)
	}
	s := &Store{DB: db, Driver: driver, Now: func() time.Time { return time.Now().UTC() }}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// tables is every table familybot keeps: the models' entities, then the two
// the admin's knowledge pages keep in this package. Migrate creates them.
func tables() []any {
	return []any{
		&models.CrisisNote{},
		&models.Event{}, &models.Signup{},
		&models.Handoff{},
		&models.InboxMessage{}, &models.ProcessedMessage{},
		&models.KBEntry{}, &models.KBRule{}, &models.KBFeedback{}, &models.KBReview{},
		&models.Message{}, &models.Conversation{}, &models.Resident{}, &models.CrisisEvent{},
		&models.DataMigration{},
		&models.OutboxMessage{},
		&models.Staff{}, &models.AdminSession{}, &models.OAuthState{}, &models.AuditLog{},
		&models.Wish{}, &models.WishReply{}, &models.WishEvent{}, &models.WishQuota{},
		&KBHandledQuestion{}, &models.KBWrongAnswer{},
	}
}

// Migrate creates or updates every table in tables (utf8mb4 on MySQL).
func (s *Store) Migrate(ctx context.Context) error {
	db := s.DB.WithContext(ctx)
	if s.Driver == "mysql" {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	if err := db.AutoMigrate(tables()...); err != nil {
		return fmt.Errorf("database migration failed: %v", err)
	}
	if err := s.maskStoredMessages(ctx); err != nil {
		return fmt.Errorf("masking numbers in the message log failed: %v", err)
	}
	if err := s.fillNoticeColumns(ctx); err != nil {
		return fmt.Errorf("filling the outbox's notice columns failed: %v", err)
	}
	return nil
}

// Ping checks the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in a transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.DB.WithContext(ctx).Transaction(fn)
}

// mapErr turns gorm errors into domain errors.
func mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.Errorf(models.ENOTFOUND, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return models.Errorf(models.ECONFLICT, "%s already exists", what)
	}
	return err
}

func sqliteDSN(dsn string) string {
	if strings.Contains(dsn, "_pragma") || strings.HasPrefix(dsn, "file::memory:") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
}

func mysqlDSN(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			if strings.Contains(dsn, "?") {
				dsn += "&" + k + "=" + v
			} else {
				dsn += "?" + k + "=" + v
			}
		}
	}
	add("charset", "utf8mb4")
	add("parseTime", "true")
	add("loc", "UTC")
	// Send statements with their arguments in one round trip instead of
	// prepare/execute/close (safe with utf8mb4).
	add("interpolateParams", "true")
	// Fail fast when the database is down, so the webhook still answers in time.
	add("timeout", "3s")
	add("readTimeout", "10s")
	add("writeTimeout", "10s")
	return dsn
}
