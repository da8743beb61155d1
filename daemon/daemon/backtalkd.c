/* backtalkd: polls an SMS gateway and answers each inbound message once
 * with the reply the rules choose.  One loop: the poller and the sender
 * each return the delay to their next run, the loop sleeps until the
 * nearest one (or a signal, or news from the sending thread), and signal
 * handlers only set flags.  The sending thread (sendq.c) only calls the
 * gateway; the database, the logs and the metrics are the loop's.  The
 * loop runs on one configuration (d->conf, dconf.h); a reload (SIGHUP)
 * builds a whole new one and swaps that pointer (backtalkd_setup). */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
static int
sd_notify(int unset, const char *state)
{
	(void)unset;
	(void)state;
	return 0;
}
static int
sd_watchdog_enabled(int unset, uint64_t *usec)
{
	(void)unset;
	(void)usec;
	return 0;
}
#endif

#include "checkin.h"
#include "daemon.h"
#include "http.h"
#include "log.h"
#include "log_ids.h"
#include "prefilter.h"
#include "secret.h"
#include "spool.h"
#include "sendq.h"
#include "version.h"

#define BACKTALKD_RETENTION_EVERY (6 * 3600.0)
/* Replies handed to the sending thread and not yet recorded, at most, and
 * how many it sends at a time (up to http.parallel_sends at once). */
#define BACKTALKD_SENDQ_CAP   512
#define BACKTALKD_SENDQ_CHUNK 128

static volatile sig_atomic_t backtalkd_reload_flag;
static volatile sig_atomic_t backtalkd_stop_flag;

static void
backtalkd_on_signal(int sig)
{
	if (sig == SIGHUP)
		backtalkd_reload_flag = 1;
	else
		backtalkd_stop_flag = 1;
}

static void
backtalkd_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: backtalkd [-c FILE] [--check-config] [-d]\n"
	        "\n"
	        "  -c, --config FILE   configuration (default %s)\n"
	        "  -n, --check-config  check the configuration and the rules, "
	        "then exit\n"
	        "  -d, --debug         debug logging: message bodies and full "
	        "phone numbers\n"
	        "                      are logged (never do this in "
	        "production)\n"
	        "  -h, --help          this help\n"
	        "  -V, --version       the version\n"
	        "\n"
	        "Signals: SIGHUP reloads the configuration and rules (a "
	        "broken file keeps\n"
	        "the running ones); SIGTERM and SIGINT finish the work in "
	        "hand and exit.\n",
	        CONFIG_DEFAULT_PATH);
}

/* What a scrape reads from the daemon besides the counters.  An empty
 * outbox also ends a streak of failed sends: nothing waits, so sending is
 * not failing, and the next reply starts its own streak. */
static void
backtalkd_gauges(struct daemon *d, struct metrics_gauges *g)
{
	g->rules_loaded = d->conf->rs->nrules;
	g->store_failing = d->store_failing;
	if (store_outbox_depth(d->store, &g->outbox_depth, &g->oldest_waiting) <
	    0) {
		g->outbox_depth = -1;
		g->oldest_waiting = 0;
	} else if (g->outbox_depth == 0)
		metrics_send_idle(d->metrics);
}

/* GET /metrics and GET /healthz (metrics_http.h). */
static char *
backtalkd_page(void *arg, bool health, unsigned *ret_status, size_t *ret_len)
{
	struct daemon *d = arg;
	struct metrics_gauges g;
	double now = (double)daemon_clock(d);
	char reason[256], *body;
	size_t len;

	backtalkd_gauges(d, &g);
	if (health) {
		bool ok =
		    metrics_health(d->metrics, &g, now,
		                   d->conf->cfg->metrics.health_max_failing_s,
		                   reason, sizeof(reason));
		*ret_status = ok ? 200 : 503;
		if (asprintf(&body, "%s\n", reason) < 0)
			return NULL;
		*ret_len = strlen(body);
		return body;
	}
	len = metrics_render(d->metrics, &g, now, BACKTALK_VERSION, NULL, 0);
	body = malloc(len + 1);
	if (body == NULL)
		return NULL;
	metrics_render(d->metrics, &g, now, BACKTALK_VERSION, body, len + 1);
	*ret_status = 200;
	*ret_len = len;
	return body;
}

