package planparse

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// headerWords are the column headings of a task table, spaces removed.
var headerWords = map[string]bool{
	"序号": true, "编号": true, "类别": true, "名称": true, "项目": true,
	"任务": true, "工作任务": true, "主要工作任务": true, "重点工作任务": true, "主要任务": true, "重点任务": true,
	"重点工作": true, "主要工作": true, "任务内容": true, "工作内容": true, "具体任务": true, "工作措施": true,
	"具体措施": true, "主要措施": true, "重点举措": true, "任务事项": true,
	"牵头单位": true, "牵头部门": true, "牵头责任单位": true, "责任单位": true, "责任部门": true, "主要责任单位": true,
	"配合单位": true, "配合部门": true, "协同单位": true, "协同责任单位": true, "协办单位": true,
	"完成时限": true, "完成时间": true, "时间节点": true, "时限要求": true, "完成期限": true, "时限": true,
	"责任领导": true, "分管领导": true, "牵头领导": true, "牵头市领导": true, "牵头县领导": true, "牵头负责领导": true,
	"备注": true, "目标": true, "工作目标": true, "目标任务": true,
}

// headerCell returns a line as a header cell: spaces and a closing | removed.
func headerCell(t string) string {
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "|"))
	return strings.Join(strings.Fields(t), "")
}

// flatTables finds task tables flattened one cell per line, as copying a
// table from a web page or a PDF leaves them:
//
//	序号          序号 |
//	工作任务      重点工作 |
//	责任单位      责任单位 |
//	1             1 |
//	……            …… |
//	市发展改革委  招商工作部 |
//
// A run of at least three lines that are column headings and make a task
// table's header (headerMap) starts one. When the cells end with |, each |
// ends a cell, whatever the lines; otherwise each line is a cell, and with a
// 序号 column first a row starts at each next number, a cell that runs over
// several lines joining the task column. Headings between rows (二、…) stay
// lines. Each table row becomes one line of cells, numbered as its first line.
func flatTables(raw []rawLine) []rawLine {
	var out []rawLine
	for i := 0; i < len(raw); {
		header, next, pipes := flatHeader(raw, i)
		if header == nil {
			out = append(out, raw[i])
			i++
			continue
		}
		out = append(out, rawLine{no: raw[i].no, cells: header})
		var rows []rawLine
		if pipes {
			rows, i = pipeRows(raw, next, len(header))
		} else {
			rows, i = lineRows(raw, next, len(header), headerMap(header).number == 0)
		}
		out = append(out, rows...)
	}
	return out
}

// flatHeader recognises a flattened header starting at raw[i], returning its
// cells, the index after it and whether its cells end with |.
func flatHeader(raw []rawLine, i int) (cells []string, next int, pipes bool) {
	t := strings.TrimSpace(raw[i].text)
	if raw[i].cells != nil || !headerWords[headerCell(t)] {
		return nil, i, false
	}
	pipes = strings.HasSuffix(t, "|")
	j := i
	for j < len(raw) {
		t := strings.TrimSpace(raw[j].text)
		switch {
		case t == "":
			j++
			continue
		case headerWords[headerCell(t)] && strings.HasSuffix(t, "|") == pipes && strings.Count(t, "|") <= 1:
			cells = append(cells, headerCell(t))
			j++
			continue
		}
		break
	}
	if len(cells) < 3 || headerMap(cells) == nil {
		return nil, i, false
	}
	return cells, j, pipes
}

// pipeRows reads cells that each end with |, n to a row, until a line that
// has no | and is followed by none either, or the end.
func pipeRows(raw []rawLine, i, n int) ([]rawLine, int) {
	var rows []rawLine
	var cells []string
	var cell strings.Builder
	first := 0
	for ; i < len(raw); i++ {
		t := strings.TrimSpace(raw[i].text)
		if t == "" {
			continue
		}
		if !strings.HasSuffix(t, "|") && cell.Len() == 0 && len(cells) == 0 && !nextHasPipe(raw, i) {
			break
		}
		if len(cells) == 0 && cell.Len() == 0 {
			first = raw[i].no
		}
		body, closed := strings.CutSuffix(t, "|")
		cell.WriteString(strings.TrimSpace(body))
		if !closed {
			continue
		}
		cells = append(cells, cell.String())
		cell.Reset()
		if len(cells) == n {
			rows = append(rows, rawLine{no: first, cells: cells})
			cells = nil
		}
	}
	if len(cells) > 0 {
		rows = append(rows, rawLine{no: first, cells: cells})
	}
	return rows, i
}

func nextHasPipe(raw []rawLine, i int) bool {
	for j := i + 1; j < len(raw) && j <= i+3; j++ {
		if t := strings.TrimSpace(raw[j].text); t != "" {
			return strings.HasSuffix(t, "|")
		}
	}
	return false
}

// lineRows reads cells one per line. With a number column first, a row runs
// from one number to the next; without, every n lines are a row.
func lineRows(raw []rawLine, i, n int, numbered bool) ([]rawLine, int) {
	var rows []rawLine
	var cur []rawLine
	want := 0 // the number the next row starts with; 0 before the first
	flush := func() {
		if len(cur) == 0 {
			return
		}
		cells := make([]string, n)
		texts := make([]string, len(cur))
		for k, c := range cur {
			texts[k] = strings.TrimSpace(c.text)
		}
		if len(texts) > n {
			// A cell over several lines: the task column (after 序号) takes
			// the lines the others do not need.
			extra := len(texts) - n
			joined := strings.Join(texts[1:2+extra], "")
			texts = append([]string{texts[0], joined}, texts[2+extra:]...)
		}
		copy(cells, texts)
		rows = append(rows, rawLine{no: cur[0].no, cells: cells})
		cur = nil
	}
	for ; i < len(raw); i++ {
		t := strings.TrimSpace(raw[i].text)
		if t == "" {
			continue
		}
		if !numbered {
			cur = append(cur, raw[i])
			if len(cur) == n {
				flush()
			}
			continue
		}
		if k, err := strconv.Atoi(strings.TrimRight(t, ".、")); err == nil && utf8.RuneCountInString(t) <= 5 && (want == 0 || k == want) {
			flush()
			cur = append(cur, raw[i])
			want = k + 1
			continue
		}
		if want == 0 {
			break // no first row: not a table after all
		}
		if _, _, _, ok := partHeading(t); ok {
			flush()
			rows = append(rows, raw[i])
			continue
		}
		if _, _, _, ok := sectionHeading(t); ok && len(cur) >= n {
			flush()
			rows = append(rows, raw[i])
			continue
		}
		if len(cur) >= n+6 {
			break // far more lines than a row has: the table has ended
		}
		cur = append(cur, raw[i])
	}
	flush()
	return rows, i
}
