//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// scaleSpec is the size of a seeded cluster at scale 1.
var scaleSpec = struct{ namespaces, deployments, podsPerDeployment, services, configMaps, secrets, nodes int }{
	namespaces: 200, deployments: 5000, podsPerDeployment: 3, services: 3000, configMaps: 1000, secrets: 1000, nodes: 100,
}

// TestScale seeds a real API server with the estate of a large cluster (scale 1: 200
// namespaces, 5,000 Deployments with their ReplicaSets and 15,000 Pods, 3,000 Services, 1,000
// ConfigMaps and Secrets, 100 Nodes), runs `akscheck scan --cluster` as a separate process,
// and reports its wall time and peak RSS; then the same at scale 2. It also counts the
// requests of a scan: pages and discovery only, never one per object. AKSCHECK_SCALES
// names other scales ("1,2,4": 4 is 121,000 objects).
func TestScale(t *testing.T) {
	if os.Getenv("AKSCHECK_SCALE") == "" {
		t.Skip("set AKSCHECK_SCALE=1 to seed 30,000 objects (then 60,000) and measure a live scan")
	}
	scales := []int{1, 2}
	if list := os.Getenv("AKSCHECK_SCALES"); list != "" {
		scales = nil
		for f := range strings.SplitSeq(list, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				t.Fatalf("AKSCHECK_SCALES=%q: want whole scales from 1, comma-separated", list)
			}
			scales = append(scales, n)
		}
	}
	// AKSCHECK_SCALE_BIN runs other builds (comma-separated: an older one and a newer one,
	// to compare, each scanning the same seeded cluster in turn, twice), else this tree's.
	bins := strings.Split(os.Getenv("AKSCHECK_SCALE_BIN"), ",")
	rounds := 2
	if bins[0] == "" {
		bins[0], rounds = filepath.Join(t.TempDir(), "akscheck"), 1
		build := exec.Command("go", "build", "-o", bins[0], "./cmd/akscheck")
		build.Dir = "../../../.."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building akscheck: %v\n%s", err, out)
		}
	}
	for _, scale := range scales {
		api, err := env.StartAPIServer(fmt.Sprintf("scale%d", scale))
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		objects, err := seedScale(t.Context(), api, scale)
		if err != nil {
			api.Stop()
			t.Fatalf("seeding scale %d: %v\n%s", scale, err, api.Tail())
		}
		t.Logf("scale %d: seeded %d objects in %s", scale, objects, time.Since(began).Round(time.Second))

		kc := api.Kubeconfig(t, map[string]string{"scale": adminToken}, "scale")
		for range rounds {
			for _, bin := range bins {
				scanScale(t, bin, kc, scale, objects)
			}
		}
		if hold := os.Getenv("AKSCHECK_SCALE_HOLD"); hold != "" {
			holdCluster(t, hold, kc, objects)
		}

		var requests, lists atomic.Int64
		cfg := api.Config(adminToken)
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return roundTripper(func(r *http.Request) (*http.Response, error) {
				requests.Add(1)
				if r.URL.Query().Get("limit") != "" {
					lists.Add(1)
				}
				return rt.RoundTrip(r)
			})
		})
		scan := live.LoadConfig(t.Context(), cfg, "scale", live.Options{})
		t.Logf("scale %d: %d requests (%d list pages of up to %d) for %d objects", scale, requests.Load(), lists.Load(), live.DefaultPageSize, len(scan.Objects))
		if len(scan.Errors) > 0 {
			t.Errorf("errors: %+v", scan.Errors)
		}
		if limit := int64(len(scan.Objects))/live.DefaultPageSize + int64(len(live.Kinds()))*2 + 10; requests.Load() > limit {
			t.Errorf("%d requests for %d objects: more than pages and discovery", requests.Load(), len(scan.Objects))
		}
		api.Stop()
	}
}

