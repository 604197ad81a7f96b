// Package release holds no code: its tests check akscheck's distribution files against each
// other and against the CLI, so that they cannot drift apart. The files are at the repository's
// root and under docs/: .goreleaser.yaml (what a release builds and names), release.Dockerfile
// (the release image), plugins/akscheck.yaml (the krew manifest's template, filled by
// scripts/krew-manifest.sh), action.yml (the GitHub Action, whose scripts the tests run against
// a fake release) and the CI examples of docs/examples/ (whose akscheck flags must exist).
package release
