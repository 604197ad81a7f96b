package cluster

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/subject"
)

// The fleet checks (dr-multiregion, small-cluster-sprawl) judge a cluster against the other
// clusters of the scan, which they read from the index: the clusters of several az JSON files,
// templates and Terraform modules scanned together, or of a --subscription read. Their verdict
// on each cluster depends only on the set of the scan's clusters, never on their order.

// regionPairsCSV is the table of Azure region pairs (see the file's header for its source).
//
//go:embed regionpairs.csv
var regionPairsCSV []byte

// regionPairs maps each region of the table (normalised) to its pair; a nonpaired region
// maps to "". It is read once from the embedded table, which a test holds well formed.
var regionPairs = mustRegionPairs(regionPairsCSV)

func mustRegionPairs(data []byte) map[string]string {
	m, err := parseRegionPairs(data)
	if err != nil {
		panic("regionpairs.csv: " + err.Error())
	}
	return m
}

// parseRegionPairs reads a region,pair table with a header; lines starting with # are comments.
func parseRegionPairs(data []byte) (map[string]string, error) {
	rd := csv.NewReader(bytes.NewReader(data))
	rd.Comment = '#'
	rd.FieldsPerRecord = 2
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if header[0] != "region" || header[1] != "pair" {
		return nil, fmt.Errorf("header is %q, want region,pair", header)
	}
	m := map[string]string{}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := rd.FieldPos(0)
		region, pair := regionKey(strings.TrimSpace(rec[0])), regionKey(strings.TrimSpace(rec[1]))
		if region == "" {
			return nil, fmt.Errorf("line %d: empty region", line)
		}
		if _, dup := m[region]; dup {
			return nil, fmt.Errorf("line %d: region %s listed twice", line, region)
		}
		if pair == region {
			return nil, fmt.Errorf("line %d: region %s paired with itself", line, region)
		}
		m[region] = pair
	}
}

// paired reports whether two regions (normalised) form an Azure region pair, either way.
func paired(a, b string) bool {
	return (regionPairs[a] != "" && regionPairs[a] == b) || (regionPairs[b] != "" && regionPairs[b] == a)
}

// fleetClusters returns the clusters of the scan.
func fleetClusters(ix *subject.Index) []*subject.Cluster {
	subjects := ix.Subjects(subject.TypeOf[*subject.Cluster]())
	out := make([]*subject.Cluster, 0, len(subjects))
	for _, s := range subjects {
		out = append(out, s.(*subject.Cluster))
	}
	return out
}

// tagState says what a cluster's tags tell about a tag key.
type tagState uint8

const (
	tagNone    tagState = iota // none of the keys is set
	tagUnknown                 // the tags, or the value of a key, are unresolved
	tagKnown
)

// tagValue returns the value of the first of keys a resource's tags carry (keys compared
// ignoring case, values trimmed and lower-cased, since Azure tags are compared so in
// practice), with the key as written.
func tagValue(tags subject.Tags, keys []string) (key, value string, st tagState) {
	if tags.IsUnknown() {
		return "", "", tagUnknown
	}
	names := make([]string, 0, len(tags.V))
	for k := range tags.V {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, want := range keys {
		for _, k := range names {
			if !strings.EqualFold(k, want) {
				continue
			}
			v := tags.V[k]
			if v.IsUnknown() {
				return k, "", tagUnknown
			}
			if s := strings.ToLower(strings.TrimSpace(v.V)); s != "" {
				return k, s, tagKnown
			}
		}
	}
	return "", "", tagNone
}

// clusterName names a cluster in a message: its ARM name when the input has one, else the
// name the loader gives it (a Terraform address).
func clusterName(c *subject.Cluster) string {
	return c.Identity().Name
}

// sortedNames returns the distinct names of clusters, sorted.
func sortedNames(cs []*subject.Cluster) []string {
	var names []string
	for _, c := range cs {
		if n := clusterName(c); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// distinctClusters counts the clusters of cs, taking the largest count of any one kind of
// input: the same cluster described twice (its Terraform module and its az JSON, scanned
// together) is then counted once, at the cost of under-counting clusters that are each
// described by a different kind of input.
func distinctClusters(cs []*subject.Cluster) int {
	byInput := map[subject.InputKind]map[string]bool{}
	for _, c := range cs {
		key := strings.ToLower(c.ID)
		if key == "" {
			key = strings.ToLower(c.Name)
		}
		if byInput[c.Input] == nil {
			byInput[c.Input] = map[string]bool{}
		}
		byInput[c.Input][key] = true
	}
	most := 0
	for _, keys := range byInput {
		most = max(most, len(keys))
	}
	return most
}
