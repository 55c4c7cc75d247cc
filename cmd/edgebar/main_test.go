package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	good := writeFile(t, "good.yaml", `
version: 2
workers:
  - type: router
    realms: [{name: realm1}]
    transports:
      - {type: rawsocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 8081}}
`)
	bad := writeFile(t, "bad.json", `{"version": 2, "workers": [{"type": "router", "realms": [{"name": "realm1"}, {"name": "realm1"}],
		"transports": [{"type": "websocket", "endpoint": {"type": "tcp", "port": 70000}, "serializers": ["xml"]}]}]}`)
	undecodable := writeFile(t, "typo.yaml", "workers: [{type: router, realms: [{name: r1}], transports: [{type: websocket, endpoint: {type: tcp, port: 1, prot: 2}}]}]")
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string
		stderrHas  []string
		stderrLine int // number of lines on stderr
	}{
		{"good", []string{good}, 0, good + ": ok\n", nil, 0},
		{"bad", []string{bad}, 1, "", []string{
			bad + `: workers[0].realms[1].name: duplicate realm name "realm1" (first at workers[0].realms[0].name)`,
			bad + ": workers[0].transports[0].endpoint.port: 70000 out of range 0-65535",
			bad + `: workers[0].transports[0].serializers[0]: unknown serializer "xml" (want json, msgpack or cbor)`,
		}, 3},
		{"unknown field", []string{undecodable}, 1, "", []string{
			undecodable + ": workers[0].transports[0].endpoint.prot: unknown field",
		}, 1},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.yaml")}, 1, "", []string{"no such file"}, 1},
		{"two files", []string{good, bad}, 2, "", []string{"usage: edgebar check"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"check"}, tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.stdout)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if n := strings.Count(stderr.String(), "\n"); n != tt.stderrLine {
				t.Errorf("stderr has %d lines, want %d:\n%s", n, tt.stderrLine, stderr.String())
			}
		})
	}
}

func TestCheckFindsDefault(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"check"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "built-in default") {
		t.Errorf("stdout = %q", stdout.String())
	}
	os.Mkdir(filepath.Join(dir, ".edgebar"), 0o755)
	os.WriteFile(filepath.Join(dir, ".edgebar", "config.yaml"), []byte("workers: []\n"), 0o644)
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"check"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := ".edgebar/config.yaml: workers: no workers: the node would serve nothing\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

func TestUsageAndVersion(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // substring
	}{
		{[]string{"help"}, 0, "edgebar start"},
		{[]string{"version"}, 0, "edgebar "},
		{nil, 2, ""},
		{[]string{"frobnicate"}, 2, ""},
		{[]string{"start", "--log-level", "loud"}, 2, ""},
		{[]string{"start", "extra"}, 2, ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != tt.code {
			t.Errorf("%q: exit %d, want %d", tt.args, code, tt.code)
		}
		if !strings.Contains(stdout.String(), tt.stdout) {
			t.Errorf("%q: stdout = %q", tt.args, stdout.String())
		}
	}
	version = "v9.9.9"
	defer func() { version = "" }()
	var stdout bytes.Buffer
	run(context.Background(), []string{"version"}, &stdout, io.Discard)
	if stdout.String() != "edgebar v9.9.9\n" {
		t.Errorf("version with -X = %q", stdout.String())
	}
}

func TestStartBadConfig(t *testing.T) {
	bad := writeFile(t, "bad.yaml", "workers: [{type: guest}]\n")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"start", "--config", bad}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), `workers[0].type: "guest" not supported yet`) {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestStartBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := writeFile(t, "busy.yaml", fmt.Sprintf(`
workers:
  - type: router
    realms: [{name: realm1}]
    transports:
      - {type: rawsocket, endpoint: {type: tcp, interface: 127.0.0.1, port: 0}}
      - {type: websocket, endpoint: {type: tcp, interface: 127.0.0.1, port: %d}}
`, port))
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"start", "--config", cfg}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

// lineWriter hands each line written to it to a channel.
type lineWriter struct {
	lines chan string
	buf   bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line) // incomplete: keep for the next write
			return len(p), nil
		}
		w.lines <- strings.TrimSuffix(line, "\n")
	}
}

var servingRE = regexp.MustCompile(`^edgebar: serving ws://(127\.0\.0\.1:\d+)/ws, rawsocket (127\.0\.0\.1:\d+)$`)