/* The metrics endpoint a configuration asks for: the running one when it
 * is at the same address and port, a new one (listening already) when it
 * is not, NULL when metrics are off.  -1 when it cannot listen. */
static int
backtalkd_metrics_http(struct daemon *d, const struct config *cfg,
                       struct metrics_http **ret)
{
	char err[512];

	*ret = NULL;
	if (cfg->metrics.port == 0)
		return 0;
	if (metrics_http_is_at(d->metrics_http, cfg->metrics.listen,
	                       cfg->metrics.port)) {
		*ret = d->metrics_http;
		return 0;
	}
	if (metrics_http_start(cfg->metrics.listen, cfg->metrics.port,
	                       backtalkd_page, d, ret, err, sizeof(err)) < 0) {
		log_err("metrics: %s%s", err,
		        d->metrics_http ? " (to move it to an address the "
		                          "running endpoint holds, restart)"
		                        : "");
		return -1;
	}
	log_notice("metrics: listening on %s port %u", cfg->metrics.listen,
	           cfg->metrics.port);
	return 0;
}

static bool backtalkd_debug; /* -d: debug logging whatever the config says */

/* Builds a configuration (dconf_new, which takes cfg) and its metrics
 * endpoint, and swaps them in only when both are ready, as the first one
 * at start or in place of the running one on a reload; -1, with the
 * running one untouched, when either cannot be built.  The endpoint comes
 * first: dconf_new may take the running configuration's gateways, and
 * nothing may fail after it. */
static int
backtalkd_setup(struct daemon *d, struct config *cfg, bool reload)
{
	struct dconf *conf, *old = d->conf;
	struct metrics_http *mh;

	if (backtalkd_metrics_http(d, cfg, &mh) < 0) {
		config_free(cfg);
		return -1;
	}
	conf = dconf_new(cfg, old, d->store, daemon_now(d));
	if (conf == NULL) {
		if (mh != d->metrics_http)
			metrics_http_stop(mh);
		return -1;
	}

	/* All is ready: nothing fails from here on. */
	if (reload && strcmp(cfg->state_path, old->cfg->state_path) != 0) {
		log_warning("state path changes only on restart; still using "
		            "%s",
		            old->cfg->state_path);
		/* The running configuration names the database in use, so
		 * that the next reload and every message say it. */
		char *p = cfg->state_path;
		cfg->state_path = old->cfg->state_path;
		old->cfg->state_path = p;
	}
	if (d->metrics_http != mh) {
		metrics_http_stop(d->metrics_http);
		if (mh == NULL && reload)
			log_notice("metrics: endpoint closed");
	}
	d->metrics_http = mh;
	/* The sending thread takes its new gateway at its next chunk and
	 * frees the one it sends with now: that one is not the old
	 * configuration's to free.  A configuration that kept the running
	 * gateways (dconf_new) has none to give: the thread's stays. */
	if (conf->gw_send != NULL)
		sendq_set_gateway(d->sendq, conf->gw_send);
	conf->gw_send = NULL;
	d->conf = conf;
	dconf_free(old);

	/* A new token may be in: held replies and the poll ask again at
	 * once. */
	d->next_auth_probe = 0;
	d->next_poll = 0;
	/* -d outlives a reload. */
	log_set_level(backtalkd_debug ? LOG_LEVEL_DEBUG : cfg->log_level);
	log_event(
	    LOG_LEVEL_NOTICE, reload ? LOG_ID_RELOAD_OK : LOG_ID_START,
	    LOG_FIELDS(LOG_F_TEXT("CONFIG", cfg->path),
	               LOG_F_TEXT("RULES_PATH", cfg->rules_path),
	               LOG_F_INT("RULES", conf->rs->nrules),
	               LOG_F_TEXT("GATEWAY", config_gateway_name(cfg->gateway)),
	               LOG_F_TEXT("VERSION", BACKTALK_VERSION)),
	    "%s: %zu rules from %s, %s gateway",
	    reload ? "reloaded" : "started", conf->rs->nrules, cfg->rules_path,
	    config_gateway_name(cfg->gateway));
	/* Compiling the prefilter and the patterns used far more memory than
	 * the result keeps: give it back. */
	malloc_trim(0);
	return 0;
}

