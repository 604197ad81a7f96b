package subject

// AzureReads records what the live Azure reader (--azure) listed in full around a cluster
// beyond the cluster's own settings, and what it tried and could not read. A file says
// nothing of what it leaves out; the API does: a list read in full that holds nothing means
// none, and a read that failed leaves the evidence unknown, never absent.
type AzureReads struct {
	// RoutingProfiles is true when the Traffic Manager and Front Door profiles of the
	// cluster's subscription were listed in full (with the Front Door origins): a profile of
	// the application that is not in the scan is not there.
	RoutingProfiles bool
	// WAFPolicies is true when the Application Gateway and Front Door WAF policies of the
	// cluster's subscription were listed in full.
	WAFPolicies bool
	// Unread maps what could not be read (UnreadRouting, UnreadWAF) to why, with the role
	// that reads it: the checks that need it are not evaluated.
	Unread map[string]string
}

// What the live reader may fail to read, as AzureReads.Unread names it.
const (
	UnreadRouting = "the Traffic Manager and Front Door profiles"
	UnreadWAF     = "the WAF policies"
)
