// Package parity holds the peer-parity suite: one case per miss found by running kube-score,
// kube-linter and Polaris test fixtures through akscheck (issue 20), written by us.
package parity
