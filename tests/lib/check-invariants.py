#!/usr/bin/env python3
"""The one invariant checker run after every fault scenario (tests/faults.bats).

It trusts nothing the tool under test says about content: registries are
read back with skopeo (the oracle) and their storage walked, directories
are checked with `oci-dir verify` AND an independent sha256 walk. It prints
one line per broken invariant on stdout and exits 1 if there is any, 0 if
all hold (2 on bad usage).

Invariants:
  exit       the tool's exit status is one of --expect-exit
  records    stdout is JSON lines; every record that says copied/present
             names an image that is complete at its destination
  content    every manifest and blob at the destination matches its digest
             (registry: skopeo inspect --raw + skopeo copy --all to a dir,
             every blob hashed; storage walk of --registry-data; directory:
             oci-dir verify + a sha256 walk of blobs/sha256/*)
  partial    nothing partial under a final name (no temporary left after a
             run that exited 0; every final name is 64 hex digits)
  secrets    no canary (--secret, and user:password in base64) appears in
             any --scan file
  authz      no request with an Authorization header reached a proxy
             listener other than "main" (127.0.0.2, plain http)
  resume     (--resume KILLED_LOG RERUN_LOG DURABLE_FILE STREAMS) blob
             bytes served again on the re-run <= bytes in flight at the kill
             + 1 MiB per stream, and nothing durable at the kill fetched
             again

Subcommand `durable` prints the blob digests durable at a destination now
(registry storage links, or a directory's final blob names), for --resume.
"""

import argparse
import base64
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HEX64 = re.compile(r"^[0-9a-f]{64}$")
MIB = 1 << 20
BLOB_PATH = re.compile(r"/v2/.+/blobs/(sha256:[0-9a-f]{64})")

problems = []


def bad(msg):
    problems.append(msg)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_records(path):
    recs = []
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                bad("records: blank line %d" % n)
                continue
            try:
                r = json.loads(line)
            except ValueError:
                bad("records: line %d is not JSON" % n)
                continue
            if not isinstance(r, dict):
                bad("records: line %d is not an object" % n)
                continue
            recs.append(r)
    return recs


def check_secrets(secrets, files):
    needles = set()
    for s in secrets:
        if s:
            needles.add(s.encode())
    if len(secrets) >= 2 and secrets[0] and secrets[1]:
        pair = ("%s:%s" % (secrets[0], secrets[1])).encode()
        needles.add(base64.b64encode(pair))
        needles.add(base64.b64encode(pair).rstrip(b"="))
    for i in range(2, len(secrets) - 1, 2):
        pair = ("%s:%s" % (secrets[i], secrets[i + 1])).encode()
        needles.add(base64.b64encode(pair))
    for path in files:
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        for n in needles:
            if n in data:
                # never print the secret itself
                bad("secrets: a canary credential appears in %s" % path)
                break


def proxy_lines(path):
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def check_authz(logs):
    for path in logs:
        for r in proxy_lines(path):
            if r.get("name") != "main" and r.get("authorization"):
                bad("authz: Authorization reached %s (%s %s)" % (r.get("listener"), r.get("method"), r.get("path")))


def skopeo(args, **kw):
    return subprocess.run(["skopeo"] + args, capture_output=True, **kw)


def verify_skopeo_dir(d, ref):
    """Every 64-hex file in a skopeo dir: copy hashes to its name; every
    manifest's blobs are there."""
    names = set(os.listdir(d))
    for name in names:
        base = name.split(".")[0]
        if HEX64.match(name):
            if sha256_file(os.path.join(d, name)) != name:
                bad("content: %s: blob %s does not match its digest" % (ref, name))
        elif name.endswith(".manifest.json") and HEX64.match(base):
            if sha256_file(os.path.join(d, name)) != base:
                bad("content: %s: manifest %s does not match its digest" % (ref, base))
    for name in names:
        if not (name == "manifest.json" or name.endswith(".manifest.json")):
            continue
        with open(os.path.join(d, name)) as f:
            m = json.load(f)
        for child in m.get("manifests", []):
            h = child["digest"].split(":", 1)[1]
            if h + ".manifest.json" not in names:
                bad("content: %s: list child %s missing" % (ref, child["digest"]))
        blobs = ([m["config"]] if "config" in m else []) + m.get("layers", [])
        for b in blobs:
            if b.get("urls"):
                continue
            h = b["digest"].split(":", 1)[1]
            if h not in names:
                bad("content: %s: blob %s missing" % (ref, b["digest"]))
            elif os.path.getsize(os.path.join(d, h)) != b["size"]:
                bad("content: %s: blob %s has the wrong size" % (ref, b["digest"]))


