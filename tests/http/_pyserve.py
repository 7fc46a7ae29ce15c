#!/usr/bin/env python3
"""_pyserve.py MODE ROOT PORT LOG [ARG]: a misbehaving mirror on 127.0.0.1.

Serves files below ROOT (GET and HEAD, Range "bytes=N-" honoured with 206)
and logs one line per request to LOG: "METHOD PATH RANGE-or-- STATUS".
Writes "READY" to LOG once listening.  Modes:
  trickle  files under */pkg/* are sent at ARG bytes per second (default 8)
  cut      the first GET of each file under */pkg/* without a Range header
           sends ARG bytes (default 4000) of the body after a full
           Content-Length and then drops the connection
  plain    a well-behaved server; also answers proxy requests
           (absolute URIs) from ROOT, without forwarding anything
Test helper only: loopback, bounded by the test's own timeouts.
"""
import http.server, os, socketserver, sys, time

MODE, ROOT, PORT, LOG = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ARG = int(sys.argv[5]) if len(sys.argv) > 5 else None
cut_done = set()

def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def target(self):
        p = self.path.split("?", 1)[0]
        if p.startswith("http://"):         # as a proxy: absolute URI
            p = "/" + p[7:].split("/", 1)[1]
        full = os.path.realpath(os.path.join(ROOT, p.lstrip("/")))
        if not full.startswith(os.path.realpath(ROOT) + os.sep) or not os.path.isfile(full):
            return None
        return full

    def answer(self, body):
        path = self.target()
        rng = self.headers.get("Range")
        if path is None:
            log("%s %s %s 404" % (self.command, self.path, rng or "-"))
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        start, status = 0, 200
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start, status = int(rng[6:-1]), 206
        log("%s %s %s %d" % (self.command, self.path, rng or "-", status))
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        if not body:
            return
        data = data[start:]
        pkg = "/pkg/" in self.path
        if MODE == "trickle" and pkg:
            rate = ARG or 8
            for i in range(0, len(data), rate):
                self.wfile.write(data[i:i + rate])
                self.wfile.flush()
                time.sleep(1)
            return
        if MODE == "cut" and pkg and rng is None and self.path not in cut_done:
            cut_done.add(self.path)
            self.wfile.write(data[:ARG or 4000])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

srv = S(("127.0.0.1", PORT), H)
log("READY")
srv.serve_forever()
