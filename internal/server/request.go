// Reading a request: URL parameters, query dates and posted forms, one
// home for every handler.
package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"duban/internal/deadline"
	"duban/internal/workplan"
)

// parseUpload makes the posted form available, multipart or not (readBody
// has read it already, within maxFormBytes); call the returned function to
// remove the uploaded files' temporary copies when done.
func parseUpload(r *http.Request) (func(), error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, workplan.E(workplan.EInvalid, "err.form.unreadable")
	}
	return func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}, nil
}

// pathID reads the {id} URL parameter; a malformed one is "not found".
func pathID(r *http.Request) (int64, error) {
	return intParam(r, "id")
}

// formVersion reads the hidden "version" field of an edit form.
func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v <= 0 {
		return 0, workplan.E(workplan.EInvalid, "err.form.version")
	}
	return v, nil
}

// editTarget reads what an edit form posts to: the record's {id} in the
// URL and the version the form was loaded at (checked when saving, so that
// two editors cannot overwrite each other unseen).
func editTarget(r *http.Request) (id int64, version int, err error) {
	if id, err = pathID(r); err != nil {
		return 0, 0, err
	}
	if version, err = formVersion(r); err != nil {
		return 0, 0, err
	}
	return id, version, nil
}

// intParam reads a numeric URL parameter; a bad one is a 404.
func intParam(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errNotFoundPage
	}
	return n, nil
}

// dateParam reads a date from the query, def when absent.
func dateParam(r *http.Request, name string, def deadline.Date) (deadline.Date, error) {
	q := r.URL.Query().Get(name)
	if q == "" {
		return def, nil
	}
	d, err := deadline.ParseDate(q)
	if err != nil {
		return d, workplan.E(workplan.EInvalid, "err.date.invalid", name, q)
	}
	return d, nil
}

// formText returns the text of form field name, trimmed, with line breaks
// as LF: browsers send CR LF, and count it as one character against
// maxlength, as the limits here do.
func formText(r *http.Request, name string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(name), "\r\n", "\n"))
}
