// Command nodeclient behaves like an edge node's kubelet and kube-proxy, through client-go:
// informers on its pods (spec.nodeName), its Node, services and EndpointSlices; node lease
// renewal; node status patches; events. It writes JSON lines on stdout: every HTTP request it
// makes (method, URL, status, content type), informer syncs and watch errors, lease renewals, and
// at the end what each informer's cache holds. SIGUSR1 makes it report the caches at once
// (followed by a "caches-reported" line), and --event-interval posts a numbered Event that often.
//
//	nodeclient --kubeconfig FILE [--node-name node-0] [--protobuf] [--watch-list=true|false]
//	           [--duration 20s] [--lease-interval 2s] [--event-interval 0]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"sync"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// out writes one JSON object a line, from any goroutine.
type out struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (o *out) emit(fields map[string]any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.enc.Encode(fields)
}

// recorder reports every request the clients make and how it was answered.
type recorder struct {
	next http.RoundTripper
	out  *out
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	line := map[string]any{"event": "request", "method": req.Method, "url": req.URL.RequestURI(), "accept": req.Header.Get("Accept")}
	if err != nil {
		line["error"] = err.Error()
	} else {
		line["status"] = resp.StatusCode
		line["contentType"] = resp.Header.Get("Content-Type")
	}
	r.out.emit(line)
	return resp, err
}

type options struct {
	kubeconfig    string
	nodeName      string
	protobuf      bool
	watchList     string
	duration      time.Duration
	leaseInterval time.Duration
	eventInterval time.Duration
}

func main() {
	var opts options
	flag.StringVar(&opts.kubeconfig, "kubeconfig", "", "kubeconfig of the server (or holdfast) to talk to")
	flag.StringVar(&opts.nodeName, "node-name", "node-0", "the node this client acts for")
	flag.BoolVar(&opts.protobuf, "protobuf", false, "ask for protobuf instead of JSON")
	flag.StringVar(&opts.watchList, "watch-list", "true", "use the WatchList path (sendInitialEvents): true or false")
	flag.DurationVar(&opts.duration, "duration", 20*time.Second, "how long to run before reporting the caches (0: until SIGTERM)")
	flag.DurationVar(&opts.leaseInterval, "lease-interval", 2*time.Second, "node lease renewal interval")
	flag.DurationVar(&opts.eventInterval, "event-interval", 0, "post a numbered Event this often (0: only the one at start)")
	flag.Parse()
	if opts.kubeconfig == "" || (opts.watchList != "true" && opts.watchList != "false") {
		flag.Usage()
		os.Exit(2)
	}
	// client-go reads its feature gates from the environment, once, at first use.
	os.Setenv("KUBE_FEATURE_WatchListClient", opts.watchList)
	o := &out{enc: json.NewEncoder(os.Stdout)}
	if err := run(opts, o); err != nil {
		o.emit(map[string]any{"event": "fatal", "error": err.Error()})
		os.Exit(1)
	}
}

func run(opts options, o *out) error {
	config, err := clientcmd.BuildConfigFromFlags("", opts.kubeconfig)
	if err != nil {
		return err
	}
	config.UserAgent = "nodeclient/v0.37 (client-go)"
	// client-go's clientset asks for protobuf unless told otherwise, so JSON is set explicitly.
	config.ContentType = "application/json"
	config.AcceptContentTypes = "application/json"
	if opts.protobuf {
		config.ContentType = "application/vnd.kubernetes.protobuf"
		config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	config.Wrap(func(rt http.RoundTripper) http.RoundTripper { return recorder{next: rt, out: o} })
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	// Caught from the start, so that an early SIGUSR1 waits for the informers instead of killing.
	reports := make(chan os.Signal, 1)
	signal.Notify(reports, syscall.SIGUSR1)
	defer signal.Stop(reports)
	if opts.duration > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, opts.duration)
		defer stop()
	}

	if err := registerNode(ctx, client, opts.nodeName); err != nil {
		return fmt.Errorf("registering node: %w", err)
	}

	byNode := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
			lo.FieldSelector = "spec.nodeName=" + opts.nodeName
		}))
	ownNode := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
			lo.FieldSelector = "metadata.name=" + opts.nodeName
		}))
	proxy := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
			lo.LabelSelector = "!service.kubernetes.io/service-proxy-name"
		}))
	watched := map[string]cache.SharedIndexInformer{
		"pods":           byNode.Core().V1().Pods().Informer(),
		"nodes":          ownNode.Core().V1().Nodes().Informer(),
		"services":       proxy.Core().V1().Services().Informer(),
		"endpointslices": proxy.Discovery().V1().EndpointSlices().Informer(),
	}
	for name, informer := range watched {
		_ = informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			o.emit(map[string]any{"event": "watch-error", "informer": name, "error": err.Error()})
		})
	}
	for _, factory := range []informers.SharedInformerFactory{byNode, ownNode, proxy} {
		factory.Start(ctx.Done())
	}
	for name, informer := range watched {
		if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
			return fmt.Errorf("informer %s did not sync", name)
		}
		o.emit(map[string]any{"event": "synced", "informer": name, "count": len(informer.GetStore().List())})
	}

	if err := postEvent(ctx, client, opts.nodeName, "nodeclient started"); err != nil {
		o.emit(map[string]any{"event": "error", "what": "event create", "error": err.Error()})
	}
	go reportOnSignal(ctx, reports, watched, o)
	if opts.eventInterval > 0 {
		go postEvents(ctx, client, opts, o)
	}
	renewLeases(ctx, client, opts, o)

	for _, factory := range []informers.SharedInformerFactory{byNode, ownNode, proxy} {
		factory.Shutdown()
	}
	reportCaches(watched, o)
	return nil
}

