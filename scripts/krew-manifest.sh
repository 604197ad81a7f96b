#!/usr/bin/env bash
# Fills plugins/akscheck.yaml for one release: its version (1.2.3, or v1.2.3) and the release's
# checksums.txt. Prints the krew manifest; it must match goreleaser's dist/krew/akscheck.yaml.
#   scripts/krew-manifest.sh 1.2.3 dist/checksums.txt > akscheck.yaml
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 VERSION CHECKSUMS_FILE" >&2
  exit 2
fi
version="${1#v}"
sums="$2"
manifest="$(dirname "$0")/../plugins/akscheck.yaml"
script="s/\${VERSION}/$version/g"
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    ext=tar.gz
    if [ "$os" = windows ]; then ext=zip; fi
    archive="akscheck_${version}_${os}_${arch}.${ext}"
    sum=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$sums")
    if [ -z "$sum" ]; then
      echo "$archive is not in $sums" >&2
      exit 1
    fi
    placeholder="SHA256_$(echo "${os}_${arch}" | tr '[:lower:]' '[:upper:]')"
    script="$script;s/\${$placeholder}/$sum/g"
  done
done
sed -e "$script" "$manifest"
