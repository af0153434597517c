#!/usr/bin/env python3
"""Writes the hand-made seeds of each fuzz target's corpus.

tests/fuzz/corpus/NAME/seed-* are these files: real documents (manifests,
indexes, auth files, records, tar layers like the tests' fixtures make) and
hostile ones (deep nesting, huge numbers, invalid UTF-8, truncated and
negative-size tar headers, base-256 sizes, path traversal...). The other
files of a corpus are what `make fuzz` found and kept (-merge=1).

Each file is the exact input of LLVMFuzzerTestOneInput, so a target that
takes a selector byte first (see its header comment) gets one here too.
Deterministic: re-running rewrites the same bytes. Stdlib only.

usage: tests/fuzz/seeds.py [CORPUS_DIR]   (default: tests/fuzz/corpus)
"""

import base64
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


D1 = sha(b"one")
D2 = sha(b"two")
D3 = sha(b"three")

# --- references --------------------------------------------------------
refs = {
    "quay": "quay.io/openshift-release-dev/ocp-release:4.14.1-x86_64",
    "pinned": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@" + D1,
    "tag-and-digest": "registry.example.com:5000/a/b/c:v1@" + D2,
    "bare": "ubuntu",
    "library": "library/ubuntu:22.04",
    "docker-io": "docker.io/ubuntu",
    "index-docker-io": "index.docker.io/library/busybox:latest",
    "localhost": "localhost/foo",
    "localhost-port": "localhost:5000/foo:bar",
    "loopback": "127.0.0.1:5000/mirror/release@" + D3,
    "ipv6": "[::1]:5000/foo/bar:baz",
    "ipv6-noport": "[fe80::1%eth0]/x",
    "separators": "a.b_c__d---e/f-g.h:TAG_1.2-3",
    "upper-domain": "Quay.IO/org/repo",
    "upper-path": "quay.io/Org/Repo",
    "long-name": "a" * 250,
    "long-name-domain": "r.example/" + "b" * 250,
    "long-tag": "quay.io/a:" + "t" * 129,
    "tag-128": "quay.io/a:" + "t" * 128,
    "sha512": "quay.io/a@sha512:" + "ab" * 64,
    "bad-digest": "quay.io/a@sha256:XYZ",
    "two-at": "quay.io/a@sha256:" + "0" * 64 + "@sha256:" + "1" * 64,
    "empty-port": "quay.io:/a",
    "port-letters": "quay.io:50a0/a",
    "port-long": "quay.io:123456/a",
    "traversal": "quay.io/../etc/passwd",
    "double-slash": "quay.io//a",
    "trailing-slash": "quay.io/a/",
    "colon-only": ":",
    "at-only": "@",
    "nul": "quay.io/a\x00b:c",
    "utf8": "quay.io/caf\u00e9:latest",
    "invalid-utf8": b"quay.io/\xff\xfe/a",
    "unclosed-bracket": "[::1/foo",
    "empty-brackets": "[]:5000/foo",
    "dir-prefix": "dir:/tmp/x:quay.io/a",
    "docker-scheme": "docker://quay.io/a:b",
    # An error quotes the input and the component, each escaped (4 bytes
    # per odd byte): bounded, but well over 1 KiB.
    "escaped-message": b"uthb" + b"\xff" * 300 + b"/" + b"\xff" * 300,
}
for k, v in refs.items():
    put("reference", k, v)

# --- manifests (first byte: the Content-Type index, see manifest_fuzz.cc) --
CT = {"none": 0, "docker": 1, "docker-list": 2, "oci": 3, "oci-index": 4, "s1": 5, "s1-signed": 6,
      "oci-charset": 7, "json": 8}


def desc(mt, d, size, **extra):
    x = {"mediaType": mt, "digest": d, "size": size}
    x.update(extra)
    return x


