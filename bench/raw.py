#!/usr/bin/env python3
"""The benchmark's raw lower bound, and its small registry helpers.

No mirroring logic: no planning, no existence checks, no digest checks, no
retries. Each unique blob is moved exactly once, by $RAW_THREADS (6) threads
that each keep one keep-alive connection per registry; then the manifests are
PUT, one after another.
Whatever a mirroring tool does beyond this is overhead.

  raw.py walk  --src ADDR --plan PLAN.jsonl            > SET.json
      (not timed) the unique blobs and the manifests the plan's images need
  raw.py copy  --src ADDR --dst ADDR SET.json          registry -> registry
  raw.py fetch --src ADDR --out DIR SET.json           registry -> directory
  raw.py push  --dir DIR  --dst ADDR SET.json          directory -> registry
  raw.py head  --dst ADDR SET.json                     HEAD each image's manifest
  raw.py big   --dst ADDR --repo REPO --tag TAG --size BYTES
      push an image whose one layer is BYTES of random data, streamed

A DIR is an OCI layout: DIR/blobs/sha256/HEX (as blob-copy writes dir:DIR).
Destination TLS: --ca FILE; credentials: $RAW_USER and $RAW_PASSWORD (never
printed). Every failure exits 1 with a one-line message naming the request.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import urllib.parse

THREADS = int(os.environ.get("RAW_THREADS", "6"))
BLOCK = 1 << 20
ACCEPT = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])


class Fail(Exception):
    pass


class Conn:
    """One keep-alive connection to one registry (one thread uses it)."""

    def __init__(self, addr, ca=None, auth=None):
        self.addr, self.ca, self.auth = addr, ca, auth
        self.c = None

    def _open(self):
        if self.ca:
            ctx = ssl.create_default_context(cafile=self.ca)
            c = http.client.HTTPSConnection(self.addr, timeout=120, context=ctx, blocksize=BLOCK)
        else:
            c = http.client.HTTPConnection(self.addr, timeout=120, blocksize=BLOCK)
        c.connect()
        # http.client sends the headers and a streamed body in separate
        # writes; without this, Nagle and delayed ACKs stall each upload.
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return c

    def send(self, method, path, body=None, headers=None, ok=(200,), length=None, chunked=False):
        """Sends one request; returns the response, its body unread."""
        h = {"User-Agent": "mirrorkit-bench-raw/1"}
        if self.auth:
            h["Authorization"] = self.auth
        h.update(headers or {})
        if length is not None:
            h["Content-Length"] = str(length)
        elif body is None and method in ("PUT", "POST", "PATCH"):
            h["Content-Length"] = "0"
        if self.c is None:
            self.c = self._open()
        try:
            self.c.request(method, path, body=body, headers=h, encode_chunked=chunked)
            r = self.c.getresponse()
        except (OSError, http.client.HTTPException) as e:
            self.c.close()
            self.c = None
            raise Fail("%s %s%s: %s" % (method, self.addr, path, e))
        if r.status not in ok:
            msg = r.read(200).decode("utf-8", "replace").replace("\n", " ")
            raise Fail("%s %s%s -> HTTP %d: %s" % (method, self.addr, path, r.status, msg))
        return r

    def call(self, method, path, **kw):
        r = self.send(method, path, **kw)
        data = r.read()
        return r, data

    def upload(self, repo, digest, body, length):
        r, _ = self.call("POST", "/v2/%s/blobs/uploads/" % repo, ok=(202,))
        u = urllib.parse.urlsplit(r.getheader("Location"))
        q = urllib.parse.parse_qsl(u.query, keep_blank_values=True) + [("digest", digest)]
        self.call("PUT", u.path + "?" + urllib.parse.urlencode(q), body=body, length=length,
                  headers={"Content-Type": "application/octet-stream"}, ok=(201,))


def dest_auth():
    user, pw = os.environ.get("RAW_USER"), os.environ.get("RAW_PASSWORD")
    if not user:
        return None
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw or "")).encode()).decode()


def split_ref(ref):
    """ADDR/REPO@DIGEST or ADDR/REPO:TAG -> (REPO, REFERENCE)."""
    rest = ref.split("/", 1)[1]
    if "@" in rest:
        return tuple(rest.split("@", 1))
    repo, _, tag = rest.rpartition(":")
    return repo, tag


def walk(a):
    src = Conn(a.src)
    blobs, manifests = {}, []
    for line in open(a.plan):
        rec = json.loads(line)
        repo, ref = split_ref(rec["source"])
        dest_repo, dest_tag = split_ref(rec["dest"].replace("PLACEHOLDER", "x"))
        todo = [(ref, dest_tag)]
        while todo:
            ref, tag = todo.pop()
            r, body = src.call("GET", "/v2/%s/manifests/%s" % (repo, ref), headers={"Accept": ACCEPT})
            m = json.loads(body)
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
            # children first, so every PUT finds what it references
            manifests.insert(0, {"repo": repo, "dest_repo": dest_repo, "digest": digest, "tag": tag,
                                 "media_type": r.getheader("Content-Type")})
            for child in m.get("manifests", []):
                todo.append((child["digest"], None))
            for d in [m["config"]] + m["layers"] if "config" in m else []:
                blobs.setdefault(d["digest"], {"digest": d["digest"], "size": d["size"], "repo": repo})
    json.dump({"blobs": list(blobs.values()), "manifests": manifests,
               "bytes": sum(b["size"] for b in blobs.values())}, sys.stdout)
    sys.stdout.write("\n")


def run_threads(items, work, make_state):
    """Runs work(state, item) on THREADS threads; the first failure wins."""
    items = list(items)
    lock, errors = threading.Lock(), []

    def loop():
        state = make_state()
        while True:
            with lock:
                if errors or not items:
                    return
                item = items.pop()
            try:
                work(state, item)
            except (Fail, OSError) as e:
                with lock:
                    errors.append(str(e))
                return

    ts = [threading.Thread(target=loop) for _ in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise Fail(errors[0])


def put_manifests(a, s, fetch):
    dst = Conn(a.dst, a.ca, dest_auth())
    for m in s["manifests"]:
        body = fetch(m)
        dst.call("PUT", "/v2/%s/manifests/%s" % (m["dest_repo"], m["tag"] or m["digest"]), body=body,
                 length=len(body), headers={"Content-Type": m["media_type"]}, ok=(201,))


def copy(a, s):
    def work(st, b):
        src, dst = st
        r = src.send("GET", "/v2/%s/blobs/%s" % (b["repo"], b["digest"]))
        dst.upload(s["manifests"][0]["dest_repo"], b["digest"], r, b["size"])
        r.read()  # nothing left; keeps the connection reusable
    run_threads(s["blobs"], work, lambda: (Conn(a.src), Conn(a.dst, a.ca, dest_auth())))
    src = Conn(a.src)
    put_manifests(a, s, lambda m: src.call("GET", "/v2/%s/manifests/%s" % (m["repo"], m["digest"]),
                                           headers={"Accept": ACCEPT})[1])


def blob_path(d, digest):
    return os.path.join(d, "blobs", "sha256", digest.split(":", 1)[1])


def fetch(a, s):
    os.makedirs(os.path.join(a.out, "blobs", "sha256"), exist_ok=True)

    def work(src, b):
        r = src.send("GET", "/v2/%s/blobs/%s" % (b["repo"], b["digest"]))
        with open(blob_path(a.out, b["digest"]), "wb") as f:
            while True:
                chunk = r.read(BLOCK)
                if not chunk:
                    break
                f.write(chunk)
    run_threads(s["blobs"], work, lambda: Conn(a.src))
    src = Conn(a.src)
    for m in s["manifests"]:
        _, body = src.call("GET", "/v2/%s/manifests/%s" % (m["repo"], m["digest"]), headers={"Accept": ACCEPT})
        with open(blob_path(a.out, m["digest"]), "wb") as f:
            f.write(body)


def push(a, s):
    def work(dst, b):
        with open(blob_path(a.dir, b["digest"]), "rb") as f:
            dst.upload(s["manifests"][0]["dest_repo"], b["digest"], f, b["size"])
    run_threads(s["blobs"], work, lambda: Conn(a.dst, a.ca, dest_auth()))

    def read(m):
        with open(blob_path(a.dir, m["digest"]), "rb") as f:
            return f.read()
    put_manifests(a, s, read)


def head(a, s):
    """All present: one HEAD per image the plan names (a manifest that is
    there was only accepted with everything it references)."""
    items = [m for m in s["manifests"] if m["tag"]]
    run_threads(items, lambda dst, m: dst.call("HEAD", "/v2/%s/manifests/%s" % (m["dest_repo"], m["tag"]),
                                               headers={"Accept": ACCEPT}),
                lambda: Conn(a.dst, a.ca, dest_auth()))


def big(a):
    """Streams a.size random bytes up as one layer (POST, chunked PATCH, PUT)."""
    dst = Conn(a.dst, a.ca, dest_auth())
    h = hashlib.sha256()

    def gen():
        left = a.size
        while left:
            chunk = os.urandom(min(BLOCK, left))
            h.update(chunk)
            left -= len(chunk)
            yield chunk
    r, _ = dst.call("POST", "/v2/%s/blobs/uploads/" % a.repo, ok=(202,))
    u = urllib.parse.urlsplit(r.getheader("Location"))
    r, _ = dst.call("PATCH", u.path + "?" + u.query, body=gen(), chunked=True,
                    headers={"Content-Type": "application/octet-stream"}, ok=(202,))
    u = urllib.parse.urlsplit(r.getheader("Location"))
    layer = "sha256:" + h.hexdigest()
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True) + [("digest", layer)]
    dst.call("PUT", u.path + "?" + urllib.parse.urlencode(q), ok=(201,))
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [layer]}}).encode()
    cfg_digest = "sha256:" + hashlib.sha256(cfg).hexdigest()
    dst.upload(a.repo, cfg_digest, cfg, len(cfg))
    mt = "application/vnd.oci.image.manifest.v1+json"
    man = json.dumps({"schemaVersion": 2, "mediaType": mt,
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": cfg_digest, "size": len(cfg)},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                  "digest": layer, "size": a.size}]}).encode()
    dst.call("PUT", "/v2/%s/manifests/%s" % (a.repo, a.tag), body=man, length=len(man),
             headers={"Content-Type": mt}, ok=(201,))
    print("sha256:" + hashlib.sha256(man).hexdigest())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=("walk", "copy", "fetch", "push", "head", "big"))
    p.add_argument("set", nargs="?")
    p.add_argument("--src")
    p.add_argument("--dst")
    p.add_argument("--ca")
    p.add_argument("--plan")
    p.add_argument("--out")
    p.add_argument("--dir")
    p.add_argument("--repo")
    p.add_argument("--tag")
    p.add_argument("--size", type=int)
    a = p.parse_intermixed_args()
    try:
        if a.mode == "walk":
            return walk(a)
        if a.mode == "big":
            return big(a)
        with open(a.set) as f:
            s = json.load(f)
        {"copy": copy, "fetch": fetch, "push": push, "head": head}[a.mode](a, s)
    except (Fail, OSError, ssl.SSLError) as e:
        print("raw.py %s: %s" % (a.mode, e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
