package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	eventsv1client "k8s.io/client-go/kubernetes/typed/events/v1"

	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
)

// The Events akscheck serve --audit --events publishes.
const (
	EventController = "akscheck.io/audit"
	EventReason     = "AkscheckFinding"
	EventAction     = "Audit"
	// DefaultMaxEvents bounds the Events of one audit: the first audit of a cluster finds
	// everything new, and thousands of Events at once would flood the API server and etcd.
	DefaultMaxEvents = 100
	// maxNewFindings bounds the new findings read to choose an audit's Events from.
	maxNewFindings = 100000
	// maxNote is the API server's limit on an events.k8s.io/v1 Event's note (1 kB).
	maxNote = 1024
)

// Events publishes the findings an audit saw for the first time as Warning Events on their
// objects (events.k8s.io/v1), so that kubectl describe and event-based tooling show them
// where people look. A finding is new when the history's first-seen time is the audit's
// start: a resync that sees it again publishes nothing, nor does a restart with the same
// history.
type Events struct {
	// Client is the events.k8s.io/v1 client (kubernetes.Interface.EventsV1()).
	Client eventsv1client.EventsV1Interface
	// Instance is the reportingInstance of the Events: the pod's name.
	Instance string
	// Max bounds the Events of one audit (0: DefaultMaxEvents).
	Max int
}

// publishEvents publishes the Events of the findings first seen by the audits stored since
// the last publication: the audit just stored, and the audits kept in memory while the
// database was unavailable and stored when it came back (a catch-up, by an audit or by
// Run's retry), which saw their findings first and would otherwise never publish them. They
// are published once, under one cap: a catch-up is one burst. A finding a catch-up's audit
// saw first but a later one no longer saw (fixed meanwhile) gets no Event: it is not open.
func (a *Auditor) publishEvents(ctx context.Context) {
	a.storeMu.Lock()
	since := a.unpublished
	a.unpublished = time.Time{}
	a.storeMu.Unlock()
	store := a.history()
	if since.IsZero() || a.opts.Events == nil || store == nil {
		return
	}
	if err := a.opts.Events.publish(ctx, a.log, store, since, a.opts.Now()); err != nil {
		// The history could not be read: the next publication covers these audits too.
		a.storeMu.Lock()
		if a.unpublished.IsZero() || since.Before(a.unpublished) {
			a.unpublished = since
		}
		a.storeMu.Unlock()
	}
}

// publish sends the Events of the findings first seen by the audits started at or after
// since. Failures to publish are logged: an Event is a notice, the history is the record; a
// failure to read the history is returned, after it is logged.
func (e *Events) publish(ctx context.Context, log *slog.Logger, store *history.Store, since, now time.Time) error {
	limit := e.Max
	if limit <= 0 {
		limit = DefaultMaxEvents
	}
	// The cap counts Events, not findings: findings on a cluster, a node pool or a Namespace
	// get none and must not use it up. Reading them all is bounded by what one audit finds.
	fresh, err := store.FindingsNewSince(ctx, since, maxNewFindings)
	if err != nil {
		log.Warn("reading the audit's new findings for their Events", "error", err.Error())
		return err
	}
	var events []*eventsv1.Event
	var of []history.Finding
	skipped := 0
	for _, f := range fresh {
		ev, ok := e.event(f, now)
		if !ok {
			skipped++
			continue
		}
		events, of = append(events, ev), append(of, f)
	}
	if len(events) > limit {
		log.Warn("more new findings than Events an audit publishes: the rest are in the history only",
			"max", limit, "see", "/api/v1/findings?new-since="+since.UTC().Format(time.RFC3339Nano))
		events, of = events[:limit], of[:limit]
	}
	published, failed := 0, 0
	for i, ev := range events {
		f := of[i]
		_, err := e.Client.Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{})
		switch {
		case err == nil:
			published++
		case apierrors.IsAlreadyExists(err):
			// Named after the finding and its first-seen time: already published.
		default:
			failed++
			if failed == 1 {
				log.Warn("publishing a finding's Event", "object", f.Object.Kind+" "+f.Object.Namespace+"/"+f.Object.Name,
					"error", err.Error())
			}
		}
	}
	if published+failed > 0 {
		log.Info("findings published as Events", "events", published, "failed", failed, "skipped", skipped)
	}
	return nil
}

// event returns the Event of a finding, or false when its object is no namespaced
// Kubernetes object (a cluster, a node pool, a Namespace: an Event lives in a namespace).
func (e *Events) event(f history.Finding, now time.Time) (*eventsv1.Event, bool) {
	kind, ok := kindNamed(f.Object.Kind)
	if !ok || !kind.Namespaced || f.Object.Namespace == "" || f.Object.Name == "" {
		return nil, false
	}
	sum := sha256.Sum256([]byte(f.Fingerprint + "@" + strconv.FormatInt(f.FirstSeen.UnixNano(), 10)))
	return &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{
			// The same finding, first seen at the same time, is one Event however often it
			// is published.
			Name:      "akscheck." + hex.EncodeToString(sum[:10]),
			Namespace: f.Object.Namespace,
			Labels:    map[string]string{"app.kubernetes.io/managed-by": "akscheck"},
		},
		EventTime:           metav1.NewMicroTime(now),
		ReportingController: EventController,
		ReportingInstance:   bound(e.Instance, 128),
		Action:              EventAction,
		Reason:              EventReason,
		Type:                corev1.EventTypeWarning,
		Regarding: corev1.ObjectReference{APIVersion: kind.APIVersion(), Kind: kind.Kind,
			Namespace: f.Object.Namespace, Name: f.Object.Name},
		Note: Note(f),
	}, true
}

// kindNamed returns the kind of a finding's object, known by its name only (the history
// keeps no API version): the built-in kind of that name, else the one add-on kind of that
// name (Calico's NetworkPolicy shares its name with the built-in one, which wins).
func kindNamed(name string) (live.Kind, bool) {
	var addOns []live.Kind
	for _, k := range live.Kinds() {
		if k.Kind != name {
			continue
		}
		if !k.AddOn {
			return k, true
		}
		addOns = append(addOns, k)
	}
	if len(addOns) == 1 {
		return addOns[0], true
	}
	return live.Kind{}, false
}

// Note is an Event's note of a finding: its check, severity and message, on one line of
// printable characters, at most 1 kB. The message of a finding on a Secret is left out: a
// check's message never quotes a value, but a Secret's Events are readable by whoever may
// list Events in its namespace, which is not who may read the Secret.
func Note(f history.Finding) string {
	head := fmt.Sprintf("%s (%s)", sanitize(f.Check), sanitize(f.Severity))
	if f.Object.Kind == "Secret" {
		return bound(head, maxNote)
	}
	return bound(head+": "+sanitize(f.Message), maxNote)
}

// sanitize keeps printable characters, turning each run of others and of spaces into one
// space.
func sanitize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bound cuts s to at most n bytes at a rune boundary, ending with "…" when cut.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