oci_manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": desc("application/vnd.oci.image.config.v1+json", D1, 1234),
    "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", D2, 56789),
               desc("application/vnd.oci.image.layer.v1.tar+zstd", D3, 1,
                    annotations={"org.opencontainers.image.title": "x"})],
    "annotations": {"io.openshift.release": "4.14.1"},
}
docker_manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": desc("application/vnd.docker.container.image.v1+json", D1, 7023),
    "layers": [desc("application/vnd.docker.image.rootfs.diff.tar.gzip", D2, 32654),
               desc("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", D3, 5,
                    urls=["https://example.com/layer"])],
}
index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [desc("application/vnd.oci.image.manifest.v1+json", D1, 500,
                       platform={"os": "linux", "architecture": "amd64"}),
                  desc("application/vnd.oci.image.manifest.v1+json", D2, 501,
                       platform={"os": "linux", "architecture": "arm64", "variant": "v8"})],
}
docker_list = dict(index, mediaType="application/vnd.docker.distribution.manifest.list.v2+json")
no_mt = {k: v for k, v in oci_manifest.items() if k != "mediaType"}
no_mt_index = {k: v for k, v in index.items() if k != "mediaType"}
schema1 = {
    "schemaVersion": 1, "name": "a/b", "tag": "latest", "architecture": "amd64",
    "fsLayers": [{"blobSum": D1}, {"blobSum": D2}],
    "history": [{"v1Compatibility": json.dumps({"id": "b", "parent": "a"})},
                {"v1Compatibility": json.dumps({"id": "a"})}],
}


def signed(doc):
    body = json.dumps(doc, indent=3).encode()
    length = len(body) - 2  # up to the closing "\n}"
    protected = b64url(json.dumps({"formatLength": length, "formatTail": b64url(body[length:]),
                                   "time": "2020-01-01T00:00:00Z"}).encode())
    sig = {"header": {"jwk": {"kty": "RSA"}, "alg": "RS256"}, "signature": "AAAA", "protected": protected}
    return body[:length] + b',\n   "signatures": [' + json.dumps(sig).encode() + b"]\n}"


manifests = {
    "oci": (CT["none"], json.dumps(oci_manifest, indent=3)),
    "docker": (CT["docker"], json.dumps(docker_manifest)),
    "index": (CT["oci-index"], json.dumps(index)),
    "docker-list": (CT["docker-list"], json.dumps(docker_list)),
    "no-media-type": (CT["oci"], json.dumps(no_mt)),
    "no-media-type-inferred": (CT["json"], json.dumps(no_mt)),
    "no-media-type-index": (CT["none"], json.dumps(no_mt_index)),
    "charset": (CT["oci-charset"], json.dumps(no_mt)),
    "schema1": (CT["s1"], json.dumps(schema1, indent=3)),
    "schema1-signed": (CT["s1-signed"], signed(schema1)),
    "schema1-unequal": (CT["s1"], json.dumps(dict(schema1, history=[]))),
    "negative-size": (CT["none"], json.dumps(dict(oci_manifest, config=desc("x", D1, -1)))),
    "huge-size": (CT["none"], json.dumps(oci_manifest).replace("56789", "99999999999999999999999")),
    "float-size": (CT["none"], json.dumps(oci_manifest).replace("56789", "5.6789e4")),
    "bad-digest": (CT["none"], json.dumps(oci_manifest).replace(D2, "sha256:../../etc/passwd")),
    "layers-object": (CT["none"], json.dumps(dict(oci_manifest, layers={}))),
    "unknown-type": (CT["none"], json.dumps({"schemaVersion": 2, "mediaType": "text/html"})),
    "array": (CT["oci"], "[]"),
    "deep": (CT["oci"], '{"config":' + "[" * 5000 + "]" * 5000 + "}"),
    "invalid-utf8": (CT["oci"], b'{"mediaType":"\xff\xfe","config":{}}'),
    "truncated": (CT["oci"], json.dumps(oci_manifest)[:100]),
    "dup-keys": (CT["none"], '{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],'
                             '"mediaType":"application/vnd.oci.image.manifest.v1+json"}'),
    "many-layers": (CT["none"], json.dumps(dict(oci_manifest, layers=[desc("x", D2, i) for i in range(200)]))),
    "nul": (CT["none"], b'{"mediaType":"application/vnd.oci.image.manifest.v1+json\x00"}'),
}
for k, (ct, body) in manifests.items():
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    put("manifest", k, bytes([ct]) + body)

