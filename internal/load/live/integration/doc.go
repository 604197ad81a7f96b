// Package integration tests the live loader and the live checks against a real
// kube-apiserver with etcd, both started on loopback by the tests and stopped after them.
// The tests are behind the integration build tag and need the binaries that
// .ci/kube-test-env.sh builds from tools/kube-apiserver (pinned k8s.io/kubernetes and etcd):
//
//	export AKSCHECK_KUBE_BIN=$(.ci/kube-test-env.sh | tail -n 1)
//	go test -tags integration ./internal/load/live/integration
//
// The scale benchmark (200 namespaces, 5,000 Deployments with their ReplicaSets and 15,000
// Pods, 3,000 Services, 1,000 ConfigMaps and Secrets, 100 Nodes; then twice that) runs when
// AKSCHECK_SCALE=1 is set too:
//
//	AKSCHECK_SCALE=1 go test -tags integration -run TestScale -v -timeout 60m ./internal/load/live/integration
//
// AKSCHECK_SCALES=1,2,4 runs other scales (4: about 121,000 objects), and
// AKSCHECK_SCALE_BIN=OLD,NEW other akscheck binaries, each scanning the same seeded cluster
// in turn, twice (an older and a newer build, to compare).
package integration
