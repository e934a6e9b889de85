package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// ServerOptions tune the asynq server that runs deliveries.
type ServerOptions struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	// PollInterval is how often due scheduled and retry tasks are moved to
	// pending, and how often an idle worker looks for work; it bounds lag.
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Server runs the Deliverer on asynq.
type Server struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	d   *Deliverer
}

// DefaultPollInterval bounds the lag of a due delivery: asynq moves due
// tasks to the queue at this interval, and an idle server looks for work
// at about it. Idle, it costs a worker two small Redis scripts per interval.
const DefaultPollInterval = 200 * time.Millisecond

// NewServer wires the deliverer into an asynq server on rdb.
func NewServer(rdb redis.UniversalClient, d *Deliverer, o ServerOptions) *Server {
	poll := o.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              o.Concurrency,
		Queues:                   map[string]int{QueueDeliveries: 1},
		ShutdownTimeout:          o.ShutdownTimeout,
		TaskCheckInterval:        poll,
		DelayedTaskCheckInterval: poll,
		RetryDelayFunc:           retryDelay,
		IsFailure:                isFailure,
		Logger:                   asynqLogger{o.Logger},
		LogLevel:                 asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			if isFailure(err) {
				o.Logger.Warn("task failed", "task_type", t.Type(), "err", err)
			}
		}),
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeDeliver, d)
	return &Server{srv: srv, mux: mux, d: d}
}

// Start begins processing in the background.
func (s *Server) Start() error {
	if err := s.srv.Start(s.mux); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	return nil
}

// Shutdown stops fetching and waits for running tasks up to the timeout;
// unfinished ones go back to the queue, their leases released.
func (s *Server) Shutdown() {
	s.srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	s.d.ReleaseInFlight(ctx)
}

// retryDelay honours the time the handler already stored in the database.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	var ra *retryAt
	if errors.As(err, &ra) {
		return max(time.Until(ra.at), 0)
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

// isFailure keeps deferrals (not due yet, held by another worker) out of
// asynq's failure counts.
func isFailure(err error) bool {
	var ra *retryAt
	if errors.As(err, &ra) {
		return ra.failure
	}
	return err != nil
}

// AsynqLogger sends asynq's own logs to log.
func AsynqLogger(log *slog.Logger) asynq.Logger { return asynqLogger{log} }

// asynqLogger sends asynq's own logs to slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Fatal(args ...any) {
	l.log.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