# --- auth files --------------------------------------------------------
def b64(s):
    return base64.b64encode(s.encode()).decode()


auths = {
    "pull-secret": {"auths": {"quay.io": {"auth": b64("user:canary-Pa55"), "email": "a@b"},
                              "registry.redhat.io": {"auth": b64("rh:tok:with:colons")},
                              "cloud.openshift.com": {"auth": b64("x:y")}}},
    "username-password": {"auths": {"127.0.0.1:5000": {"username": "u", "password": "p"}}},
    "identitytoken": {"auths": {"https://index.docker.io/v1/": {"identitytoken": "refresh-xyz"}}},
    "repo-prefix": {"auths": {"quay.io": {"auth": b64("a:b")}, "quay.io/org/repo": {"auth": b64("c:d")},
                              "QUAY.IO/org": {"auth": b64("e:f")}}},
    "cred-helpers": {"credHelpers": {"quay.io": "secretservice"}},
    "url-keys": {"auths": {"http://r.example/v2/": {"auth": b64("a:b")}, "r.example//v1": {"auth": b64("c:d")},
                           "https://http://x": {"auth": b64("e:f")}}},
    "bad-base64": {"auths": {"quay.io": {"auth": "!!!notbase64canary"}}},
    "no-colon": {"auths": {"quay.io": {"auth": b64("canary-no-colon")}}},
    "wrong-types": {"auths": {"quay.io": {"auth": 5, "password": ["canary"]}}},
    "auths-array": {"auths": []},
    "empty-entry": {"auths": {"quay.io": {}}},
    "empty-key": {"auths": {"": {"auth": b64("a:b")}}},
}
for k, v in auths.items():
    put("auth_file", k, json.dumps(v, indent=2))
put("auth_file", "not-json", "auths: {quay.io: canary}")
put("auth_file", "invalid-utf8", b'{"auths":{"q\xff":{"auth":"YTpi"}}}')
put("auth_file", "dup-keys", '{"auths":{"quay.io":{"auth":"YTpi"},"quay.io":{"auth":"Yzpk"}}}')
put("auth_file", "bom", b"\xef\xbb\xbf" + json.dumps(auths["pull-secret"]).encode())

# --- JSON lines (two bytes first: message size, line limit) -------------
rec = {"kind": "image", "source": "quay.io/a/b@" + D1, "dest": "127.0.0.1:5000/a/b", "digest": D1}
lines = {
    "records": "\n".join(json.dumps(r) for r in [
        rec,
        {"kind": "release", "source": "quay.io/r:4.14", "dest": "m/r:4.14"},
        {"source": "quay.io/x", "dest": "y"},
        {"kind": "blob", "digest": D2},
        {"kind": "image", "source": "quay.io/a", "dest": "b", "error": "copy failed"},
        {"kind": "image", "src": "quay.io/a", "dst": "b"},
        {"kind": 5, "source": "a", "dest": "b"},
        {"kind": "image", "source": "quay.io/a@" + D1, "dest": "b", "digest": D2},
        {"kind": "image", "source": "", "dest": "b"},
        {"kind": "image", "source": "a", "dest": "b", "digest": 7},
        {"kind": "image", "source": "a@" + D1, "dest": "b", "digest": D3, "source_digest": D1,
         "rewrite": {"digest": D3, "media_type": "application/vnd.oci.image.manifest.v1+json"}},
    ]) + "\n",
    "crlf": json.dumps(rec) + "\r\n" + json.dumps(rec) + "\r\n",
    "no-final-newline": json.dumps(rec) + "\n" + json.dumps(rec),
    "bom": "\ufeff" + json.dumps(rec) + "\n",
    "blank-lines": "\n \t\n\r\n" + json.dumps(rec) + "\n\n",
    "not-object": "[1,2]\n\"x\"\nnull\n{\n}\n",
    "invalid-utf8": b'{"source":"\xff","dest":"b"}\n',
    "long-line": json.dumps(dict(rec, pad="x" * 300)) + "\n" + json.dumps(rec) + "\n",
    "cr-only": "\r\r\r\n\r",
    "nul": b'{"source":"a\x00","dest":"b"}\n\x00\n',
}
for k, v in lines.items():
    if isinstance(v, str):
        v = v.encode("utf-8")
    put("json_lines", k, bytes([7, 200]) + v)
    put("json_lines", k + "-small", bytes([0, 20]) + v)

