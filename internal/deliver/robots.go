package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"duban/internal/notify"
)

// postRobot sends text to a unit's group robot and checks the robot's
// answer (each answers HTTP 200 with an error code in JSON).
func postRobot(ctx context.Context, client *http.Client, ch notify.UnitChannels, title, text string, now time.Time) error {
	endpoint := ch.URL
	var body any
	switch ch.Robot {
	case notify.RobotWeCom:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": "**" + title + "**\n" + text}}
	case notify.RobotDingTalk:
		if ch.Secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			mac := hmac.New(sha256.New, []byte(ch.Secret))
			mac.Write([]byte(ts + "\n" + ch.Secret))
			sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
			sep := "?"
			if u, err := url.Parse(endpoint); err == nil && u.RawQuery != "" {
				sep = "&"
			}
			endpoint += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(sign)
		}
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": "### " + title + "\n" + text}}
	case notify.RobotFeishu:
		m := map[string]any{"msg_type": "text", "content": map[string]string{"text": title + "\n" + text}}
		if ch.Secret != "" {
			ts := strconv.FormatInt(now.Unix(), 10)
			mac := hmac.New(sha256.New, []byte(ts+"\n"+ch.Secret))
			m["timestamp"], m["sign"] = ts, base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
		body = m
	default:
		return fmt.Errorf("robot: the unit has no group robot configured")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("robot: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("robot %s: %w", ch.Robot, redactURL(err, ch.URL))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("robot %s: HTTP %d: %s", ch.Robot, res.StatusCode, clip(string(raw), 200))
	}
	var ans struct {
		ErrCode    *int   `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("robot %s: unexpected answer: %s", ch.Robot, clip(string(raw), 200))
	}
	switch {
	case ans.ErrCode != nil && *ans.ErrCode != 0:
		return fmt.Errorf("robot %s: error %d: %s", ch.Robot, *ans.ErrCode, ans.ErrMsg)
	case ans.Code != nil && *ans.Code != 0:
		return fmt.Errorf("robot %s: error %d: %s", ch.Robot, *ans.Code, ans.Msg)
	case ans.StatusCode != nil && *ans.StatusCode != 0:
		return fmt.Errorf("robot %s: error %d", ch.Robot, *ans.StatusCode)
	}
	return nil
}

// redactURL keeps a webhook's key out of error text.
func redactURL(err error, u string) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
