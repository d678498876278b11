package main

import (
	"context"
	"fmt"
)

func cmdPlan(ctx context.Context, e env, args []string) error {
	return fmt.Errorf("plan: not yet available")
}
