package main

import (
	"context"

	"duban/internal/cli"
	"duban/internal/deadline"
	"duban/internal/gen"
	"duban/internal/loadtest"
	"duban/internal/notify"
	"duban/seeds"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"duban/internal/config"
	"duban/internal/devdb"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

func cmdDevDB(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "devdb", `devdb exec [--dir DIR] -- COMMAND [ARGS...]

Starts a project-managed PostgreSQL cluster on a free loopback port, runs COMMAND
with DATABASE_URL and TEST_DATABASE_URL pointing at it, then stops the cluster and
exits with COMMAND's status. Without --dir the cluster is temporary and removed
afterwards (what make test uses); with --dir it is kept there and reused.`)
	dir := fs.String("dir", "", "keep the cluster in this folder (default: temporary)")
	if action, err := cli.Action(fs, args, "exec"); action == "" {
		return err
	}
	cmdArgs := fs.Args()
	if len(cmdArgs) == 0 {
		return fmt.Errorf("devdb exec: give the command to run after --")
	}
	logf := func(format string, a ...any) { fmt.Fprintf(e.Stderr, "devdb: "+format+"\n", a...) }
	cluster, err := devdb.Start(ctx, devdb.Options{Dir: *dir, Logf: logf, Getenv: e.Getenv})
	if err != nil {
		return err
	}
	stopCluster := sync.OnceFunc(func() {
		if err := cluster.Stop(); err != nil {
			logf("%v", err)
		}
	})
	defer stopCluster()
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = append(os.Environ(), "DATABASE_URL="+cluster.AppURL(), "TEST_DATABASE_URL="+cluster.URL("postgres"))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("devdb exec: %w", err)
	}
	// The child gets Ctrl-C from the terminal itself; a SIGTERM sent to duban
	// alone is passed on, so the cluster is stopped only after the child ends.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-sigs:
			_ = cmd.Process.Signal(s)
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				stopCluster()
				return cli.ExitError(ee.ExitCode())
			}
			return err
		}
	}
}

// cmdDev is make run: a project-local cluster (unless DATABASE_URL is set),
// migrations as the owner role, the bundled plan and demo accounts on an
// empty database, then the product binary's `duban serve` as a child
// process with the serving role, until Ctrl-C or SIGTERM.
func cmdDev(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "dev", `dev [--data DIR] [--duban PATH]

For development (make run): with DATABASE_URL unset, starts a project-local
PostgreSQL cluster kept in DIR (started and stopped here), applies the
migrations as the owner role duban_owner, loads the bundled plan and demo
accounts if the database is empty, then runs the product binary's `+"`duban serve`"+`
on LISTEN_ADDR (default http://127.0.0.1:8080) as the role duban_app, which owns
nothing, as in production. Ctrl-C stops the server and the cluster. As root, when
the postgres OS user cannot reach DIR (a clone under a private folder), the
cluster lives in that user's home instead; DIR says where.`)
	data := fs.String("data", ".devdb", "folder of the local PostgreSQL cluster")
	bin := fs.String("duban", "", "the product binary to serve with (default: duban beside this program)")
	demo := fs.Bool("demo", true, "on an empty database, load a demo history (the bundled plan moved to this year, weekly reports to yesterday) rather than the bare plan")
	if err := cli.ParseFlags(fs, args); err != nil {
		return cli.HelpOK(err)
	}
	product, err := productBinary(*bin)
	if err != nil {
		return err
	}
	getenv := func(k string) string {
		if k == "DUBAN_ENV" && e.Getenv(k) == "" {
			return "development"
		}
		return e.Getenv(k)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		logf := func(format string, a ...any) { fmt.Fprintf(e.Stderr, "devdb: "+format+"\n", a...) }
		cluster, err := devdb.Start(ctx, devdb.Options{Dir: *data, Logf: logf, Getenv: e.Getenv, Roles: true})
		if err != nil {
			return err
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				logf("%v", err)
			}
		}()
		cfg.DatabaseURL, cfg.OwnerDatabaseURL = cluster.ServeURL(), cluster.OwnerURL()
		logf("migrations run as %s, the server connects as %s (README: Deploying)", devdb.OwnerRole, devdb.ServeRole)
	}
	de := e
	de.Getenv = getenv
	if err := cli.MigrateUp(ctx, de, cfg); err != nil {
		return err
	}
	accountsFile := filepath.Join(*data, "demo-accounts.txt")
	loaded, err := prepare(ctx, de, cfg, accountsFile, *demo)
	if err != nil {
		return err
	}
	addr := cfg.ListenAddr
	if host, port, err := net.SplitHostPort(addr); err == nil && port == "0" {
		// The child is told a concrete port, so that it can be watched.
		p, err := devdb.FreePort()
		if err != nil {
			return err
		}
		addr = net.JoinHostPort(host, strconv.Itoa(p))
	}
	env := append(os.Environ(), "DUBAN_ENV="+getenv("DUBAN_ENV"), "DATABASE_URL="+cfg.DatabaseURL, "LISTEN_ADDR="+addr)
	if cfg.OwnerDatabaseURL != "" {
		env = append(env, "OWNER_DATABASE_URL="+cfg.OwnerDatabaseURL)
	}
	if loaded != nil {
		// The system urges: the demo's last working day's reminder pass, as
		// duban serve runs it each morning, so that the bell, the 督办单 and
		// the dashboard's 需约谈 show on a weekend too.
		if err := demoReminders(ctx, e, product, env); err != nil {
			fmt.Fprintf(e.Stderr, "dev: demo reminders: %v\n", err)
		}
	}
	return runServer(ctx, e, product, env, "http://"+addr, func(base string) {
		if loaded != nil {
			// A published bulletin (专报) of last month, made as the demo
			// supervisor does it, through the page's form.
			if err := loaded.publish(ctx, base); err != nil {
				fmt.Fprintf(e.Stderr, "dev: demo bulletin: %v\n", err)
			}
		}
		fmt.Fprintf(e.Stdout, "\nduban is running: %s   (Ctrl-C to stop)\n", base)
		if b, err := os.ReadFile(accountsFile); err == nil {
			fmt.Fprintf(e.Stdout, "Sign in with a demo account (development only; kept in %s):\n%s\n", accountsFile, b)
		} else {
			fmt.Fprintln(e.Stdout, "Create an account with: bin/duban user create --username admin --name 管理员 --role admin")
		}
	})
}

