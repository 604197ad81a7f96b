package checks

import (
	"slices"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
)

// unreadEvidence are the items that list an input kind none of their checks reads, by item
// and kind, with the reason the catalog keeps it. It is empty, and should stay so: an input
// the catalog lists and no check reads is a promise the report does not keep (`akscheck
// items` and the scorecard say the item is proved by it), so either a check reads it or the
// catalog is corrected (internal/catalog's evidenceCorrections records why).
var unreadEvidence = map[string]map[catalog.Evidence]string{}

// TestEveryListedEvidenceIsRead fails when an item of the catalog lists an input kind
// (manifest, cluster, arm, terraform, acr, dockerfile, scan) that none of the item's checks
// reads (Meta.Evidence), unless unreadEvidence gives the reason. Manual evidence is what no
// check reads; items with no check at all are the manual ones `akscheck items` lists.
func TestEveryListedEvidenceIsRead(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	read := map[string]map[catalog.Evidence]bool{}
	for _, c := range All() {
		if read[c.Item] == nil {
			read[c.Item] = map[catalog.Evidence]bool{}
		}
		for _, ev := range c.EvidenceKinds() {
			read[c.Item][ev] = true
		}
	}
	for _, it := range cat.Items {
		if read[it.ID] == nil {
			continue
		}
		for _, ev := range it.Evidence {
			if ev == catalog.Manual {
				continue
			}
			why, excepted := unreadEvidence[it.ID][ev]
			switch {
			case read[it.ID][ev] && excepted:
				t.Errorf("item %s: a check now reads %s evidence: drop its entry of unreadEvidence (%s)", it.ID, ev, why)
			case !read[it.ID][ev] && !excepted:
				t.Errorf("item %s lists %s evidence, which none of its checks reads: add a check that reads it or correct the catalog", it.ID, ev)
			}
		}
	}
	for id, kinds := range unreadEvidence {
		it, ok := cat.Item(id)
		for ev := range kinds {
			if !ok || !slices.Contains(it.Evidence, ev) {
				t.Errorf("unreadEvidence: item %s does not list %s evidence", id, ev)
			}
		}
	}
}
