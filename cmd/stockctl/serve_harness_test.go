package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a running `stockctl serve`.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	url     string // http://127.0.0.1:PORT
	token   string
	exited  chan struct{}
	waitErr error
	mu      sync.Mutex
	out     bytes.Buffer // stdout and stderr
}

var listening = regexp.MustCompile(`listening on (http://\S+)/ `)

// startServe starts `stockctl serve --listen 127.0.0.1:0 args...` on dir and waits until
// it says where it listens. It runs raceBinary: a data race in serve fails the test, with
// the race detector's report.
func startServe(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	s := &server{t: t, exited: make(chan struct{})}
	s.cmd = exec.Command(raceBinary(t), append([]string{"--data-dir", dir, "serve", "--listen", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = append(append(cleanEnv(), realKafkaEnv(dir)...), env...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.out.Write(p)
	})
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
		if err := raceReported(s.output()); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case s.url = <-found:
	case <-s.exited:
		t.Fatalf("serve exited before listening: %v\n%s", s.waitErr, s.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60s\n%s", s.output())
	}
	return s
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// stop sends sig and returns the exit code once serve has exited.
func (s *server) stop(sig os.Signal) int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.t.Fatalf("serve did not stop within 20s of %v\n%s", sig, s.output())
	}
	var exit *exec.ExitError
	if errors.As(s.waitErr, &exit) {
		return exit.ExitCode()
	}
	return 0
}

// response is what one HTTP request got.
type response struct {
	status int
	header http.Header
	body   string
}

// apiErrorBody is the JSON body of every API error.
type apiErrorBody struct {
	Error struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func (r response) apiError(t *testing.T) apiErrorBody {
	t.Helper()
	var e apiErrorBody
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.Status != r.status {
		t.Fatalf("not an API error body for status %d (%v):\n%s", r.status, err, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("API error with Content-Type %q", ct)
	}
	return e
}

// client returns an HTTP client that does not follow redirects and keeps cookies.
func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request and reads the whole answer.
func (s *server) do(c *http.Client, method, path string, body io.Reader, header ...string) response {
	s.t.Helper()
	r, err := s.try(c, method, path, body, header...)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// try is do for any goroutine: it returns what went wrong instead of failing the test.
func (s *server) try(c *http.Client, method, path string, body io.Reader, header ...string) (response, error) {
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		return response{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = client()
	}
	res, err := c.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %v%s", method, path, err, s.ifExited())
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading the answer: %v%s", method, path, err, s.ifExited())
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}, nil
}

// exitReport is ifExited once serve has had 10 seconds to exit after a failed request:
// a connection reset by a process that stops on a data race comes before its exit.
func (s *server) exitReport() string {
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		return "\n(serve is still running)"
	}
	return s.ifExited()
}

// ifExited says how serve ended, with its output, if it has: a request that failed
// because serve stopped on a data race shows the race.
func (s *server) ifExited() string {
	select {
	case <-s.exited:
		return fmt.Sprintf("\nserve has exited (%v):\n%s", s.waitErr, s.output())
	default:
		return ""
	}
}

func (s *server) get(path string, header ...string) response {
	s.t.Helper()
	return s.do(nil, "GET", path, nil, header...)
}

// post sends a JSON operation to the API.
func (s *server) post(body string, header ...string) response {
	s.t.Helper()
	r, err := s.tryPost(body, header...)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// tryPost is post for any goroutine.
func (s *server) tryPost(body string, header ...string) (response, error) {
	return s.try(nil, "POST", "/api/operations", strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

// events is an open /api/events stream.
type events struct {
	body  io.Closer
	lines chan string
}

// subscribe opens the event stream and waits for its hello.
func (s *server) subscribe(header ...string) *events {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.url+"/api/events", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		s.t.Fatalf("GET /api/events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	e := &events{body: res.Body, lines: make(chan string, 1024)}
	go func() {
		defer close(e.lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			e.lines <- sc.Text()
		}
	}()
	s.t.Cleanup(func() { res.Body.Close() })
	if _, data := e.next(s.t, "hello", 10*time.Second); !strings.Contains(data, `"version"`) {
		s.t.Fatalf("hello without a version: %s", data)
	}
	return e
}

// next returns the next event named name (skipping others), failing after timeout.
func (e *events) next(t *testing.T, name string, timeout time.Duration) (string, string) {
	t.Helper()
	deadline := time.After(timeout)
	event := ""
	for {
		select {
		case line, ok := <-e.lines:
			if !ok {
				t.Fatalf("the event stream ended while waiting for %q", name)
			}
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == name:
				return event, strings.TrimPrefix(line, "data: ")
			}
		case <-deadline:
			t.Fatalf("no %q event within %s", name, timeout)
		}
	}
}

// end waits until the event stream ends, failing after timeout.
func (e *events) end(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-e.lines:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("the event stream did not end within %s", timeout)
		}
	}
}

// interrupt stops serve with SIGINT and checks it exits 0.
func (s *server) interrupt() {
	s.t.Helper()
	if code := s.stop(syscall.SIGINT); code != 0 {
		s.t.Fatalf("serve exited %d on SIGINT\n%s", code, s.output())
	}
}