// TestStart runs `edgebar start` in-process on port 0, joins realm1 over a
// WebSocket (subprotocol wamp.2.json) and over RawSocket, then cancels the
// context as SIGTERM would and expects GOODBYE wamp.close.system_shutdown
// on both sessions and exit code 0.
func TestStart(t *testing.T) {
	cfg := writeFile(t, "config.yaml", `
version: 2
workers:
  - type: router
    realms:
      - name: realm1
        roles: [{name: anonymous, permissions: [{uri: "", match: prefix, allow: {call: true, register: true, publish: true, subscribe: true}}]}]
    transports:
      - type: web
        endpoint: {type: tcp, interface: 127.0.0.1, port: 0}
        paths: {ws: {type: websocket, auth: {anonymous: {type: static, role: anonymous}}}}
      - type: rawsocket
        endpoint: {type: tcp, interface: 127.0.0.1, port: 0}
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 16)}
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"start", "--config", cfg, "--log-level", "debug"}, out, &stderr) }()

	var wsAddr, rsAddr string
	select {
	case line := <-out.lines:
		m := servingRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("first line = %q, want %s", line, servingRE)
		}
		wsAddr, rsAddr = m[1], m[2]
	case code := <-done:
		t.Fatalf("start exited with %d:\n%s", code, stderr.String())
	}

	ws := dialWAMPWebSocket(t, wsAddr, "/ws")
	defer ws.conn.Close()
	hello := `[1,"realm1",{"roles":{"caller":{},"subscriber":{}}}]`
	ws.writeText(t, hello)
	if msg := ws.readJSON(t); msgType(msg) != 2 {
		t.Fatalf("websocket: want WELCOME, got %v", msg)
	}

	rs := dialRawSocketJSON(t, rsAddr)
	defer rs.conn.Close()
	rs.write(t, hello)
	if msg := rs.readJSON(t); msgType(msg) != 2 {
		t.Fatalf("rawsocket: want WELCOME, got %v", msg)
	}

	cancel() // what SIGTERM does to main's context
	for name, read := range map[string]func(*testing.T) []any{"websocket": ws.readJSON, "rawsocket": rs.readJSON} {
		msg := read(t)
		if msgType(msg) != 6 || len(msg) < 3 || msg[2] != "wamp.close.system_shutdown" {
			t.Errorf("%s: want GOODBYE wamp.close.system_shutdown, got %v", name, msg)
		}
	}
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0; stderr:\n%s", code, stderr.String())
	}
}

func msgType(msg []any) int {
	if len(msg) == 0 {
		return -1
	}
	f, _ := msg[0].(float64)
	return int(f)
}

// A minimal WebSocket client (RFC 6455), written here so that the test
// checks the wire rather than our own transport package.
type wsClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialWAMPWebSocket(t *testing.T, addr, path string) *wsClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // a hang fails the test instead of stalling it
	var key [16]byte
	rand.Read(key[:])
	k := base64.StdEncoding.EncodeToString(key[:])
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n", path, addr, k)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake status %s", resp.Status)
	}
	if p := resp.Header.Get("Sec-WebSocket-Protocol"); p != "wamp.2.json" {
		t.Fatalf("subprotocol %q, want wamp.2.json", p)
	}
	sum := sha1.Sum([]byte(k + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("bad Sec-WebSocket-Accept %q", got)
	}
	return &wsClient{conn: conn, r: r}
}

// writeText sends one masked text frame, as a client must.
func (c *wsClient) writeText(t *testing.T, s string) {
	t.Helper()
	frame := []byte{0x81}
	switch n := len(s); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	default:
		frame = append(frame, 0x80|126, byte(n>>8), byte(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i := 0; i < len(s); i++ {
		frame = append(frame, s[i]^mask[i%4])
	}
	if _, err := c.conn.Write(frame); err != nil {
		t.Fatal(err)
	}
}

// readJSON returns the next data message, skipping control frames other
// than close (which fails the test).
func (c *wsClient) readJSON(t *testing.T) []any {
	t.Helper()
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.r, h[:]); err != nil {
			t.Fatalf("websocket read: %v", err)
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			io.ReadFull(c.r, b[:])
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			io.ReadFull(c.r, b[:])
			n = binary.BigEndian.Uint64(b[:])
		}
		if h[1]&0x80 != 0 || n > 1<<20 {
			t.Fatalf("bad server frame header %x len %d", h, n)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.r, payload); err != nil {
			t.Fatalf("websocket read: %v", err)
		}
		switch op := h[0] & 0x0f; op {
		case 0x1, 0x2:
			return decodeMsg(t, payload)
		case 0x8:
			t.Fatalf("websocket closed by server: %q", payload)
		}
	}
}

// A minimal RawSocket client (WAMP §"RawSocket Transport"), JSON serializer.
type rsClient struct {
	conn net.Conn
}

func dialRawSocketJSON(t *testing.T, addr string) *rsClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	// 0x7F magic, max length 2^(9+15) and serializer 1 (json), reserved.
	if _, err := conn.Write([]byte{0x7f, 0xf1, 0, 0}); err != nil {
		t.Fatal(err)
	}
	var reply [4]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil {
		t.Fatal(err)
	}
	if reply[0] != 0x7f || reply[1]&0x0f != 1 {
		t.Fatalf("rawsocket handshake reply %x", reply)
	}
	return &rsClient{conn: conn}
}

func (c *rsClient) write(t *testing.T, s string) {
	t.Helper()
	var h [4]byte
	binary.BigEndian.PutUint32(h[:], uint32(len(s))) // type 0: regular message
	if _, err := c.conn.Write(append(h[:], s...)); err != nil {
		t.Fatal(err)
	}
}

func (c *rsClient) readJSON(t *testing.T) []any {
	t.Helper()
	for {
		var h [4]byte
		if _, err := io.ReadFull(c.conn, h[:]); err != nil {
			t.Fatalf("rawsocket read: %v", err)
		}
		n := binary.BigEndian.Uint32(h[:]) & 0xffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.conn, payload); err != nil {
			t.Fatalf("rawsocket read: %v", err)
		}
		switch h[0] & 0x07 {
		case 0:
			return decodeMsg(t, payload)
		case 1: // PING: answer with PONG, same payload
			binary.BigEndian.PutUint32(h[:], 2<<24|n)
			c.conn.Write(append(h[:], payload...))
		}
	}
}

func decodeMsg(t *testing.T, data []byte) []any {
	t.Helper()
	var msg []any
	if err := json.Unmarshal(data, &msg); err != nil {
		t.Fatalf("bad JSON message %q: %v", data, err)
	}
	return msg
}

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
