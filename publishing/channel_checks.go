package publishing

import (
	"context"
	"encoding/json"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

// checkTimeout bounds one connection check against a platform.
const checkTimeout = 30 * time.Second

// CheckOutcome is the answer to "Kiểm tra kết nối". Reason is Vietnamese,
// for the person fixing the channel; Detail is technical, never a secret.
type CheckOutcome struct {
	OK bool
	// Checked is false when the kind has no check (OK is then true).
	Checked     bool
	Account     string
	Reason      string
	Detail      string
	NeedsReauth bool
}

// TestChannel verifies the channel's credentials against the platform
// without publishing, and flags or clears "needs re-authorisation".
func (a *ChannelAdmin) TestChannel(ctx context.Context, by storage.User, id int64) (CheckOutcome, error) {
	ch, err := a.Channel(ctx, by, id, ManageChannels)
	if err != nil {
		return CheckOutcome{}, err
	}
	return a.check(ctx, by, ch)
}

func (a *ChannelAdmin) check(ctx context.Context, by storage.User, ch storage.Channel) (CheckOutcome, error) {
	adapter, err := a.set.Build(ch)
	if err != nil {
		a.pub.log.Warn("channel test: cannot build channel", "channel_id", ch.ID, "err", err)
		return CheckOutcome{Checked: true,
			Reason: "Cấu hình kênh không hợp lệ hoặc không giải mã được; hãy nhập lại thông tin kết nối."}, nil
	}
	defer adapter.Close()
	checker, ok := adapter.(channels.Checker)
	if !ok {
		return CheckOutcome{OK: true,
			Reason: "Loại kênh này không có phép kiểm tra kết nối; hãy xem nhật ký gửi sau lần đăng đầu tiên."}, nil
	}
	checkCtx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	res := checker.Check(checkCtx)
	if err := a.recordCheck(ctx, by, ch, res); err != nil {
		return CheckOutcome{}, err
	}
	return CheckOutcome{OK: res.OK, Checked: true, Account: res.Account, Reason: res.Reason, Detail: res.Detail,
		NeedsReauth: res.NeedsReauth}, nil
}

// recordCheck flags a channel whose credentials the platform refused, and
// clears the flag once they work again.
func (a *ChannelAdmin) recordCheck(ctx context.Context, by storage.User, ch storage.Channel, res channels.CheckResult) error {
	switch {
	case res.NeedsReauth:
		return a.store.SetChannelStatus(ctx, ch.ID, storage.ChannelNeedsReauth, res.Reason, ActorName(by))
	case res.OK && ch.Status == storage.ChannelNeedsReauth:
		return a.store.SetChannelStatus(ctx, ch.ID, storage.ChannelActive, "", ActorName(by))
	}
	return nil
}

// Reauthorise is "Xác thực lại": it stores the credentials entered anew
// (config, merged like any change) and sets the channel active again, as
// a change with status active does through the API, then checks the
// connection, which flags the channel again if the platform still refuses.
func (a *ChannelAdmin) Reauthorise(ctx context.Context, by storage.User, id int64, config json.RawMessage) (storage.Channel, CheckOutcome, error) {
	active := storage.ChannelActive
	ch, err := a.UpdateChannel(ctx, by, id, ChannelInput{Config: config, Status: &active})
	if err != nil {
		return ch, CheckOutcome{}, err
	}
	out, err := a.check(ctx, by, ch)
	if err != nil {
		return ch, out, err
	}
	ch, err = a.store.GetChannel(ctx, id)
	return ch, out, err
}
