#!/usr/bin/env bash
# Builds the real control plane the integration tests start on loopback: kube-apiserver from
# k8s.io/kubernetes and an embedded etcd, both pinned in tools/kube-apiserver/go.mod, and
# kube-controller-manager from the same k8s.io/kubernetes (the tests that need a controller,
# such as the namespace controller, start it with only that one). The binaries are cached per
# pinned version in $AKSCHECK_KUBE_CACHE (default $HOME/.cache/akscheck-kube); a second run
# skips the build. kube-controller-manager adds about 330 packages to kube-apiserver's and a
# 101 MiB binary: built after kube-apiserver (its packages in Go's build cache), 2m12s at -p 1
# on the project's 2-core machine; from an empty build cache, 12 min of CPU; relinked from a
# warm one, 22 s. Prints the directory holding the binaries on its last line.
set -euo pipefail
cd "$(dirname "$0")/../tools/kube-apiserver"

version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
etcd_version=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
dir="${AKSCHECK_KUBE_CACHE:-$HOME/.cache/akscheck-kube}/kubernetes-$version-etcd-$etcd_version"
mkdir -p "$dir"

# The version the release build stamps; without it /version says v0.0.0-master.
minor=$(echo "$version" | cut -d. -f2)
pkg=k8s.io/component-base/version
for cmd in kube-apiserver kube-controller-manager; do
  if [ ! -x "$dir/$cmd" ]; then
    echo "building $cmd $version into $dir (slow the first time)" >&2
    # -p 1 keeps a shared 2-core machine usable while the build runs.
    go build -p "${AKSCHECK_KUBE_BUILD_P:-1}" -trimpath \
      -ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
      -o "$dir/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
    mv "$dir/$cmd.tmp" "$dir/$cmd"
  fi
done
if [ ! -x "$dir/etcd" ]; then
  echo "building etcd $etcd_version into $dir" >&2
  go build -p "${AKSCHECK_KUBE_BUILD_P:-1}" -trimpath -ldflags='-s -w' \
    -o "$dir/etcd.tmp" ./cmd/etcd
  mv "$dir/etcd.tmp" "$dir/etcd"
fi
echo "$dir"