static void
backtalkd_reload(struct daemon *d)
{
	sd_notify(0, "RELOADING=1");
	log_notice("reloading %s", d->conf->cfg->path);
	struct config *cfg = dconf_load_config(d->conf->cfg->path);
	/* backtalkd_setup takes cfg, and frees it when it fails. */
	bool ok = cfg != NULL && backtalkd_setup(d, cfg, true) == 0;
	if (!ok)
		log_event(LOG_LEVEL_ERR, LOG_ID_RELOAD_FAILED,
		          LOG_FIELDS(LOG_F_TEXT("CONFIG", d->conf->cfg->path),
		                     LOG_F_INT("RULES", d->conf->rs->nrules)),
		          "reload failed; still running the previous "
		          "configuration and rules");
	metrics_reload(d->metrics, ok);
	sd_notify(0, "READY=1");
}

/* Sleeps until `secs` pass (or the gateway's deadline), the gateway's or
 * the metrics endpoint's descriptor is readable, or a signal arrives (the
 * signals are blocked outside ppoll, so none is lost between checking the
 * flags and sleeping). */
static void
backtalkd_wait(struct daemon *d, double secs, const sigset_t *unblocked)
{
	struct pollfd pfd[GATEWAY_EVENTS_MAX + 2];
	struct timespec ts;
	struct gateway_events ev;
	nfds_t n = 0;

	gateway_in_events(d->conf->gw_in, &ev);
	for (size_t i = 0; i < ev.nfds; i++)
		pfd[n++] = (struct pollfd){ .fd = ev.fds[i], .events = POLLIN };
	if (ev.timeout_s >= 0 && ev.timeout_s < secs)
		secs = ev.timeout_s;
	if (sendq_outstanding(d->sendq) > 0)
		pfd[n++] = (struct pollfd){ .fd = sendq_fd(d->sendq),
			                    .events = POLLIN };
	if (d->metrics_http != NULL) {
		double t = metrics_http_timeout(d->metrics_http);
		if (t >= 0 && t < secs)
			secs = t;
		pfd[n++] = (struct pollfd){
			.fd = metrics_http_fd(d->metrics_http),
			.events = POLLIN,
		};
	}
	if (secs < 0)
		secs = 0;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	ppoll(n > 0 ? pfd : NULL, n, &ts, unblocked);
}

/* Deletes message bodies past the retention period (the rows and counts
 * stay).  VACUUM blocks the loop briefly, so this runs a few times a day. */
static void
backtalkd_retention(struct daemon *d)
{
	if (d->conf->cfg->retention_days == 0)
		return;
	int64_t before =
	    daemon_clock(d) - (int64_t)d->conf->cfg->retention_days * 86400;
	int64_t n = store_retention(d->store, before);
	if (n < 0)
		log_err("store: retention failed: %s", store_error(d->store));
	else if (n > 0)
		log_notice("retention: cleared %lld message bodies older than "
		           "%u days",
		           (long long)n, d->conf->cfg->retention_days);
}

/* Watches the wall clock against the monotonic one.  Stored times are
 * wall-clock: after a step, the outbox's live rows are moved by as much,
 * so that a retry or a settle wait keeps its length rather than lasting
 * the step (or ending early). */
static void
backtalkd_clock(struct daemon *d)
{
	struct timespec ts, bt;
	double wall, step;

	/* CLOCK_BOOTTIME, not CLOCK_MONOTONIC: a suspended host's wall clock
	 * runs on through the suspension, and that is no step. */
	clock_gettime(CLOCK_REALTIME, &ts);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	wall = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	step = clockwatch_step(&d->clocks, wall,
	                       (double)bt.tv_sec + bt.tv_nsec / 1e9);
	if (step == 0)
		return;
	log_warning("the wall clock stepped %s by %.0f s; moving the "
	            "outbox's recorded times with it",
	            step < 0 ? "back" : "forward", step < 0 ? -step : step);
	if (store_outbox_shift(d->store, (int64_t)llround(step),
	                       (int64_t)llround(wall - step)) < 0)
		log_err("store: cannot move the outbox's times: %s",
		        store_error(d->store));
}

static uint64_t backtalkd_wd_usec; /* WatchdogSec=, 0 when off */
static double backtalkd_next_wd;   /* monotonic seconds */

/* Tells systemd the daemon is alive, every third of the watchdog interval
 * (the loop or http_perform may take up to a second to call this). */