# --- WWW-Authenticate ---------------------------------------------------
challenges = {
    "bearer": 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
    "basic": 'Basic realm="Registry Realm"',
    "two": 'Basic realm="x", Bearer realm="https://a/t",service="s"',
    "escapes": 'Bearer realm="a\\"b\\\\c"',
    "token68": "Negotiate abc123==",
    "unquoted": "Bearer realm=https://a/t,service=s",
    "spaces": "  Bearer   realm = \"x\" ,  , service=\"y\"  ",
    "unterminated": 'Bearer realm="https://a',
    "empty": "",
    "commas": ",,,",
    "equals": "=",
    "upper": 'BEARER REALM="X"',
    "tab": 'Bearer\trealm="x"',
    "dup": 'Bearer realm="a", realm="b"',
    "ghcr": 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    "error": 'Bearer realm="r",error="insufficient_scope",scope="repository:a:pull,push"',
    "nul": 'Bearer realm="a\x00b"',
    "invalid-utf8": b'Bearer realm="\xff"',
}
for k, v in challenges.items():
    put("challenge", k, v)

# --- tar layers (first byte: read size and WalkLayer bit) ---------------
def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for e in entries:
            tf.addfile(e[0], io.BytesIO(e[1]) if len(e) > 1 else None)
    return buf.getvalue()


def ti(name, size=0, type=tarfile.REGTYPE, link=""):
    t = tarfile.TarInfo(name)
    t.size = size
    t.type = type
    t.linkname = link
    t.mtime = 1577836800
    t.mode = 0o644
    return t


small = [(ti("etc/hosts", 5), b"hosts"), (ti("usr/bin/", type=tarfile.DIRTYPE),),
         (ti("usr/bin/sh", type=tarfile.SYMTYPE, link="busybox"),),
         (ti("usr/bin/ls", type=tarfile.LNKTYPE, link="usr/bin/busybox"),),
         (ti("release-manifests/image-references", 40), b'{"kind":"ImageStream","spec":{"tags":[]}}'[:40])]
plain = tar_bytes(small)
gnu = tar_bytes(small + [(ti("x" * 150, 3), b"abc")], tarfile.GNU_FORMAT)
ustar = tar_bytes(small, tarfile.USTAR_FORMAT)
pax_long = tar_bytes([(ti("d/" * 80 + "f", 2), b"hi"), (ti("l", type=tarfile.SYMTYPE, link="t" * 300),)])
traversal = tar_bytes([(ti("../../etc/passwd", 4), b"root"), (ti("/abs/path", 1), b"x"),
                       (ti("./a/./b//c", 1), b"y"), (ti(".wh..wh..opq"),), (ti("a/.wh.b"),)])


def header(name, size_field, typeflag=b"0"):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = size_field
    h[136:148] = b"13560000000\x00"
    h[156:157] = typeflag
    h[257:263] = b"ustar\x00"
    h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\x00 " % sum(h)
    return bytes(h)