// reportCaches writes one "cache" line per informer.
func reportCaches(watched map[string]cache.SharedIndexInformer, o *out) {
	for name, informer := range watched {
		o.emit(map[string]any{"event": "cache", "informer": name, "objects": summarize(informer.GetStore().List())})
	}
}

// reportOnSignal reports the caches, then a numbered "caches-reported" line, on each SIGUSR1.
func reportOnSignal(ctx context.Context, signals <-chan os.Signal, watched map[string]cache.SharedIndexInformer, o *out) {
	for seq := 1; ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-signals:
			reportCaches(watched, o)
			o.emit(map[string]any{"event": "caches-reported", "seq": seq})
		}
	}
}

// postEvents posts Event number 1, 2, ... every eventInterval and reports each outcome.
func postEvents(ctx context.Context, client kubernetes.Interface, opts options, o *out) {
	ticker := time.NewTicker(opts.eventInterval)
	defer ticker.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		message := fmt.Sprintf("nodeclient %s event %d", opts.nodeName, n)
		if err := postEvent(ctx, client, opts.nodeName, message); err != nil {
			o.emit(map[string]any{"event": "error", "what": "event create", "message": message, "error": err.Error()})
		} else {
			o.emit(map[string]any{"event": "event-posted", "message": message})
		}
	}
}

// registerNode creates the Node object when it does not exist yet, as kubelet does.
func registerNode(ctx context.Context, client kubernetes.Interface, name string) error {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}}}
	_, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// renewLeases renews the node lease every interval and, in a loop of its own (as kubelet's lease
// controller and status manager are apart, so a slow or retried patch never delays the lease),
// patches the node's Ready condition, until ctx ends.
func renewLeases(ctx context.Context, client kubernetes.Interface, opts options, o *out) {
	go every(ctx, opts.leaseInterval, func() {
		if err := patchReady(ctx, client, opts.nodeName); err != nil {
			o.emit(map[string]any{"event": "error", "what": "node status patch", "error": err.Error()})
		}
	})
	every(ctx, opts.leaseInterval, func() {
		if rv, err := renewLease(ctx, client, opts); err != nil {
			o.emit(map[string]any{"event": "error", "what": "lease renew", "error": err.Error()})
		} else {
			o.emit(map[string]any{"event": "lease-renewed", "resourceVersion": rv})
		}
	})
}

// every runs fn now and then each interval after the previous run ended, until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func renewLease(ctx context.Context, client kubernetes.Interface, opts options) (string, error) {
	leases := client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, opts.nodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		lease = &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: opts.nodeName, Namespace: corev1.NamespaceNodeLease},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity:       ptr.To(opts.nodeName),
				LeaseDurationSeconds: ptr.To(int32(40)),
				RenewTime:            &now,
			},
		}
		created, err := leases.Create(ctx, lease, metav1.CreateOptions{})
		if err != nil {
			return "", err
		}
		return created.ResourceVersion, nil
	}
	if err != nil {
		return "", err
	}
	lease.Spec.RenewTime = &now
	updated, err := leases.Update(ctx, lease, metav1.UpdateOptions{})
	if err != nil {
		return "", err
	}
	return updated.ResourceVersion, nil
}

func patchReady(ctx context.Context, client kubernetes.Interface, name string) error {
	now := metav1.Now()
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
		Message: "nodeclient is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now,
	}}}})
	_, err := client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	return err
}

func postEvent(ctx context.Context, client kubernetes.Interface, node, message string) error {
	now := metav1.Now()
	_, err := client.CoreV1().Events(metav1.NamespaceDefault).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: node + "."},
		InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: node, UID: types.UID(node)},
		Reason:         "Starting", Message: message, Type: corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "kubelet", Host: node},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, metav1.CreateOptions{})
	return err
}

// summarize lists each cached object's namespace/name and resourceVersion, sorted.
func summarize(objects []any) []string {
	lines := make([]string, 0, len(objects))
	for _, obj := range objects {
		meta, ok := obj.(metav1.Object)
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s/%s@%s", meta.GetNamespace(), meta.GetName(), meta.GetResourceVersion()))
	}
	sort.Strings(lines)
	return lines
}