// demoReminders runs the product's reminder pass as of 08:30 on the last
// working day before today (duban notify run --at).
func demoReminders(ctx context.Context, e cli.Env, product string, env []string) error {
	b, err := seeds.FS.ReadFile(seeds.Holidays)
	if err != nil {
		return err
	}
	cal, err := notify.ParseCalendar(b)
	if err != nil {
		return err
	}
	day := deadline.DateOf(time.Now(), deadline.Shanghai).AddDays(-1)
	for i := 0; i < 30 && !cal.Working(day); i++ {
		day = day.AddDays(-1)
	}
	cmd := exec.CommandContext(ctx, product, "notify", "run", "--at", day.String()+"T08:30")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, io.Discard, e.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "demo reminders: the reminder pass of %s, as duban serve runs it each working day\n", day)
	return nil
}

// productBinary is the duban binary to serve with: path, or duban beside
// this program.
func productBinary(path string) (string, error) {
	if path == "" {
		self, err := os.Executable()
		if err != nil {
			return "", err
		}
		path = filepath.Join(filepath.Dir(self), "duban")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the product binary %s is missing: build it with make build (or give --duban PATH)", path)
	}
	return path, nil
}

// demoLoaded is what prepare loaded into an empty database for the demo.
type demoLoaded struct {
	slug               string
	supervisor, secret string
	month              deadline.Date
}

// publish publishes the demo plan's bulletin of last month.
func (d *demoLoaded) publish(ctx context.Context, base string) error {
	start := deadline.NewDate(d.month.Year, d.month.Month-1, 1)
	return loadtest.PublishBulletin(ctx, base, d.supervisor, d.secret, d.slug, start, deadline.NewDate(start.Year, start.Month+1, 0))
}

