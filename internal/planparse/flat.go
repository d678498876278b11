package planparse

// flatTables finds tables flattened one cell per line.
func flatTables(raw []rawLine) []rawLine { return raw }