base256 = header(b"big", b"\x80" + b"\x00" * 7 + struct.pack(">I", 5)) + b"hello".ljust(512, b"\x00") + b"\x00" * 1024
negative = header(b"neg", b"\xff" * 12) + b"\x00" * 1024
huge = header(b"huge", b"\x80" + b"\x00" * 3 + b"\x7f" + b"\xff" * 7) + b"data"
octal_junk = header(b"junk", b"99999999999\x00") + b"\x00" * 1024
tars = {
    "pax": plain,
    "gnu-longname": gnu,
    "ustar": ustar,
    "pax-long": pax_long,
    "traversal": traversal,
    "gzip": gzip.compress(plain, mtime=0),
    "truncated-header": plain[:300],
    "truncated-data": plain[:700],
    "base256-size": base256,
    "negative-size": negative,
    "huge-size": huge,
    "octal-junk": octal_junk,
    "empty": b"",
    "zeros": b"\x00" * 1024,
    "gzip-garbage": gzip.compress(b"not a tar at all" * 10, mtime=0),
    "truncated-gzip": gzip.compress(plain, mtime=0)[:60],
}
for k, v in tars.items():
    put("tar", k, bytes([0]) + v)
    put("tar", k + "-layer-7", bytes([0x81]) + v)

# --- JSON values ----------------------------------------------------------
values = {
    "object": json.dumps(oci_manifest),
    "pretty": json.dumps(index, indent=2),
    "scalars": "[null,true,false,0,-0,1.5,-1e-7,1E+300,18446744073709551615,9223372036854775808,-9223372036854775809]",
    "huge-number": "1" * 400,
    "big-exponent": "[1e400, -1e400, 1e-400]",
    "deep-array": "[" * 300 + "]" * 300,
    "deep-ok": "[" * 200 + "]" * 200,
    "deep-object": '{"a":' * 300 + "1" + "}" * 300,
    "escapes": '"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"',
    "lone-surrogate": '"\\ud800"',
    "invalid-utf8": b'"\xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80"',
    "utf8": '"caf\u00e9 \u65e5\u672c \U0001f600"',
    "dup-keys": '{"a":1,"b":2,"a":3}',
    "empty-key": '{"":""}',
    "trailing-comma": "[1,2,]",
    "bom": "\ufeff{}",
    "nul-in-string": '"a\\u0000b"',
    "raw-control": '"a\tb"',
    "whitespace": " \n\t\r 1 \n",
    "two-docs": "{} {}",
    "unicode-key": '{"\u00e9\\n":[{}]}',
}
for k, v in values.items():
    put("json_value", k, v)

# --- Retry-After (four bytes of "now" first) ---------------------------
NOW = struct.pack(">I", 1700000000)  # 2023-11-14
Y2K = struct.pack(">I", 946684800)
retry = {
    "seconds": "120",
    "zero": "0",
    "leading-zeros": "000000000000000000000000000000005",
    "huge": "99999999999999999999999999999999",
    "negative": "-1",
    "imf": "Wed, 15 Nov 2023 08:49:37 GMT",
    "imf-past": "Sun, 06 Nov 1994 08:49:37 GMT",
    "rfc850": "Wednesday, 15-Nov-23 08:49:37 GMT",
    "asctime": "Wed Nov 15 08:49:37 2023",
    "asctime-space": "Wed Nov  5 08:49:37 2023",
    "leap-second": "Thu, 31 Dec 2026 23:59:60 GMT",
    "feb-30": "Mon, 30 Feb 2026 00:00:00 GMT",
    "year-9999": "Fri, 31 Dec 9999 23:59:59 GMT",
    "spaces": "  30  ",
    "float": "1.5",
    "junk": "soon",
}
for k, v in retry.items():
    put("retry_after", k, NOW + v.encode())
put("retry_after", "rfc850-y2k", Y2K + b"Sunday, 06-Nov-94 08:49:37 GMT")
put("retry_after", "epoch-end", b"\xff\xff\xff\xff" + b"Sun, 06 Nov 2106 08:49:37 GMT")

