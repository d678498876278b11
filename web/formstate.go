package web

import (
	"context"
	"net/url"
	"strings"

	"github.com/a-h/templ"
)

// FormState is a form the server refused (422): the page that holds the form
// is rendered again with what the user typed kept in its fields and the
// message beside the field it is about, so a refusal is never a dead end.
type FormState struct {
	// Action is the path the form posts to; it tells which form of the page
	// was refused (a page may hold several).
	Action string
	// Values are the fields as posted.
	Values url.Values
	// Field names the field the message is about, or "" for the form.
	Field string
	// Message says what is wrong, in the reader's language.
	Message string
}

type formStateKey struct{}

// WithFormState marks ctx as rendering a refused form again.
func WithFormState(ctx context.Context, fs FormState) context.Context {
	return context.WithValue(ctx, formStateKey{}, fs)
}

// FormStateOf returns the refused form being rendered again, if any.
func FormStateOf(ctx context.Context) (FormState, bool) {
	fs, ok := ctx.Value(formStateKey{}).(FormState)
	return fs, ok
}

// refused returns the state of the form posting to action when it is the
// one refused.
func refused(ctx context.Context, action string) (FormState, bool) {
	fs, ok := FormStateOf(ctx)
	if !ok || fs.Action != action {
		return FormState{}, false
	}
	return fs, true
}

// Kept returns what the user posted in field name of the form posting to
// action when that form is shown again after a refusal, else def. What was
// refused may be what cannot stand in a page (a NUL, other control
// characters, bytes that are not UTF-8): those are shown as U+FFFD, so the
// page stays valid HTML and the user sees where the bad character was.
func Kept(ctx context.Context, action, name, def string) string {
	if fs, ok := refused(ctx, action); ok {
		if vs, ok := fs.Values[name]; ok && len(vs) > 0 {
			return showable(vs[0])
		}
	}
	return def
}

// showable replaces in s what a page cannot show: invalid UTF-8 and control
// characters other than tab and line breaks become U+FFFD.
func showable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, s)
}

// KeptChecked says whether a checkbox or radio button (name, value) of the
// form posting to action is to be checked: as posted after a refusal, else
// def.
func KeptChecked(ctx context.Context, action, name, value string, def bool) bool {
	fs, ok := refused(ctx, action)
	if !ok {
		return def
	}
	for _, v := range fs.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// fieldErrorID is the id of the message beside a refused field, which the
// field names in aria-describedby.
func fieldErrorID(action, name string) string {
	return "err-" + slugOf(action) + "-" + name
}

// FieldAttrs are the attributes of field name of the form posting to
// action: aria-invalid and aria-describedby when the refusal is about it.
func FieldAttrs(ctx context.Context, action, name string) templ.Attributes {
	if fs, ok := refused(ctx, action); ok && fs.Field == name {
		return templ.Attributes{"aria-invalid": "true", "aria-describedby": fieldErrorID(action, name)}
	}
	return templ.Attributes{}
}

// slugOf turns a path into something an id may carry.
func slugOf(path string) string {
	b := []byte(path)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}

// Refused says whether the form posting to action is the one shown again
// after a refusal (a folded form is then unfolded).
func Refused(ctx context.Context, action string) bool {
	_, ok := refused(ctx, action)
	return ok
}
