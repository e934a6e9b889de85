package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/configs"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/redisconn"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/web"
	"github.com/loa-vn/loa/worker"
)

// deps is everything the commands share, opened in order and closed in reverse.
type deps struct {
	cfg      configs.Config
	log      *slog.Logger
	store    *storage.Store
	box      *secrets.Box
	registry *channels.Registry
	guard    *outbound.Guard
	channels *adapters.ChannelSet
	embedded *worker.EmbeddedRedis
	rdb      redis.UniversalClient
	// redis is the parsed LOA_REDIS_URL, for what opens its own connection (asynqmon).
	redis   redisconn.Conn
	closers []func()
}

func (d *deps) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

func openStore(ctx context.Context, cfg configs.Config) (*storage.Store, error) {
	return storage.Open(ctx, storage.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, RootAgencyName: cfg.AgencyName})
}

// openDeps opens the database (migrating it if allowed), the key and Redis.
func openDeps(ctx context.Context, cfg configs.Config, log *slog.Logger, autoMigrate bool) (*deps, error) {
	// Every request Loa makes for a channel or a feed goes through the guard.
	d := &deps{cfg: cfg, log: log, guard: outbound.New(outbound.Options{AllowPrivate: cfg.AllowedPrivate})}
	ok := false
	defer func() {
		if !ok {
			d.close()
		}
	}()
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d.store = store
	d.closers = append(d.closers, func() { store.Close() })
	if err := prepareSchema(ctx, store, autoMigrate, log); err != nil {
		return nil, err
	}
	if d.box, err = openBox(cfg); err != nil {
		return nil, err
	}
	if d.registry, err = channels.NewRegistry(webhook.Kind(), rss.Kind(), facebook.Kind(),
		wordpress.Kind(), radio.Kind(), zalo.Kind(worker.NewConfigStore(store, d.box))); err != nil {
		return nil, err
	}
	d.channels = adapters.NewChannelSet(d.registry, d.box, d.channelEnv())
	d.closers = append(d.closers, d.channels.Close)
	if err := d.openRedis(ctx); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

func prepareSchema(ctx context.Context, store *storage.Store, autoMigrate bool, log *slog.Logger) error {
	if autoMigrate {
		applied, err := store.Migrate(ctx)
		for _, name := range applied {
			log.Info("applied migration", "migration", name)
		}
		return err
	}
	pending, err := store.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if pending > 0 {
		return fmt.Errorf("the database schema is %d migration(s) behind; run `loa migrate` first", pending)
	}
	return nil
}

func openBox(cfg configs.Config) (*secrets.Box, error) {
	var key []byte
	var err error
	if cfg.SecretKey != "" {
		key, err = cfg.SecretKeyBytes()
	} else {
		key, err = secrets.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "secret.key"))
	}
	if err != nil {
		return nil, err
	}
	return secrets.NewBox(key)
}

func (d *deps) openRedis(ctx context.Context) error {
	url := d.cfg.RedisURL
	if url == "" {
		e, err := worker.StartEmbeddedRedis()
		if err != nil {
			return err
		}
		d.embedded = e
		d.closers = append(d.closers, e.Close)
		url = e.URL()
	}
	conn, err := redisconn.Parse(url)
	if err != nil {
		return errors.New("LOA_REDIS_URL is not a valid Redis URL")
	}
	d.redis = conn
	rdb := conn.Client()
	d.rdb = rdb
	d.closers = append(d.closers, func() { rdb.Close() })
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		// Not fatal: the database is the source of truth and the reconciler
		// queues everything once Redis answers.
		d.log.Warn("redis does not answer yet", "redis", configs.Redact(url), "err", err)
	}
	return nil
}

func (d *deps) channelEnv() channels.Env {
	return channels.Env{
		HTTPClient:    d.guard.Client(30 * time.Second),
		PublicBaseURL: d.cfg.PublicURL,
		Logger:        d.log,
		Location:      d.cfg.Location,
	}
}

func migrate(ctx context.Context, cfg configs.Config, stdout io.Writer) error {
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	applied, err := store.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	if err == nil && len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	return err
}

// bootstrapAdmin makes LOA_ADMIN_TOKEN an admin token, or on first start
// with no users creates one and prints it once (only its hash is kept).
func bootstrapAdmin(ctx context.Context, d *deps, stdout io.Writer) error {
	if d.cfg.AdminToken != "" {
		return d.store.EnsureEnvAdmin(ctx, api.HashToken(d.cfg.AdminToken))
	}
	token := api.NewToken()
	created, err := d.store.CreateFirstAdmin(ctx, "admin", api.HashToken(token))
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(stdout, "\nLoa created the first admin API token. It is shown only this once; keep it safe:\n\n    %s\n\n", token)
	u, err := d.store.UserByName(ctx, "admin")
	if err != nil {
		return err
	}
	link, err := web.NewSetupLink(ctx, d.store, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "To sign in to the web UI, open this one-time link within 24 hours and set the password of user \"admin\"\n"+
		"(Để đăng nhập giao diện web, mở liên kết dùng một lần này trong 24 giờ và đặt mật khẩu cho người dùng \"admin\"):\n\n    %s%s\n\n",
		strings.TrimRight(d.cfg.PublicURL, "/"), link)
	return nil
}

func createToken(ctx context.Context, cfg configs.Config, name, role string, stdout io.Writer) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("token: --name is required")
	}
	if role != storage.RoleOfficer && role != storage.RoleEditor && role != storage.RoleAdmin {
		return errors.New("token: --role must be officer, editor or admin")
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := prepareSchema(ctx, store, true, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return err
	}
	token := api.NewToken()
	u, err := store.CreateUserWithToken(ctx, name, role, api.HashToken(token))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %d (%s, %s); API token, shown only once:\n%s\n", u.ID, u.Name, u.Role, token)
	return nil
}