# --- Content-Range -----------------------------------------------------
ranges = {
    "simple": "bytes 0-499/1234",
    "unknown-total": "bytes 500-999/*",
    "resume": "bytes 1048576-2097151/2097152",
    "upper": "BYTES 0-0/1",
    "unsatisfied": "bytes */1234",
    "last-before-first": "bytes 5-4/10",
    "beyond": "bytes 0-10/10",
    "overflow": "bytes 0-18446744073709551616/18446744073709551617",
    "max": "bytes 0-18446744073709551614/18446744073709551615",
    "spaces": "  bytes 0-1/2  ",
    "negative": "bytes -1-5/10",
    "junk": "bytes 0-1/2x",
    "empty": "",
    "control": "bytes 0-1/2\r\nX-Evil: 1",
}
for k, v in ranges.items():
    put("content_range", k, v)

# catalog: selector byte 0 JSON documents, 1 YAML, 2 "version\nrange", 3 a --package selector.
FBC = [
    {"schema": "olm.package", "name": "etcd", "defaultChannel": "stable"},
    {"schema": "olm.channel", "name": "stable", "package": "etcd", "entries": [
        {"name": "etcd.v0.9.0"},
        {"name": "etcd.v0.9.2", "replaces": "etcd.v0.9.0", "skips": ["etcd.v0.9.1"]},
        {"name": "etcd.v0.9.4", "replaces": "etcd.v0.9.2", "skipRange": ">=0.9.0 <0.9.4"}]},
] + [
    {"schema": "olm.bundle", "name": "etcd.v" + v, "package": "etcd", "image": "quay.io/op/etcd@" + sha(v.encode()),
     "properties": [{"type": "olm.package", "value": {"packageName": "etcd", "version": v}}],
     "relatedImages": [{"name": "operand", "image": "quay.io/op/etcd-operand:" + v}]}
    for v in ("0.9.0", "0.9.2", "0.9.4")
]
catalog_seeds = {
    "fbc-json": bytes([0]) + "\n".join(json.dumps(d) for d in FBC).encode(),
    "fbc-json-concatenated": bytes([0]) + "".join(json.dumps(d, separators=(",", ":")) for d in FBC).encode(),
    "fbc-json-cycle": bytes([0]) + "\n".join(json.dumps(d) for d in [
        {"schema": "olm.package", "name": "p", "defaultChannel": "c"},
        {"schema": "olm.channel", "name": "c", "package": "p", "entries": [
            {"name": "a", "replaces": "b"}, {"name": "b", "replaces": "a"}]}]).encode(),
    "fbc-json-deep": bytes([0]) + b"[" * 5000,
    "fbc-json-wrong-types": bytes([0]) + b'{"schema":"olm.bundle","name":7,"package":[],"relatedImages":"x"}',
    "fbc-yaml": bytes([1]) + "\n".join("---\n" + json.dumps(d) for d in FBC).encode(),
    "fbc-yaml-block": bytes([1]) + b"schema: olm.package\nname: etcd\ndefaultChannel: stable\n---\n"
    b"schema: olm.channel\nname: stable\npackage: etcd\nentries:\n  - name: etcd.v1\n    skipRange: '<1.0.0'\n",
    "fbc-yaml-aliases": bytes([1]) + b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\n"
    b"d: &d [*c, *c, *c, *c]\ne: [*d, *d, *d, *d]\n",
    "fbc-yaml-bad": bytes([1]) + b"schema: [unclosed\n",
    "semver": bytes([2]) + b"v1.2.3-rc.1+build.5\n>=1.0.0 <2.0.0 || 3.x",
    "semver-prerelease": bytes([2]) + b"4.1.0-0.nightly-2020-01-01\n>=4.1.0-0 <4.2.0",
    "semver-bad": bytes([2]) + b"01.2\n>>1",
    "selector": bytes([3]) + b"etcd:stable:0.9.0-0.9.4",
    "selector-dots": bytes([3]) + b"etcd::1.0.0-rc.1..2.0.0",
    "selector-bad": bytes([3]) + b"etcd:stable:1-2-3-4",
}
for k, v in catalog_seeds.items():
    put("catalog", k, v)