static void
backtalkd_watchdog(void)
{
	double now;

	/* systemd's clock, whatever clock the daemon is given. */
	if (backtalkd_wd_usec == 0 ||
	    (now = daemon_now(NULL)) < backtalkd_next_wd)
		return;
	sd_notify(0, "WATCHDOG=1");
	backtalkd_next_wd = now + (double)backtalkd_wd_usec / 3e6;
}

static int
backtalkd_run(struct daemon *d)
{
	sigset_t block, unblocked;
	double now;

	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigdelset(&unblocked, SIGHUP);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGINT);

	double next_retention = daemon_now(d) + 60;
	double next_trim = 0;
	bool worked = false;

	if (sd_watchdog_enabled(0, &backtalkd_wd_usec) <= 0)
		backtalkd_wd_usec = 0;
	/* A batch of sends or a poll's pages can keep the loop in libcurl
	 * for longer than the watchdog allows (every request bounded by the
	 * HTTP timeouts): it pings from there too. */
	http_set_wait_hook(backtalkd_watchdog);
	sd_notify(0, "READY=1");
	d->next_poll = d->next_send = daemon_now(d);

	while (!backtalkd_stop_flag) {
		if (backtalkd_reload_flag) {
			backtalkd_reload_flag = 0;
			backtalkd_reload(d);
		}
		backtalkd_clock(d);
		/* Answers scrapes that are ready; it never blocks. */
		if (d->metrics_http != NULL)
			metrics_http_run(d->metrics_http);
		now = daemon_now(d);
		struct gateway_events ev;
		gateway_in_events(d->conf->gw_in, &ev);
		/* A driver with descriptors polls without blocking on each
		 * turn; one with a deadline when it has come. */
		if (now >= d->next_poll || ev.nfds > 0 || ev.timeout_s == 0) {
			double wait = poller_run(d);
			worked = true;
			d->next_poll = daemon_now(d) + wait;
			d->next_send = 0; /* new replies may be due */
		}
		/* Outcomes from the sending thread are recorded at once. */
		if (daemon_now(d) >= d->next_send ||
		    sendq_outstanding(d->sendq) > 0) {
			d->next_send = daemon_now(d) + sender_run(d);
			worked = true;
		}
		now = daemon_now(d);
		if (now >= d->next_checkin) {
			d->next_checkin = now + checkin_run(d);
			d->next_send = 0; /* a check-in may be queued */
		}
		if (now >= next_retention) {
			backtalkd_retention(d);
			next_retention = now + BACKTALKD_RETENTION_EVERY;
		}
		backtalkd_watchdog();
		/* Console at end of input: leave once the outbox is empty. */
		if (d->input_closed && d->next_send > now + 0.5) {
			struct store_counts c;
			if (store_counts(d->store, &c) == 0 &&
			    c.outbox_pending == 0 && c.staged == 0)
				break;
		}
		double until =
		    d->next_poll < d->next_send ? d->next_poll : d->next_send;
		if (d->next_checkin < until)
			until = d->next_checkin;
		if (backtalkd_wd_usec > 0 && backtalkd_next_wd < until)
			until = backtalkd_next_wd;
		/* Going idle after work: give back the heap's free pages (a
		 * poll's parsed page leaves holes that the top-of-heap trim
		 * does not reach).  At most once a second. */
		if (until > now && worked && now >= next_trim) {
			malloc_trim(0);
			next_trim = now + 1;
			worked = false;
		}
		/* Always pass through ppoll, with no wait when busy: the
		 * signals are only unblocked there, so a daemon working
		 * through a backlog still sees SIGTERM. */
		backtalkd_wait(d, until > now ? until - now : 0, &unblocked);
	}
	sd_notify(0, "STOPPING=1");
	log_event(LOG_LEVEL_NOTICE, LOG_ID_STOP,
	          LOG_FIELDS(LOG_F_INT(
	              "UPTIME_S", (long long)(daemon_now(d) - d->started))),
	          "stopping");
	sender_stop(d);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	bool check = false, debug = false;
	struct daemon d;
	char err[1024], warn[2048];
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "c:ndhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			backtalkd_usage(stdout);
			return 0;
		case 'V':
			printf("backtalkd %s\n", BACKTALK_VERSION);
			return 0;
		default:
			backtalkd_usage(stderr);
			return 2;
		}
	}
	/* Secrets live in this process: no core dumps, no ptrace by others. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A poll's page (a response body and its parse) is a large, short
	 * lived allocation: keep such blocks out of the heap, where a freed
	 * one would otherwise stay part of the resident size. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024);
	mallopt(M_ARENA_MAX, 1);
	/* Under systemd, stderr is the journal: native records with fields. */
	log_init("backtalkd", LOG_LEVEL_INFO,
	         log_stderr_is_journal() ? LOG_OUTPUT_JOURNAL
	                                 : LOG_OUTPUT_LINES);
	const char *cache = getenv("CACHE_DIRECTORY");
	if (cache != NULL && *cache)
		prefilter_cache_dir(cache);

	memset(&d, 0, sizeof(d));
	struct config *cfg = dconf_load_config(path);
	if (cfg == NULL) {
		log_err("%s: configuration has errors; nothing started", path);
		return 1;
	}
	if (debug)
		cfg->log_level = LOG_LEVEL_DEBUG;
	backtalkd_debug = debug;
	log_set_level(cfg->log_level);
	if (check) {
		struct ruleset *rs = dconf_load_rules(cfg->rules_path);
		bool ok = true;
		char *s = dconf_load_secret(cfg, &ok);
		secret_free(s);
		if (rs != NULL && ok)
			printf("%s: configuration OK; %zu rules from %s; %s "
			       "gateway\n",
			       path, rs->nrules, cfg->rules_path,
			       config_gateway_name(cfg->gateway));
		rc = rs != NULL && ok ? 0 : 1;
		rules_free(rs);
		config_free(cfg);
		return rc;
	}
	if (log_get_level() >= LOG_LEVEL_DEBUG)
		log_warning(
		    "DEBUG LOGGING IS ON: message bodies and full phone "
		    "numbers will be written to the log");

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = backtalkd_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)(time(NULL) ^ getpid()));
	curl_global_init(CURL_GLOBAL_DEFAULT);

	d.started = daemon_now(&d);
	d.metrics = metrics_new((double)daemon_clock(&d));
	if (d.metrics == NULL) {
		log_err("out of memory");
		config_free(cfg);
		return 1;
	}
	if (store_open_daemon(cfg->state_path, cfg->secret_mode_strict,
	                      &d.store, warn, sizeof(warn), err,
	                      sizeof(err)) != 0) {
		log_err("state database %s: %s", cfg->state_path, err);
		config_free(cfg);
		metrics_free(d.metrics);
		return 1;
	}
	if (warn[0] != '\0')
		log_warning("state database %s: %s", cfg->state_path, warn);
	/* Beside the database: Infobip's answers, until staged.  (Every
	 * backend of this build keeps a local file.) */
	const char *state_file = store_location_file(cfg->state_path);
	d.spool_dir = state_file != NULL ? spool_dir(state_file) : NULL;
	if (d.spool_dir == NULL) {
		log_err("out of memory");
		config_free(cfg);
		store_close(d.store);
		metrics_free(d.metrics);
		return 1;
	}
	/* The sending thread outlives a configuration: each one, the first
	 * too, hands it its gateway (backtalkd_setup). */
	if (sendq_new(NULL, BACKTALKD_SENDQ_CAP, BACKTALKD_SENDQ_CHUNK,
	              &d.sendq, err, sizeof(err)) < 0) {
		log_err("%s gateway: %s", config_gateway_name(cfg->gateway),
		        err);
		config_free(cfg);
		free(d.spool_dir);
		store_close(d.store);
		metrics_free(d.metrics);
		return 1;
	}
	if (backtalkd_setup(&d, cfg, false) != 0) { /* it took cfg */
		log_err("cannot start; see the errors above");
		sendq_free(d.sendq);
		free(d.spool_dir);
		store_close(d.store);
		metrics_free(d.metrics);
		return 1;
	}
	rc = backtalkd_run(&d);

	metrics_http_stop(d.metrics_http);
	metrics_free(d.metrics);
	gateway_batch_free(&d.pending);
	for (size_t i = 0; i < d.nkept; i++)
		free(d.kept[i]);
	free(d.kept);
	free(d.spool_dir);
	sendq_free(d.sendq);
	dconf_free(d.conf);
	store_close(d.store);
	curl_global_cleanup();
	return rc;
}
