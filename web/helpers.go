package web

import "strings"

// join lists names with the Chinese enumeration comma.
func join(names []string) string { return strings.Join(names, "、") }

// cellMark is the symbol of a matrix cell, so that lights are told apart
// without colour: ● green, ▲ yellow, ■ red, ✓ done, ? unknown; a lead unit's
// cell is marked 牵.
func cellMark(c MatrixCell) string {
	mark := map[string]string{"green": "●", "yellow": "▲", "red": "■", "done": "✓", "grey": "?"}[c.Light.Class]
	if c.Role == "lead" {
		return "牵" + mark
	}
	return mark
}
