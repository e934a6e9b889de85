package redisconn

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, url, kind string
		check           func(t *testing.T, c Conn)
	}{
		{"single", "redis://:pw@localhost:6379/2?dial_timeout=3s", KindSingle, func(t *testing.T, c Conn) {
			if c.single.Addr != "localhost:6379" || c.single.DB != 2 || c.single.Password != "pw" || c.single.DialTimeout != 3*time.Second {
				t.Errorf("options = %+v", c.single)
			}
		}},
		{"single tls", "rediss://localhost:6380", KindSingle, func(t *testing.T, c Conn) {
			if c.single.TLSConfig == nil {
				t.Error("no TLS")
			}
		}},
		{"sentinel", "redis-sentinel://:pw@s1:26379,s2:26380/3?master=mymaster&sentinel_password=sp&pool_size=7", KindSentinel, func(t *testing.T, c Conn) {
			o := c.failover
			if o.MasterName != "mymaster" || strings.Join(o.SentinelAddrs, ",") != "s1:26379,s2:26380" || o.DB != 3 ||
				o.Password != "pw" || o.SentinelPassword != "sp" || o.PoolSize != 7 || o.TLSConfig != nil {
				t.Errorf("options = %+v", o)
			}
		}},
		{"sentinel tls", "rediss-sentinel://s1:26379?master=m", KindSentinel, func(t *testing.T, c Conn) {
			if c.failover.TLSConfig == nil || c.failover.Password != "" {
				t.Errorf("options = %+v", c.failover)
			}
		}},
		{"cluster", "redis-cluster://u:pw@n1:7000,n2:7001,n3:7002?read_timeout=2s", KindCluster, func(t *testing.T, c Conn) {
			o := c.cluster
			if strings.Join(o.Addrs, ",") != "n1:7000,n2:7001,n3:7002" || o.Username != "u" || o.Password != "pw" || o.ReadTimeout != 2*time.Second {
				t.Errorf("options = %+v", o)
			}
		}},
		{"cluster db 0", "redis-cluster://n1:7000/0", KindCluster, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind() != tt.kind {
				t.Fatalf("kind = %s, want %s", c.Kind(), tt.kind)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			cl := c.Client()
			cl.Close()
			if _, ok := c.AsynqOpt().MakeRedisClient().(interface{ Close() error }); !ok {
				t.Error("AsynqOpt makes no client")
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, raw := range []string{
		"http://:secret@localhost:6379",
		"redis-sentinel://:secret@s1:26379/0",           // no master
		"redis-sentinel://:secret@s1:26379,s2?master=m", // no port
		"redis-cluster://:secret@n1:7000/1",             // db other than 0
		"redis-cluster://:secret@n1:0",
		"redis://:secret@localhost:6379/x",
		"redis://:secret@localhost:6379/0?no_such_option=1",
		"redis://:secret@local host:6379",
	} {
		_, err := Parse(raw)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("Parse(%q) = %v, want ErrBadURL", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Parse(%q) error quotes the password: %v", raw, err)
		}
	}
}
