package devdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LocationNote is the file left in the folder asked for when the cluster
// had to live elsewhere: it holds the cluster's folder, first line.
const LocationNote = "cluster-location.txt"

// relocate moves the cluster to a folder the postgres OS user can reach
// when it cannot reach c.dir: as root, a clone under a private folder such
// as /root (mode 0700) gets its .devdb created by root, but postgres cannot
// pass through the parents, and initdb fails with "Permission denied". The
// kept cluster goes to that user's home, in a folder named after c.dir so
// that each clone keeps its own between runs; a temporary one goes to
// /var/tmp or /tmp. A note in c.dir says where it went.
func (c *Cluster) relocate(ctx context.Context) error {
	if c.runAs == nil || c.canReach(ctx, c.dir) {
		return nil
	}
	asked := c.dir
	blocker, why := blockedBy(asked, c.runAs.Uid, c.runAs.Gid)
	if c.temp {
		_ = os.Remove(asked)
		for _, base := range []string{"/var/tmp", "/tmp"} {
			d, err := os.MkdirTemp(base, "duban-pg-")
			if err != nil {
				continue
			}
			c.dir = d
			if err := c.chown(d); err == nil && c.canReach(ctx, d) {
				c.logf("the postgres OS user cannot reach %s (%s): the temporary cluster lives in %s", asked, why, d)
				return nil
			}
			_ = os.RemoveAll(d)
		}
		c.dir = asked
		return fmt.Errorf("devdb: the postgres OS user cannot reach %s (%s), nor /var/tmp or /tmp: set TMPDIR to a folder it can reach", asked, why)
	}
	home := c.runAs.HomeDir
	target := filepath.Join(home, "duban-devdb", folderName(asked))
	err := os.MkdirAll(target, 0o700)
	if err == nil {
		// The shared parent alone, not what is in it: other clones'
		// clusters, perhaps running, are theirs.
		err = c.chownOne(filepath.Dir(target))
	}
	if err == nil {
		err = c.chown(target)
	}
	if err != nil || !c.canReach(ctx, target) {
		return fmt.Errorf(`devdb: the postgres OS user cannot reach %s (%s), and its home %s is not usable either (%v).
Either let it through: chmod o+x %s
or keep the cluster in a folder it can reach: bin/duban-dev dev --data /var/tmp/duban-devdb`,
			asked, why, home, err, blocker)
	}
	note := fmt.Sprintf("%s\n\nThe postgres OS user cannot reach %s (%s), so duban keeps this\nclone's PostgreSQL cluster in the folder above. Remove both folders to start afresh.\n", target, asked, why)
	if err := os.WriteFile(filepath.Join(asked, LocationNote), []byte(note), 0o644); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	c.logf("the postgres OS user cannot reach %s (%s): the cluster lives in %s (noted in %s)", asked, why, target, filepath.Join(asked, LocationNote))
	c.dir = target
	return nil
}

// chownOne gives path (and not what it holds) to the postgres OS user.
func (c *Cluster) chownOne(path string) error {
	uid, _ := strconv.Atoi(c.runAs.Uid)
	gid, _ := strconv.Atoi(c.runAs.Gid)
	if err := os.Lchown(path, uid, gid); err != nil {
		return fmt.Errorf("devdb: give %s to the postgres user: %w", path, err)
	}
	return nil
}

// canReach reports whether the postgres OS user can read, write and enter
// dir, by asking the system as that user: permissions, ACLs and all.
func (c *Cluster) canReach(ctx context.Context, dir string) bool {
	cmd := exec.CommandContext(ctx, "runuser", "-u", c.runAs.Username, "--", "test", "-r", dir, "-a", "-w", dir, "-a", "-x", dir)
	cmd.Dir = "/"
	return cmd.Run() == nil
}

// blockedBy finds the outermost parent of dir that the user uid (group
// gid) may not pass through, and says why, for the message.
func blockedBy(dir, uid, gid string) (path, why string) {
	var parents []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		parents = append(parents, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	for i := len(parents) - 1; i >= 0; i-- {
		fi, err := os.Stat(parents[i])
		if err != nil {
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		m := fi.Mode().Perm()
		switch {
		case strconv.Itoa(int(st.Uid)) == uid:
			if m&0o100 != 0 {
				continue
			}
		case strconv.Itoa(int(st.Gid)) == gid:
			if m&0o010 != 0 {
				continue
			}
		case m&0o001 != 0:
			continue
		}
		return parents[i], fmt.Sprintf("%s is private, mode %04o", parents[i], m)
	}
	return filepath.Dir(dir), "a parent folder is closed to it"
}

// folderName names the relocated cluster of dir after its path, e.g.
// /root/x/duban/.devdb -> root_x_duban_.devdb-1f2e3d4c: readable, and
// distinct for distinct paths.
func folderName(dir string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, strings.Trim(dir, "/"))
	if len(name) > 80 {
		name = name[len(name)-80:]
	}
	sum := sha256.Sum256([]byte(dir))
	return name + "-" + hex.EncodeToString(sum[:4])
}