// holdCluster keeps a seeded cluster up for measuring by hand until the file it names is
// removed (or the test binary's -timeout ends): AKSCHECK_SCALE_HOLD=FILE writes the
// kubeconfig's path and the number of objects to FILE. Seeding takes minutes, a scan
// seconds; and a scan started from a shell reports its own peak RSS, where one started by
// this test process also counts the test's (a child started with vfork is charged its
// parent's pages at exec).
func holdCluster(t *testing.T, file, kubeconfig string, objects int) {
	t.Helper()
	if err := os.WriteFile(file, fmt.Appendf(nil, "%s %d\n", kubeconfig, objects), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("holding the cluster of %d objects: scan with --kubeconfig %s; remove %s to go on", objects, kubeconfig, file)
	for {
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(time.Second)
	}
}

// scanScale runs `akscheck scan --cluster` as a process and logs its wall time and peak RSS.
func scanScale(t *testing.T, bin, kubeconfig string, scale, objects int) {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "scan", "--cluster", "--kubeconfig", kubeconfig, "-o", "json", "--fail-on", "critical")
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	began := time.Now()
	err = cmd.Run()
	wall := time.Since(began)
	out.Close()
	// Exit code 1 (findings at or above --fail-on) is a scan that ran; 2 is a failed one.
	var exit *exec.ExitError
	if err != nil && (!errors.As(err, &exit) || exit.ExitCode() == 2) {
		t.Fatalf("scan: %v", err)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	info, _ := os.Stat(out.Name())
	t.Logf("scale %d: %s scan --cluster of %d objects: wall %s, peak RSS %d MiB, user CPU %s, report %d KiB",
		scale, filepath.Base(bin), objects, wall.Round(10*time.Millisecond), rss/1024, cmd.ProcessState.UserTime().Round(10*time.Millisecond), info.Size()/1024)
}

// seedScale creates the scale's objects with a pool of writers and returns how many.
func seedScale(ctx context.Context, api *kubetest.APIServer, scale int) (int, error) {
	cs, err := kubernetes.NewForConfig(api.Config(adminToken))
	if err != nil {
		return 0, err
	}
	sp := scaleSpec
	var created atomic.Int64
	jobs := make(chan func() error, 256)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			for job := range jobs {
				if err := job(); err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				created.Add(1)
			}
		})
	}
	submit := func(f func() error) { jobs <- f }
	nsName := func(i int) string { return fmt.Sprintf("team-%03d", i%(sp.namespaces*scale)) }

	for i := range sp.namespaces * scale {
		submit(func() error {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsName(i),
				Labels: map[string]string{"team": fmt.Sprintf("t%d", i%17)}}}, metav1.CreateOptions{})
			return err
		})
	}
	nodeName := func(i int) string { return fmt.Sprintf("aks-pool%d-1234567-vmss%06d", i%4, i) }
	for i := range sp.nodes * scale {
		submit(func() error {
			mode := "user"
			if i%4 == 0 {
				mode = "system"
			}
			return (&seeder{cs: cs}).node(ctx, node(nodeName(i), fmt.Sprintf("pool%d", i%4), mode,
				fmt.Sprintf("westeurope-%d", 1+i%3), "v1.37.2", imageVersion(20*24*time.Hour), mode == "system"))
		})
	}
	// Namespaces first: the objects below live in them.
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	jobs = make(chan func() error, 256)
	for range 24 {
		wg.Go(func() {
			for job := range jobs {
				if err := job(); err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
			}
		})
	}
	for i := range sp.deployments * scale {
		submit(func() error {
			d := deployment(nsName(i), fmt.Sprintf("svc-%05d", i), int32(sp.podsPerDeployment), fmt.Sprintf("acme.azurecr.io/team/app%d:1.%d.0", i%50, i%7))
			c := &d.Spec.Template.Spec.Containers[0]
			for e := range 6 {
				c.Env = append(c.Env, corev1.EnvVar{Name: fmt.Sprintf("SETTING_%d", e), Value: fmt.Sprintf("value-%d-%d", i, e)})
			}
			d, err := cs.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			created.Add(1)
			rs, err := cs.AppsV1().ReplicaSets(d.Namespace).Create(ctx, replicaSetOf(d), metav1.CreateOptions{})
			if err != nil {
				return err
			}
			created.Add(1)
			for p := range sp.podsPerDeployment {
				if _, err := cs.CoreV1().Pods(d.Namespace).Create(ctx, withNode(podFor(rs, p), nodeName((i*3+p)%(sp.nodes*scale))), metav1.CreateOptions{}); err != nil {
					return err
				}
				created.Add(1)
			}
			return nil
		})
	}
	for i := range sp.services * scale {
		submit(func() error {
			_, err := cs.CoreV1().Services(nsName(i)).Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%05d", i), Labels: labelsOf("svc")},
				Spec: corev1.ServiceSpec{Selector: map[string]string{"app": fmt.Sprintf("svc-%05d", i)},
					Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}, metav1.CreateOptions{})
			if err == nil {
				created.Add(1)
			}
			return err
		})
	}
	for i := range sp.configMaps * scale {
		submit(func() error {
			_, err := cs.CoreV1().ConfigMaps(nsName(i)).Create(ctx, &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("config-%05d", i)},
				Data:       map[string]string{"app.properties": strings.Repeat("feature.flag=true\n", 40)}}, metav1.CreateOptions{})
			if err == nil {
				created.Add(1)
			}
			return err
		})
	}
	for i := range sp.secrets * scale {
		submit(func() error {
			_, err := cs.CoreV1().Secrets(nsName(i)).Create(ctx, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("secret-%05d", i)},
				Data:       map[string][]byte{"password": []byte(strings.Repeat("x", 64))}}, metav1.CreateOptions{})
			if err == nil {
				created.Add(1)
			}
			return err
		})
	}
	close(jobs)
	wg.Wait()
	return int(created.Load()), firstErr
}