// prepare fills an empty database: with demo, a demo history (gen.Demo:
// the bundled plan moved to this year, with weekly reports, reviews,
// returns, extensions, evidence and indicator values up to yesterday),
// else the bare bundled plan; then the demo accounts. It returns what the
// demo needs after the server starts, nil when it loaded nothing or no demo.
func prepare(ctx context.Context, e cli.Env, cfg config.Config, accountsFile string, demo bool) (*demoLoaded, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 4})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	plans, err := db.ListPlans(ctx)
	if err != nil || len(plans) > 0 {
		return nil, err
	}
	if !demo {
		if _, err := cli.SeedIfEmpty(ctx, db, workplan.System("duban-dev dev"), e.Stdout); err != nil {
			return nil, err
		}
		_, err := demoAccounts(ctx, e, db, accountsFile)
		return nil, err
	}
	reg, err := cli.Registry()
	if err != nil {
		return nil, err
	}
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	if err != nil {
		return nil, err
	}
	opt := gen.Demo(src, reg, db.Now())
	fmt.Fprintf(e.Stdout, "loading the demo history: the bundled plan moved to %d, %d weeks of weekly reports …\n", gen.DemoYear(db.Now()), opt.Weeks)
	sum, err := gen.Run(ctx, db, opt)
	if err != nil {
		return nil, fmt.Errorf("dev: demo history: %w", err)
	}
	fmt.Fprintf(e.Stdout, "demo history: %d reports, %d reviews, %d extension requests, %d evidence files (development only; make run with --demo=false for the bare plan)\n",
		sum.Reports, sum.Reviews, sum.Extensions, sum.Evidence)
	accounts, err := demoAccounts(ctx, e, db, accountsFile)
	if err != nil {
		return nil, err
	}
	plans, err = db.ListPlans(ctx)
	if err != nil || len(plans) == 0 {
		return nil, err
	}
	d := &demoLoaded{slug: plans[0].Slug, month: deadline.DateOf(db.Now(), deadline.Shanghai)}
	for _, a := range accounts {
		if a.Role == workplan.UserSupervisor && a.Password != "" {
			d.supervisor, d.secret = a.Username, a.Password
		}
	}
	if d.supervisor == "" {
		return nil, nil
	}
	return d, nil
}

// runServer runs the product binary's "duban serve" with env until it ends or ctx
// does (then it gets SIGTERM and its grace period), calling ready once base
// answers /readyz.
func runServer(ctx context.Context, e cli.Env, product string, env []string, base string, ready func(base string)) error {
	cmd := exec.Command(product, "serve")
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, nil, e.Stdout, e.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dev: start %s serve: %w", product, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	announced := false
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				return errors.New("dev: duban serve ended")
			}
			return fmt.Errorf("dev: duban serve: %w", err)
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			return nil
		case <-tick.C:
			if announced {
				continue
			}
			if res, err := client.Get(base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					announced = true
					ready(base)
				}
			}
		}
	}
}

// demoAccounts creates the development demo accounts on a freshly filled
// database and keeps their passwords, with what each role should look at,
// in file (inside the ignored cluster folder) so that every later make run
// can say how to sign in.
func demoAccounts(ctx context.Context, e cli.Env, db *postgres.DB, file string) ([]postgres.DemoAccount, error) {
	accounts, err := db.CreateDemoAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, a := range accounts {
		if a.Skipped != "" {
			fmt.Fprintf(e.Stderr, "demo account %s skipped: %s\n", a.Username, a.Skipped)
			continue
		}
		fmt.Fprintf(&b, "  %-11s %-24s password: %s   (%s%s)\n", a.Username, a.DisplayName, a.Password, web.Message(web.LangZH, "acct.role."+string(a.Role)), unitSuffix(a.Unit))
		if hint := demoHints[a.Role]; hint != "" {
			fmt.Fprintf(&b, "              %s\n", hint)
		}
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	return accounts, os.WriteFile(file, []byte(b.String()), 0o600)
}

// demoHints say what each role of the demo should look at first.
var demoHints = map[workplan.UserRole]string{
	workplan.UserLeader:     "看:督办看板(超期、滞后、需约谈)、月排序、专报",
	workplan.UserSupervisor: "看:审核(完成申报、延期申请)、看板上待明确的集合称谓、发布专报",
	workplan.UserStaff:      "看:我的任务(退回的报送在最前),填报进展和佐证材料",
	workplan.UserAdmin:      "看:方案导入(预览修订)、单位库、账号、审计日志",
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " · " + unit
}
