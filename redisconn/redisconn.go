// Package redisconn turns LOA_REDIS_URL into a connection: the one place
// where a Redis URL is read, for go-redis and for asynq alike, so the two
// always talk to the same server, Sentinel set or Cluster.
//
// Forms accepted:
//
//	redis://[user:password@]host:port[/db][?go-redis options]
//	rediss://…                                   (the same over TLS)
//	redis-sentinel://[user:password@]host:port[,host:port…][/db]?master=name[&sentinel_password=…]
//	rediss-sentinel://…                          (the same over TLS)
//	redis-cluster://[user:password@]host:port[,host:port…][?go-redis options]
//	rediss-cluster://…                           (the same over TLS)
//
// For Sentinel, the hosts are the sentinels; the user and password are the
// master's (and its replicas'), sentinel_password the sentinels' own if
// they require one. For Cluster, the hosts are seed nodes (any of them; the
// rest are discovered) and the database is always 0. The query takes
// go-redis's snake_case options (dial_timeout=3s, pool_size=50, …).
package redisconn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Kind of deployment a URL names.
const (
	KindSingle   = "single"
	KindSentinel = "sentinel"
	KindCluster  = "cluster"
)

// Conn is a parsed Redis URL. Build clients from it with Client (go-redis)
// and AsynqOpt (asynq); each call makes a new connection pool.
type Conn struct {
	kind     string
	single   *redis.Options
	failover *redis.FailoverOptions
	cluster  *redis.ClusterOptions
}

// ErrBadURL is wrapped by every error of Parse. No error quotes the URL,
// which may hold a password.
var ErrBadURL = errors.New("redisconn: not a valid Redis URL")

// Parse reads raw in one of the forms of the package documentation.
func Parse(raw string) (Conn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, password included.
		return Conn{}, fmt.Errorf("%w: it does not parse as a URL", ErrBadURL)
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Host == "" {
			return Conn{}, fmt.Errorf("%w: it names no host", ErrBadURL)
		}
		o, err := redis.ParseURL(raw)
		if err != nil {
			return Conn{}, cleanErr(err)
		}
		return Conn{kind: KindSingle, single: o}, nil
	case "redis-sentinel", "rediss-sentinel":
		return parseSentinel(u)
	case "redis-cluster", "rediss-cluster":
		return parseCluster(u)
	}
	return Conn{}, fmt.Errorf("%w: the scheme must be redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster", ErrBadURL)
}

// cleanErr keeps go-redis's reason but never a URL it might quote.
func cleanErr(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "://") || strings.Contains(msg, "@") {
		msg = "bad option or address"
	}
	return fmt.Errorf("%w: %s", ErrBadURL, strings.TrimPrefix(msg, "redis: "))
}

// hosts splits the comma-separated host list and checks each is host:port.
func hosts(u *url.URL) ([]string, error) {
	var out []string
	for _, h := range strings.Split(u.Host, ",") {
		host, port, err := net.SplitHostPort(strings.TrimSpace(h))
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || host == "" || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: each host must be host:port", ErrBadURL)
		}
		out = append(out, net.JoinHostPort(host, port))
	}
	return out, nil
}

// goRedisURL rewrites a multi-host URL as go-redis's own form (the first
// host, the others as addr= parameters) for its parsers, which read the
// tuning options of the query.
func goRedisURL(u *url.URL, addrs []string, q url.Values, path string) string {
	scheme := "redis"
	if strings.HasPrefix(u.Scheme, "rediss") {
		scheme = "rediss"
	}
	for _, a := range addrs[1:] {
		q.Add("addr", a)
	}
	r := url.URL{Scheme: scheme, User: u.User, Host: addrs[0], Path: path, RawQuery: q.Encode()}
	return r.String()
}

func parseSentinel(u *url.URL) (Conn, error) {
	addrs, err := hosts(u)
	if err != nil {
		return Conn{}, err
	}
	q := u.Query()
	master := q.Get("master")
	if master == "" {
		return Conn{}, fmt.Errorf("%w: a redis-sentinel URL needs ?master=name", ErrBadURL)
	}
	sentinelPassword := q.Get("sentinel_password")
	q.Del("master")
	q.Del("sentinel_password")
	q.Set("master_name", master)
	// The user and password go to the master below, not to the sentinels
	// as go-redis's own form would have it.
	o, err := redis.ParseFailoverURL(goRedisURL(&url.URL{Scheme: u.Scheme}, addrs, q, u.Path))
	if err != nil {
		return Conn{}, cleanErr(err)
	}
	o.Username = u.User.Username()
	o.Password, _ = u.User.Password()
	o.SentinelUsername, o.SentinelPassword = "", sentinelPassword
	return Conn{kind: KindSentinel, failover: o}, nil
}

func parseCluster(u *url.URL) (Conn, error) {
	addrs, err := hosts(u)
	if err != nil {
		return Conn{}, err
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return Conn{}, fmt.Errorf("%w: a Redis Cluster has only database 0", ErrBadURL)
	}
	o, err := redis.ParseClusterURL(goRedisURL(u, addrs, u.Query(), ""))
	if err != nil {
		return Conn{}, cleanErr(err)
	}
	return Conn{kind: KindCluster, cluster: o}, nil
}

// Kind is KindSingle, KindSentinel or KindCluster.
func (c Conn) Kind() string { return c.kind }

// Client makes a go-redis client for the URL: a plain, failover (Sentinel)
// or cluster client. The caller closes it.
func (c Conn) Client() redis.UniversalClient {
	switch c.kind {
	case KindSentinel:
		o := *c.failover
		return redis.NewFailoverClient(&o)
	case KindCluster:
		o := *c.cluster
		return redis.NewClusterClient(&o)
	}
	o := *c.single
	return redis.NewClient(&o)
}

// AsynqOpt is the same connection for asynq (asynqmon, or an asynq server
// or inspector that owns its client): asynq calls MakeRedisClient and
// gets what Client makes.
func (c Conn) AsynqOpt() asynq.RedisConnOpt { return asynqOpt{c} }

type asynqOpt struct{ c Conn }

func (o asynqOpt) MakeRedisClient() any { return o.c.Client() }
