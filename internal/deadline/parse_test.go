package deadline

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		kind Kind
		due  string
	}{
		{"2023年9月底前", KindDue, "2023-09-30"},
		{"2023年8月底前", KindDue, "2023-08-31"},
		{"2023年2月底前", KindDue, "2023-02-28"},
		{"2024年2月底前", KindDue, "2024-02-29"},
		{"2023年底前", KindDue, "2023-12-31"},
		{"2023年12月底前", KindDue, "2023-12-31"},
		{"2023年12月31日前", KindDue, "2023-12-31"},
		{"2023年10月15日前", KindDue, "2023-10-15"},
		{"２０２３年９月底前", KindDue, "2023-09-30"},
		{" 2023年9月底前。", KindDue, "2023-09-30"},
		{"2023年九月底前", KindDue, "2023-09-30"},
		{"2023年十二月底前", KindDue, "2023-12-31"},
		{"2023年上半年", KindDue, "2023-06-30"},
		{"上半年", KindDue, "2023-06-30"},
		{"2024年下半年", KindDue, "2024-12-31"},
		{"年内", KindDue, "2023-12-31"},
		{"2024年内", KindDue, "2024-12-31"},
		{"全年", KindDue, "2023-12-31"},
		{"第三季度", KindDue, "2023-09-30"},
		{"三季度末", KindDue, "2023-09-30"},
		{"2024年第一季度", KindDue, "2024-03-31"},
		{"第四季度", KindDue, "2023-12-31"},
		{"10月底前", KindDue, "2023-10-31"},
		{"2023年底前完成", KindDue, "2023-12-31"},
		{"持续推进", KindOngoing, ""},
		{"长期坚持", KindOngoing, ""},
		{"2023年底前完成并持续推进", KindDueThenOngoing, "2023-12-31"},
		{"2023年8月底前完成并长期坚持", KindDueThenOngoing, "2023-08-31"},
		{"2023年10月底前完成并持续推进", KindDueThenOngoing, "2023-10-31"},
		{"2023年9月底前完成,并持续推进", KindDueThenOngoing, "2023-09-30"},
		{"2023年2月30日前", KindUnknown, ""},
		{"2023年13月底前", KindUnknown, ""},
		{"尽快", KindUnknown, ""},
		{"", KindUnknown, ""},
		{"按省上要求", KindUnknown, ""},
		{"2023年底前完成并尽快", KindUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			d := Parse(tt.text, 2023)
			assert.Equal(t, tt.text, d.Text, "text kept verbatim")
			assert.Equal(t, tt.kind, d.Kind)
			assert.Equal(t, tt.due, d.Due.String())
		})
	}
}

func TestDeadlineJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Parse("持续推进", 2023))
	assert.NoError(t, err)
	assert.JSONEq(t, `{"text":"持续推进","kind":"ongoing","due":null}`, string(b))
	b, err = json.Marshal(Parse("2023年9月底前", 2023))
	assert.NoError(t, err)
	assert.JSONEq(t, `{"text":"2023年9月底前","kind":"due","due":"2023-09-30"}`, string(b))
	var d Deadline
	assert.NoError(t, json.Unmarshal(b, &d))
	assert.Equal(t, Parse("2023年9月底前", 2023), d)
}
