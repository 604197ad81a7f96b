#!/usr/bin/env bash
# Builds the real control plane the live-mode integration tests start on loopback:
# kube-apiserver from k8s.io/kubernetes and an embedded etcd, both pinned in
# tools/kube-apiserver/go.mod. The binaries are cached per pinned version in
# $AKSCHECK_KUBE_CACHE (default $HOME/.cache/akscheck-kube); a second run skips the
# build. Prints the directory holding the binaries on its last line.
set -euo pipefail
cd "$(dirname "$0")/../tools/kube-apiserver"

version=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
etcd_version=$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
dir="${AKSCHECK_KUBE_CACHE:-$HOME/.cache/akscheck-kube}/kubernetes-$version-etcd-$etcd_version"
mkdir -p "$dir"

if [ ! -x "$dir/kube-apiserver" ]; then
  echo "building kube-apiserver $version into $dir (slow the first time)" >&2
  # -p 1 keeps a shared 2-core machine usable while the build runs.
  # The version the release build stamps; without it /version says v0.0.0-master.
  minor=$(echo "$version" | cut -d. -f2)
  pkg=k8s.io/component-base/version
  go build -p "${AKSCHECK_KUBE_BUILD_P:-1}" -trimpath \
    -ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
    -o "$dir/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$dir/kube-apiserver.tmp" "$dir/kube-apiserver"
fi
if [ ! -x "$dir/etcd" ]; then
  echo "building etcd $etcd_version into $dir" >&2
  go build -p "${AKSCHECK_KUBE_BUILD_P:-1}" -trimpath -ldflags='-s -w' \
    -o "$dir/etcd.tmp" ./cmd/etcd
  mv "$dir/etcd.tmp" "$dir/etcd"
fi
echo "$dir"
