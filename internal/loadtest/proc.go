package loadtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is a process's resident memory, from /proc/PID/status (Linux).
type Memory struct {
	// RSS is the resident set now (VmRSS), HWM its peak so far (VmHWM), in bytes.
	RSS, HWM int64
}

// ReadMemory reads the resident memory of process pid.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("loadtest: memory of process %d: %w", pid, err)
	}
	return parseStatus(b), nil
}

func parseStatus(b []byte) Memory {
	var m Memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		if len(f) > 1 && f[1] == "kB" {
			n <<= 10
		}
		if k == "VmRSS" {
			m.RSS = n
		} else {
			m.HWM = n
		}
	}
	return m
}

// MemorySampler keeps the largest VmRSS of a process seen while it runs.
type MemorySampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	max  int64
	last Memory
	// window is the largest VmRSS since the last Window call.
	window int64
}

// SampleMemory samples process pid's resident memory every interval until Stop.
func SampleMemory(pid int, interval time.Duration) *MemorySampler {
	s := &MemorySampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *MemorySampler) sample() {
	m, err := ReadMemory(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = m
	s.max = max(s.max, m.RSS)
	s.window = max(s.window, m.RSS)
}

// Window returns the largest VmRSS sampled since the previous call (or
// the start), and starts a new window.
func (s *MemorySampler) Window() int64 {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.window
	s.window = 0
	return w
}

// Stop ends the sampling and returns the largest VmRSS sampled and the
// last reading (whose HWM is the kernel's own peak).
func (s *MemorySampler) Stop() (maxRSS int64, last Memory) {
	close(s.stop)
	<-s.done
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max, s.last
}

// MB formats bytes in mebibytes.
func MB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// LoadAverage returns the first field of /proc/loadavg ("?" if unreadable):
// on a shared machine, figures taken under a high load are worth less.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
