// Command loadgen sends AdmissionReviews of realistic workloads to an admission webhook at a
// fixed rate, from a process of its own, and reports the latency distribution and errors: the
// benchmark of akscheck serve --webhook (scripts/bench-webhook.sh starts the server, runs this,
// and samples the server's memory).
//
// The schedule is open-loop: request i is sent at start + i/rate whether or not earlier
// answers came, so a slow server shows as latency, not as a lower rate.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

func main() {
	url := flag.String("url", "https://127.0.0.1:8443/validate", "the webhook's /validate URL")
	caFile := flag.String("ca", "", "CA of the webhook's certificate (PEM)")
	n := flag.Int("n", 10000, "requests to send")
	rate := flag.Float64("rate", 500, "requests per second")
	manifests := flag.String("manifests", "examples/k8s", "directory of YAML manifests whose workloads are sent")
	flag.Parse()
	if err := run(*url, *caFile, *n, *rate, *manifests); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// workloadKinds are sent; the rest of the manifests is not.
var workloadKinds = map[string]string{"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets",
	"CronJob": "cronjobs", "Job": "jobs"}

// objects reads the workloads of the manifests as JSON.
func objects(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for doc := range strings.SplitSeq(string(data), "\n---") {
			j, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			var head struct{ Kind string }
			if json.Unmarshal(j, &head) == nil && workloadKinds[head.Kind] != "" {
				out = append(out, j)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload in %s", dir)
	}
	return out, nil
}

// review wraps an object in a CREATE AdmissionReview, as the API server sends it.
func review(i int, obj []byte) ([]byte, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(obj, &head); err != nil {
		return nil, err
	}
	group, version, _ := strings.Cut(head.APIVersion, "/")
	ns := head.Metadata.Namespace
	if ns == "" {
		ns = "default"
	}
	ar := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: types.UID(fmt.Sprintf("load-%d", i)),
			Kind:      metav1.GroupVersionKind{Group: group, Version: version, Kind: head.Kind},
			Resource:  metav1.GroupVersionResource{Group: group, Version: version, Resource: workloadKinds[head.Kind]},
			Namespace: ns, Name: head.Metadata.Name, Operation: admissionv1.Create,
			UserInfo: authenticationv1.UserInfo{Username: "system:serviceaccount:ci:deployer"}, Object: runtime.RawExtension{Raw: obj}}}
	return json.Marshal(ar)
}

type result struct {
	latency time.Duration
	err     error
	allowed bool
}

func run(url, caFile string, n int, rate float64, dir string) error {
	objs, err := objects(dir)
	if err != nil {
		return err
	}
	bodies := make([][]byte, n)
	for i := range n {
		if bodies[i], err = review(i, objs[i%len(objs)]); err != nil {
			return err
		}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		tlsConfig.RootCAs = x509.NewCertPool()
		if !tlsConfig.RootCAs.AppendCertsFromPEM(pem) {
			return errors.New("no certificate in " + caFile)
		}
	}
	// Keep-alive connections, as the API server keeps them to a webhook.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig,
		MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, ForceAttemptHTTP2: true}}
	results := make([]result, n)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() { results[i] = send(client, url, bodies[i], fmt.Sprintf("load-%d", i)) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(results, elapsed, rate)
	return nil
}

func send(client *http.Client, url string, body []byte, uid string) result {
	t := time.Now()
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return result{latency: time.Since(t), err: err}
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	lat := time.Since(t)
	if err != nil {
		return result{latency: lat, err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return result{latency: lat, err: fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(data))}
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &ar); err != nil || ar.Response == nil || string(ar.Response.UID) != uid {
		return result{latency: lat, err: fmt.Errorf("not the review's answer: %.200s", data)}
	}
	for _, w := range ar.Response.Warnings {
		if strings.Contains(w, "could not check") {
			return result{latency: lat, err: errors.New(w)}
		}
	}
	return result{latency: lat, allowed: ar.Response.Allowed}
}

func report(rs []result, elapsed time.Duration, rate float64) {
	lat := make([]time.Duration, 0, len(rs))
	errs, allowed := 0, 0
	var firstErr error
	for _, r := range rs {
		lat = append(lat, r.latency)
		switch {
		case r.err != nil:
			errs++
			if firstErr == nil {
				firstErr = r.err
			}
		case r.allowed:
			allowed++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("requests %d at %.0f/s in %s (achieved %.0f/s)\n", len(rs), rate, elapsed.Round(time.Millisecond), float64(len(rs))/elapsed.Seconds())
	fmt.Printf("latency p50 %s p90 %s p99 %s p99.9 %s max %s\n", pct(.5), pct(.9), pct(.99), pct(.999), lat[len(lat)-1])
	fmt.Printf("answers: %d allowed, %d denied, %d errors\n", allowed, len(rs)-allowed-errs, errs)
	if firstErr != nil {
		fmt.Printf("first error: %v\n", firstErr)
	}
}
