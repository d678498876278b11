package deliver

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRobotTextFitsWeCom: a long list is cut to what a WeCom robot takes,
// counting the rest, and always ends with the link.
func TestRobotTextFitsWeCom(t *testing.T) {
	t.Parallel()
	var lines []string
	for range 60 {
		lines = append(lines, strings.Repeat("规范市、县政务服务中心事项进驻", 5))
	}
	s := robotText(context.Background(), lines, "https://duban.example.gov.cn/my")
	assert.LessOrEqual(t, len(s), robotBudget)
	assert.Contains(t, s, "另有")
	assert.True(t, strings.HasSuffix(s, "https://duban.example.gov.cn/my"))
	short := robotText(context.Background(), lines[:2], "https://x/")
	assert.Equal(t, 2, strings.Count(short, "- "))
	assert.NotContains(t, short, "另有")
}