def check_registry(args, recs):
    sk = []
    if args.cert_dir:
        sk.append("--cert-dir=" + args.cert_dir)
    else:
        sk.append("--tls-verify=false")
    if args.authfile:
        sk.append("--authfile=" + args.authfile)
    src = [a.replace("--", "--src-", 1) for a in sk]

    def one(r):
        dest = r.get("dest")
        if not isinstance(dest, str) or dest.startswith("dir:"):
            return
        for frm, to in args.rewrite:
            if dest.startswith(frm + "/"):
                dest = to + dest[len(frm):]
        status = r.get("status")
        raw = skopeo(["inspect", "--raw"] + sk + ["docker://" + dest])
        if raw.returncode != 0:
            if status in ("copied", "present"):
                bad("records: %s says %s but skopeo inspect finds no %s" % (r.get("dest"), status, dest))
            return  # a failed image may be absent; whatever is visible must be whole
        raw_digest = "sha256:" + hashlib.sha256(raw.stdout).hexdigest()
        if r.get("digest") and status in ("copied", "present") and raw_digest != r["digest"]:
            bad("content: %s is %s, the record says %s" % (dest, raw_digest, r["digest"]))
        with tempfile.TemporaryDirectory(dir=args.tmp) as d:
            cp = skopeo(["copy", "--all", "--quiet"] + src + ["docker://" + dest, "dir:" + d])
            if cp.returncode != 0:
                if status in ("copied", "present"):
                    bad("records: %s says %s but skopeo cannot copy %s: %s" % (
                        r.get("dest"), status, dest, cp.stderr.decode(errors="replace").strip()[-300:]))
                else:
                    bad("partial: %s is visible but skopeo cannot copy it" % dest)
                return
            # skopeo keeps the manifest's bytes when it converts nothing
            digest = "sha256:" + sha256_file(os.path.join(d, "manifest.json"))
            if digest != raw_digest:
                bad("content: %s: skopeo copy got manifest %s, inspect %s" % (dest, digest, raw_digest))
            verify_skopeo_dir(d, dest)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, recs))
    if args.registry_data:
        root = os.path.join(args.registry_data, "docker/registry/v2/blobs/sha256")
        for data in glob.glob(os.path.join(root, "*/*/data")):
            h = os.path.basename(os.path.dirname(data))
            if sha256_file(data) != h:
                bad("content: registry storage holds wrong bytes under %s" % h)


def check_dir(args, recs):
    d = args.dest_dir
    if not os.path.isdir(d):
        if any(r.get("status") in ("copied", "present") for r in recs):
            bad("records: copied into %s but it does not exist" % d)
        return
    blobdir = os.path.join(d, "blobs", "sha256")
    temps = []
    for name in os.listdir(blobdir) if os.path.isdir(blobdir) else []:
        p = os.path.join(blobdir, name)
        if name.startswith("."):
            temps.append(name)
            continue
        if not HEX64.match(name):
            bad("partial: %s is not a digest name" % p)
            continue
        if sha256_file(p) != name:
            bad("content: %s does not match its name" % p)
    if temps and args.exit == 0:
        bad("partial: temporaries left after exit 0: %s" % " ".join(sorted(temps)[:5]))
    for name in os.listdir(d):
        if ".tmp" in name:
            if args.exit == 0:
                bad("partial: temporary %s left after exit 0" % name)
    if args.oci_dir and os.path.exists(os.path.join(d, "index.json")):
        v = subprocess.run([args.oci_dir, "verify", d], capture_output=True)
        if v.returncode != 0:
            bad("content: oci-dir verify %s exited %d: %s" % (d, v.returncode, v.stdout.decode(errors="replace")[-300:]))
    # every image said copied/present is named in index.json, whole
    index = {}
    try:
        with open(os.path.join(d, "index.json")) as f:
            for m in json.load(f).get("manifests", []):
                index[m["digest"]] = m
    except (OSError, ValueError):
        pass

    def walk(digest, seen):
        if digest in seen:
            return
        seen.add(digest)
        p = os.path.join(blobdir, digest.split(":", 1)[1])
        if not os.path.exists(p):
            bad("records: %s missing from %s" % (digest, d))
            return
        with open(p) as f:
            m = json.load(f)
        for c in m.get("manifests", []):
            walk(c["digest"], seen)
        for b in ([m["config"]] if "config" in m else []) + m.get("layers", []):
            if b.get("urls"):
                continue
            bp = os.path.join(blobdir, b["digest"].split(":", 1)[1])
            if not os.path.exists(bp):
                bad("records: blob %s of %s missing" % (b["digest"], digest))
            elif os.path.getsize(bp) != b["size"]:
                bad("content: blob %s has the wrong size" % b["digest"])

    for r in recs:
        if r.get("status") not in ("copied", "present"):
            continue
        dg = r.get("digest")
        if dg not in index:
            bad("records: %s says %s but %s is not in index.json" % (r.get("dest"), r.get("status"), dg))
            continue
        walk(dg, set())


