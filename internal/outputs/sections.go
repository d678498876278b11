package outputs

import (
	"fmt"
	"strconv"
	"strings"
)

// Section is one numbered part of a bulletin, laid out the same way in the
// HTML page and the Word document, so that both say exactly the same.
type Section struct {
	Heading    string
	Paragraphs []string
	Tables     []Table
}

// Table is a table of a bulletin section. Widths are relative column widths.
type Table struct {
	Caption string
	// TestID names the table for tests of the HTML page.
	TestID string
	Header []string
	Widths []int
	Rows   [][]string
}

// Sections lays out b's content in Chinese, the language of the bulletin.
func Sections(b Bulletin) []Section {
	s := b.Summary
	var cats []string
	for _, c := range s.TaskCategories {
		cats = append(cats, fmt.Sprintf("%s %d 项", c.Label, c.Count))
	}
	overview := Section{Heading: "一、总体情况", Paragraphs: []string{
		fmt.Sprintf("本期统计期间为 %s。截至 %s 日终,方案共有任务 %d 项,已全部完成 %d 项;按任务状态分:%s。",
			b.Period, b.Period.End, s.Tasks, s.CompleteTasks, strings.Join(cats, "、")),
		fmt.Sprintf("各承办单位共承担任务 %d 项次(牵头、责任单位),已完成 %d 项次,其中本期新完成 %d 项次;超期未完成 %d 项次(涉及 %d 个单位),进度或报送滞后 %d 项次,即将到期 %d 项次。本期各单位共报送进展 %d 条(仅作情况说明,不计入排名)。",
			s.Assignments, s.Completed, s.CompletedInPeriod, s.Overdue, s.OverdueUnits, s.Lagging, s.DueSoon, s.Reports),
	}}
	if s.Unmapped > 0 {
		overview.Paragraphs = append(overview.Paragraphs, fmt.Sprintf("另有 %d 处“市直有关部门”等集合称谓尚未明确具体单位,未计入以上统计。", s.Unmapped))
	}
	ranking := Section{Heading: "二、单位排名", Paragraphs: []string{
		"排名只看工作成效,不看报送次数、登录次数或上传数量。" + b.Ranking.Weights.Formula() + "。" +
			"其中:按时完成率得分 = 100 × 期末前到期任务中按时完成并经审核通过的比例;未超期得分 = 100 × (1 − 超期项次天数 ÷ 承担任务的项次天数);" +
			"序时进度得分 = 100 − 未完成限期任务的平均序时进度差(百分点);按时报送得分 = 100 × 未完成任务中在报送周期内有报送的项次天数比例(每个周期报送一次即可,多报不加分)。" +
			"期末前无到期任务的单位不计按时完成率,其权重不计入。本期有未完成任务却未报送任何进展的单位不得报送分,并排在已报送单位之后。" +
			"得分保留一位小数,得分相同者名次并列(如 1、2、2、4),并列者按单位名称排列,排列先后不影响名次。",
	}}
	for _, g := range []struct {
		caption string
		id      string
		units   []UnitScore
	}{{"(一)县(市、区)及园区", "rank-county", b.Ranking.County}, {"(二)市直部门", "rank-city", b.Ranking.City}} {
		t := Table{Caption: g.caption, TestID: g.id, Header: []string{"名次", "单位", "承担", "按时完成率", "超期项次天数", "平均序时差", "按时报送", "综合得分"},
			Widths: []int{11, 25, 6, 14, 11, 10, 11, 10}}
		for _, u := range g.units {
			t.Rows = append(t.Rows, []string{rankLabel(u), u.UnitName, strconv.Itoa(u.Assignments), rateLabel(u), strconv.Itoa(u.OverdueDays),
				fmt.Sprintf("%.1f", u.AvgPaceLag), reportLabel(u), fmt.Sprintf("%.1f", u.Score)})
		}
		if len(t.Rows) == 0 {
			t.Rows = [][]string{{"—", "本组无单位", "", "", "", "", "", ""}}
		}
		ranking.Tables = append(ranking.Tables, t)
	}
	if len(b.Ranking.Other) > 0 {
		t := Table{Caption: "(三)其他承办单位(企业、中省驻平单位等,不参与排名)", TestID: "rank-other",
			Header: []string{"单位", "承担", "按时完成率", "超期项次天数", "平均序时差"}, Widths: []int{40, 10, 18, 16, 16}}
		for _, u := range b.Ranking.Other {
			t.Rows = append(t.Rows, []string{u.UnitName, strconv.Itoa(u.Assignments), rateLabel(u), strconv.Itoa(u.OverdueDays), fmt.Sprintf("%.1f", u.AvgPaceLag)})
		}
		ranking.Tables = append(ranking.Tables, t)
	}
	overdue := Section{Heading: "三、超期任务"}
	if len(b.Overdue) == 0 {
		overdue.Paragraphs = []string{"截至期末,没有超期未完成的任务。"}
	} else {
		overdue.Paragraphs = []string{fmt.Sprintf("截至期末,共有 %d 项任务存在超期未完成的单位:", len(b.Overdue))}
		t := Table{TestID: "overdue", Header: []string{"序号", "任务", "截止日期", "超期单位(超期天数)"}, Widths: []int{6, 40, 13, 41}}
		for _, o := range b.Overdue {
			var us []string
			for _, u := range o.Units {
				us = append(us, fmt.Sprintf("%s(%d天)", u.UnitName, u.Days))
			}
			t.Rows = append(t.Rows, []string{"(" + strconv.Itoa(o.TaskNumber) + ")", o.TaskTitle, o.Due, strings.Join(us, "、")})
		}
		overdue.Tables = []Table{t}
	}
	laggards := Section{Heading: "四、点名通报"}
	if len(b.Laggards) == 0 {
		laggards.Paragraphs = []string{b.LaggardRule, "按此规则,本期无点名通报单位。"}
	} else {
		laggards.Paragraphs = []string{b.LaggardRule, "按此规则,以下单位工作进展相对滞后,请对照任务清单限期整改,并在下期报送中说明整改情况:"}
		t := Table{TestID: "laggards", Header: []string{"单位", "情况"}, Widths: []int{35, 65}}
		for _, l := range b.Laggards {
			reason := l.Reason
			if l.Overdue > 0 && !strings.Contains(reason, "超期") {
				reason += fmt.Sprintf(";有任务超期 %d 天", l.Overdue)
			}
			t.Rows = append(t.Rows, []string{l.UnitName, reason})
		}
		laggards.Tables = []Table{t}
	}
	indicators := Section{Heading: "五、指标完成情况"}
	if len(b.Indicators) == 0 {
		indicators.Paragraphs = []string{"方案未设量化指标。"}
	} else {
		met := 0
		for _, i := range b.Indicators {
			if i.Met {
				met++
			}
		}
		indicators.Paragraphs = []string{fmt.Sprintf("方案共设量化指标 %d 项,截至期末已达标 %d 项。", len(b.Indicators), met)}
		t := Table{TestID: "indicators", Header: []string{"任务", "指标", "目标", "最新值", "是否达标"}, Widths: []int{8, 44, 16, 18, 14}}
		for _, i := range b.Indicators {
			latest, verdict := "未报送", "—"
			if i.Has {
				latest = i.Latest
				verdict = "未达标"
				if i.Met {
					verdict = "达标"
				}
			}
			t.Rows = append(t.Rows, []string{"(" + strconv.Itoa(i.TaskNumber) + ")", i.Text, i.Target, latest, verdict})
		}
		indicators.Tables = []Table{t}
	}
	return []Section{overview, ranking, overdue, laggards, indicators}
}

func rankLabel(u UnitScore) string {
	if u.Tied {
		return "并列第 " + strconv.Itoa(u.Rank) + " 名"
	}
	return "第 " + strconv.Itoa(u.Rank) + " 名"
}

func reportLabel(u UnitScore) string {
	if u.Silent {
		return "未报送"
	}
	return fmt.Sprintf("%.1f", u.PointsReport)
}

func rateLabel(u UnitScore) string {
	if !u.HasRate {
		return "无到期任务"
	}
	return fmt.Sprintf("%d/%d(%.0f%%)", u.OnTime, u.DueByEnd, 100*u.Rate)
}
