package web

import (
	"context"
	"fmt"
	"slices"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// Lang is an interface language.
type Lang string

// The supported languages; Chinese is the primary one.
const (
	LangZH Lang = "zh-CN"
	LangEN Lang = "en"
)

type langKey struct{}

// WithLang returns a context carrying the interface language.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, langKey{}, l)
}

// LangOf returns the interface language in ctx, Chinese by default.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(langKey{}).(Lang); ok {
		return l
	}
	return LangZH
}

// T returns the message key in the context's language, formatted with args.
// An unknown key is returned as is, so a missing translation is visible.
func T(ctx context.Context, key string, args ...any) string {
	return Message(LangOf(ctx), key, args...)
}

// Message returns the message key in language l, formatted with args: T
// for callers without a request (the command line, documents that are
// Chinese whatever the interface's language). An argument that is itself a
// message (workplan.Msg, a deadline explanation) is rendered in l first. An
// unknown key is returned as is, so a missing translation is visible.
func Message(l Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if l == LangEN && m[1] != "" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, renderArgs(l, args)...)
	}
	return s
}

// renderArgs returns args with every argument that is a message itself
// rendered in l.
func renderArgs(l Lang, args []any) []any {
	var out []any
	for i, a := range args {
		var key string
		var sub []any
		switch a := a.(type) {
		case workplan.Msg:
			key, sub = a.Key, a.Args
		case deadline.Explanation:
			key, sub = a.Key, a.Args
		default:
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = Message(l, key, sub...)
	}
	if out == nil {
		return args
	}
	return out
}

// messages maps a key to its Chinese and English text. Each area of the
// application registers its own messages from an init function in its own
// file (i18n_*.go), through register.
var messages = map[string][2]string{}

// register adds messages to the catalogue; a key registered twice is a bug.
func register(m map[string][2]string) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("web: message key registered twice: " + k)
		}
		messages[k] = v
	}
}

func init() { register(coreMessages) }

var coreMessages = map[string][2]string{
	"app.name":          {"督办", "Duban"},
	"app.tagline":       {"工作方案督查督办", "Work plan supervision"},
	"nav.home":          {"首页", "Home"},
	"nav.skip":          {"跳到正文", "Skip to content"},
	"nav.menu":          {"菜单", "Menu"},
	"nav.lang":          {"English", "中文"},
	"home.title":        {"工作方案", "Work plans"},
	"home.empty":        {"数据库中还没有工作方案。管理员可以用 duban seed 命令或“导入方案”页面导入方案文件。", "There is no work plan in the database yet. An administrator can load one with `duban seed` or the import page."},
	"home.issued":       {"印发日期", "Issued"},
	"home.tasks":        {"任务数", "Tasks"},
	"home.version":      {"版本", "Version"},
	"home.issued_by":    {"印发单位", "Issued by"},
	"error.title":       {"出错了", "Something went wrong"},
	"error.request_id":  {"请求编号", "Request ID"},
	"error.back":        {"返回首页", "Back to the home page"},
	"error.back.prev":   {"返回上一页", "Back to where you were"},
	"form.kept":         {"您填写的内容已保留在下方表单中,修改后重新提交即可。", "What you entered is kept in the form below: correct it and send it again."},
	"form.refused":      {"提交未成功:请查看下方表单中的提示。", "Not sent: see the message in the form below."},
	"error.not_found":   {"页面不存在", "Page not found"},
	"error.internal":    {"服务器内部错误,请稍后重试。如问题持续,请将请求编号告知管理员。", "Internal error. Please try again later; if it persists, give the request ID to an administrator."},
	"error.unavailable": {"服务暂时不可用,请稍后重试。", "The service is temporarily unavailable. Please try again shortly."},
	"footer.text":       {"平凉市数字政府建设督查督办系统", "Pingliang digital government supervision"},
	"nav.logout":        {"退出", "Sign out"},
}
