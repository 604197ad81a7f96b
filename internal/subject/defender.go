package subject

// DefenderRecommendations are Defender for Cloud's security recommendations for one AKS
// cluster (the Microsoft.Security/assessments whose resource is the cluster), as --azure reads
// them from Azure Resource Graph's securityresources table. Read is false when they could not
// be read (Error says why): nothing is then known of them.
type DefenderRecommendations struct {
	// ClusterID is the ARM ID of the cluster, Name its name.
	ClusterID string
	Name      string
	Read      bool
	Error     string
	// Assessments are the cluster's assessments, in ID order.
	Assessments []DefenderAssessment
}

// DefenderAssessment is one security recommendation's assessment of the cluster.
type DefenderAssessment struct {
	// ID is the assessment's ARM ID; Key its name (the recommendation's assessment key).
	ID  string
	Key string
	// DisplayName is the recommendation's name; Severity its metadata's severity (High,
	// Medium, Low), "" when not given.
	DisplayName string
	Severity    string
	// Status is the assessment's status code: Healthy, Unhealthy or NotApplicable.
	Status string
}

// Unhealthy reports whether the recommendation applies to the cluster and is not met.
func (a *DefenderAssessment) Unhealthy() bool { return a.Status == "Unhealthy" }

// Identity implements Subject: named by the cluster, located at its ARM ID.
func (d *DefenderRecommendations) Identity() Identity {
	return Identity{Kind: "Microsoft.Security/assessments", Name: d.Name, Source: Location{File: d.ClusterID}, Input: InputARM}
}
