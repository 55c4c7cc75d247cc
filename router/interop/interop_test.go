package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const realm = "realm1"

// scenarios are the names every client script reports, in its order; a run that
// leaves one out (crash, a script edited out of step) fails.
var scenarios = []string{
	"call_result", "call_app_error", "no_such_procedure", "publish_acknowledged",
	"exclude_me_default", "exclude_me_false", "binary_call", "binary_publish",
	"empty_call", "empty_publish", "unregister_then_call", "unsubscribe_then_publish",
	"concurrent_calls", "callee_leaves", "callee_drops", "event_order", "cross_serializer",
	// advanced pub/sub
	"pubsub_blackwhite", "pubsub_disclose", "pubsub_pattern", "pubsub_retained",
	// advanced RPC
	"rpc_progressive_results", "rpc_cancel", "rpc_timeout", "rpc_disclose", "rpc_pattern", "rpc_shared",
	// meta API
	"meta_session", "meta_registration", "meta_testament", "meta_history", "meta_revocation",
	// payload passthru mode
	"ppt_passthru",
}

// debianPython is Debian's interpreter, where python3-autobahn lives; the default
// python3 on the machines may be another one (pyenv).
const debianPython = "/usr/bin/python3"

// scriptTimeout bounds one client process; the scripts stop themselves earlier
// (--timeout) and report the scenario they were in.
const (
	scriptTimeout     = 150 * time.Second
	scriptSelfTimeout = "120"
)

// client is one third-party library and how to run its script.
type client struct {
	name       string
	transports []string // "ws", "rawsocket"
	argv       func(script string) []string
	script     string
	ready      func() error // nil when the tool is installed
}

var clients = []client{
	{name: "autobahn-js", transports: []string{"ws"}, script: "autobahn.mjs", argv: nodeArgv, ready: nodeReady},
	{name: "wampy", transports: []string{"ws"}, script: "wampy.mjs", argv: nodeArgv, ready: nodeReady},
	{name: "autobahn-python", transports: []string{"ws", "rawsocket"}, script: "autobahn_py.py", argv: pythonArgv, ready: pythonReady},
}

var serializers = []string{"json", "msgpack", "cbor"}

func nodeArgv(script string) []string { return []string{"node", script} }

func pythonArgv(script string) []string { return []string{debianPython, script} }

var nodeCheck = sync.OnceValue(func() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node not found: %w", err)
	}
	for _, m := range []string{"autobahn", "wampy", "ws"} {
		if _, err := os.Stat(filepath.Join("testdata", "node_modules", m, "package.json")); err != nil {
			return fmt.Errorf("npm package %s missing in testdata/node_modules (run .ci/test-tools.sh): %w", m, err)
		}
	}
	return nil
})

func nodeReady() error { return nodeCheck() }

var pythonCheck = sync.OnceValue(func() error {
	out, err := exec.Command(debianPython, "-c", "import autobahn, msgpack, cbor2").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s with autobahn, msgpack, cbor2 not available (run .ci/test-tools.sh): %v: %s",
			debianPython, err, bytes.TrimSpace(out))
	}
	return nil
})

func pythonReady() error { return pythonCheck() }

// result is one line a client script prints.
type result struct {
	Scenario string `json:"scenario"`
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Skipped  string `json:"skipped"`
	MS       int    `json:"ms"` // wall time of the scenario in the client
}

// TestInterop runs the matrix {client} × {transport} × {serializer}, one client
// process per cell, each scenario a subtest. INTEROP_WS_URL (and INTEROP_RS_ADDR,
// host:port) point it at an external router on realm1 instead of the in-process one.
func TestInterop(t *testing.T) {
	wsURL, rsURL := os.Getenv("INTEROP_WS_URL"), ""
	if wsURL != "" {
		if a := os.Getenv("INTEROP_RS_ADDR"); a != "" {
			rsURL = "tcp://" + a
		}
		t.Logf("external router: %s %s", wsURL, rsURL)
	} else {
		wsURL, rsURL = startRouter(t)
	}

	// The parent waits for its parallel children before startRouter's cleanup runs.
	t.Run("matrix", func(t *testing.T) {
		for _, c := range clients {
			for _, tr := range c.transports {
				for _, ser := range serializers {
					url := wsURL
					if tr == "rawsocket" {
						url = rsURL
					}
					t.Run(c.name+"/"+tr+"/"+ser, func(t *testing.T) {
						t.Parallel()
						if err := c.ready(); err != nil {
							missingTool(t, err)
						}
						if url == "" {
							t.Skip("no RawSocket address for the external router (INTEROP_RS_ADDR)")
						}
						runClient(t, c, url, ser)
					})
				}
			}
		}
	})
}

// missingTool fails under CI, which must run the whole matrix, and skips elsewhere.
func missingTool(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and a client is missing: %v", err)
	}
	t.Skipf("client missing: %v", err)
}

// runClient runs one client process and turns its lines into subtests.
func runClient(t *testing.T, c client, url, ser string) {
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	argv := append(c.argv(c.script), url, realm, ser, "--timeout", scriptSelfTimeout)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = "testdata"
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("%s: %v, exit %v", strings.Join(argv, " "), time.Since(start).Round(time.Millisecond), runErr)

	got, bad := parseResults(stdout.Bytes())
	for _, line := range bad {
		t.Errorf("unparsable output line: %q", line)
	}
	failed := false
	for _, name := range scenarios {
		r, ok := got[name]
		delete(got, name)
		t.Run(name, func(t *testing.T) {
			if r.MS >= 2000 {
				t.Logf("slow: %d ms", r.MS)
			}
			switch {
			case !ok:
				t.Errorf("no result line for this scenario (client exit: %v)", runErr)
			case !r.OK:
				t.Errorf("%s %s %s: %s", c.name, ser, url, r.Error)
			case r.Skipped != "":
				t.Skipf("skipped by the client: %s", r.Skipped)
			}
		})
		failed = failed || !ok || !r.OK
	}
	for name := range got {
		t.Errorf("result for unknown scenario %q", name)
	}
	if runErr != nil && !failed {
		t.Errorf("client exited with %v although every scenario passed", runErr)
	}
	if (failed || runErr != nil || t.Failed()) && stderr.Len() > 0 {
		t.Logf("client stderr (last 4 KiB):\n%s", tail(stderr.Bytes(), 4096))
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("client killed after %v", scriptTimeout)
	}
}

// parseResults reads the JSON result lines; other non-empty lines are returned as bad.
func parseResults(out []byte) (map[string]result, []string) {
	got := map[string]result{}
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Scenario == "" {
			bad = append(bad, line)
			continue
		}
		if prev, dup := got[r.Scenario]; dup && !prev.OK {
			continue // keep the first failure (an overall-timeout line may follow it)
		}
		got[r.Scenario] = r
	}
	return got, bad
}

func tail(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[len(b)-n:]
}