def served_blobs(path):
    """digest -> body bytes the proxy sent for GETs of that blob."""
    served = {}
    for r in proxy_lines(path):
        if r.get("method") != "GET":
            continue
        m = BLOB_PATH.search(r.get("path", ""))
        if m:
            served[m.group(1)] = served.get(m.group(1), 0) + int(r.get("bytes_out", 0))
    return served


def check_resume(args):
    killed_log, rerun_log, durable_file, streams = args.resume
    streams = int(streams)
    with open(durable_file) as f:
        durable = {l.strip() for l in f if l.strip()}
    served1, served2 = served_blobs(killed_log), served_blobs(rerun_log)
    # In flight at the kill: what the killed run had fetched of blobs that
    # had not reached the destination. Fetched again: what the re-run
    # fetched of blobs the killed run had fetched (some of) already.
    inflight = sum(n for d, n in served1.items() if d not in durable)
    refetched = sum(min(n, served1.get(d, 0)) for d, n in served2.items())
    again = sorted(d for d in durable if served2.get(d, 0) > 0)
    if again:
        bad("resume: %d blob(s) durable at the kill fetched again (%s...)" % (len(again), again[0]))
    limit = inflight + streams * MIB
    if refetched > limit:
        bad("resume: re-run fetched %d bytes again; bound is %d (in flight %d + %d MiB)" %
            (refetched, limit, inflight, streams))
    print("resume: in flight %d, fetched again %d, bound %d" % (inflight, refetched, limit), file=sys.stderr)


def durable_main(argv):
    p = argparse.ArgumentParser(prog="check-invariants durable")
    p.add_argument("--dest-dir")
    p.add_argument("--registry-data")
    a = p.parse_args(argv)
    out = set()
    if a.dest_dir:
        for name in os.listdir(os.path.join(a.dest_dir, "blobs", "sha256")) if os.path.isdir(
                os.path.join(a.dest_dir, "blobs", "sha256")) else []:
            if HEX64.match(name):
                out.add("sha256:" + name)
    if a.registry_data:
        for link in glob.glob(os.path.join(a.registry_data, "docker/registry/v2/repositories/**/_layers/sha256/*/link"),
                              recursive=True):
            out.add("sha256:" + os.path.basename(os.path.dirname(link)))
    for d in sorted(out):
        print(d)
    return 0


def main(argv):
    if argv and argv[0] == "durable":
        return durable_main(argv[1:])
    p = argparse.ArgumentParser(prog="check-invariants")
    p.add_argument("--exit", type=int, required=True, help="the tool's exit status")
    p.add_argument("--expect-exit", required=True, help="allowed statuses, comma-separated")
    p.add_argument("--records", required=True)
    p.add_argument("--scan", action="append", default=[], help="file that must hold no secret")
    p.add_argument("--secret", action="append", default=[], help="canary: USER then PASSWORD, repeatable")
    p.add_argument("--proxy-log", action="append", default=[])
    p.add_argument("--dest-kind", choices=["registry", "dir"], required=True)
    p.add_argument("--dest-dir")
    p.add_argument("--oci-dir", help="path of the oci-dir tool")
    p.add_argument("--rewrite", nargs=2, action="append", default=[], metavar=("FROM", "TO"),
                   help="read dest FROM (a proxy) at TO (the registry itself)")
    p.add_argument("--cert-dir")
    p.add_argument("--authfile")
    p.add_argument("--registry-data")
    p.add_argument("--resume", nargs=4, metavar=("KILLED_LOG", "RERUN_LOG", "DURABLE_FILE", "STREAMS"),
                   help="source proxy logs of the killed run and of the re-run, the blobs durable "
                        "at the kill (see durable), the number of streams (--jobs)")
    p.add_argument("--tmp", default=None)
    args = p.parse_args(argv)

    allowed = {int(x) for x in args.expect_exit.split(",")}
    if args.exit not in allowed:
        bad("exit: status %d, expected %s" % (args.exit, args.expect_exit))
    recs = read_records(args.records)
    check_secrets(args.secret, [args.records] + args.scan + args.proxy_log)
    check_authz(args.proxy_log)
    if args.dest_kind == "registry":
        check_registry(args, recs)
    else:
        check_dir(args, recs)
    if args.resume:
        check_resume(args)
    for m in problems:
        print(m)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
