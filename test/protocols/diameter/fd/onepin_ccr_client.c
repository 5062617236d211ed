/*
 * OnePIN's credit-control client for freeDiameter 1.2 (test harness, not product code).
 *
 * Loaded into freeDiameterd as an extension; its configuration string is the path of a scenario
 * file. Once the OnePIN server (the peer named in the scenario) is connected, it runs the steps of
 * the scenario: sends CCRs built as the scenario says, decodes every answer with freeDiameter's
 * own dictionary and parser, and writes one JSON line per answer (or step) to the output file.
 * The scenario format is documented in docs/diameter.md ("Scenario files"); keep both in step.
 *
 * Build (the test does this into a temporary directory):
 *   gcc -shared -fPIC -o onepin_ccr_client.fdx onepin_ccr_client.c \
 *       -l:libfdcore.so.6 -l:libfdproto.so.6
 */
#include <freeDiameter/extension.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>

#define LINE_MAX_CHARS 1024
#define TOKENS_MAX 32
#define SESSIONS_MAX 256
#define LABEL_MAX 64

/* ---- scenario state ------------------------------------------------------------------------ */

static char scenario_path[512];
static char peer_id[256] = "ocs.test";
static char dest_realm[256] = "test";
static char output_path[512];
static unsigned advertised_app = 4;
static long answer_timeout_ms = 10000;
static FILE *out;
static pthread_t runner;

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cnd = PTHREAD_COND_INITIALIZER;
static int outstanding; /* requests sent and not yet answered or expired */

static struct dict_object *d_ccr;

struct session_slot {
	char label[LABEL_MAX];
	char sid[256];
	size_t sid_len;
	unsigned next_number;
	uint32_t last_eteid;
	int has_last;
};
static struct session_slot sessions[SESSIONS_MAX];
static int session_count;

/* What an answer callback needs to report its request. */
struct pending {
	char label[LABEL_MAX];
	char session[LABEL_MAX];
	char type[16];
	unsigned number;
	uint32_t eteid;
	char sid[256];
	size_t sid_len;
};

/* ---- output -------------------------------------------------------------------------------- */

static void emit(const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&mtx);
	if (out) {
		va_start(ap, fmt);
		vfprintf(out, fmt, ap);
		va_end(ap);
		fputc('\n', out);
		fflush(out);
	}
	pthread_mutex_unlock(&mtx);
}

/* Appends printf-style text to a bounded buffer. */
static void cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* JSON string body: printable ASCII kept, everything else dropped. */
static void cat_json_string(char *buf, size_t size, const uint8_t *data, size_t len)
{
	size_t i;
	cat(buf, size, "\"");
	for (i = 0; i < len && i < 200; i++) {
		uint8_t c = data[i];
		if (c == '"' || c == '\\')
			cat(buf, size, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			cat(buf, size, "%c", c);
	}
	cat(buf, size, "\"");
}

/* ---- dictionary helpers -------------------------------------------------------------------- */

static struct dict_object *A(const char *name)
{
	struct dict_object *o = NULL;
	if (fd_dict_search(fd_g_config->cnf_dict, DICT_AVP, AVP_BY_NAME_ALL_VENDORS, name, &o, ENOENT))
		fd_log_error("ONEPIN_CCR: no AVP %s in the dictionary", name);
	return o;
}

static struct avp *add_value(msg_or_avp *parent, const char *name, union avp_value *v)
{
	struct avp *a = NULL;
	if (fd_msg_avp_new(A(name), 0, &a) == 0) {
		if (v)
			fd_msg_avp_setvalue(a, v);
		fd_msg_avp_add(parent, MSG_BRW_LAST_CHILD, a);
	}
	return a;
}
static struct avp *add_u32(msg_or_avp *p, const char *n, uint32_t x)
{
	union avp_value v;
	memset(&v, 0, sizeof v);
	v.u32 = x;
	return add_value(p, n, &v);
}
static struct avp *add_i32(msg_or_avp *p, const char *n, int32_t x)
{
	union avp_value v;
	memset(&v, 0, sizeof v);
	v.i32 = x;
	return add_value(p, n, &v);
}
static struct avp *add_i64(msg_or_avp *p, const char *n, int64_t x)
{
	union avp_value v;
	memset(&v, 0, sizeof v);
	v.i64 = x;
	return add_value(p, n, &v);
}
static struct avp *add_u64(msg_or_avp *p, const char *n, uint64_t x)
{
	union avp_value v;
	memset(&v, 0, sizeof v);
	v.u64 = x;
	return add_value(p, n, &v);
}
static struct avp *add_str(msg_or_avp *p, const char *n, const char *s)
{
	union avp_value v;
	memset(&v, 0, sizeof v);
	v.os.data = (uint8_t *)s;
	v.os.len = strlen(s);
	return add_value(p, n, &v);
}
static struct avp *add_group(msg_or_avp *p, const char *n)
{
	return add_value(p, n, NULL);
}

/* CC-Money { Unit-Value { Value-Digits, Exponent }, Currency-Code } */
static void add_money(msg_or_avp *units, long long digits, int exponent, unsigned currency)
{
	struct avp *money = add_group(units, "CC-Money");
	struct avp *uv = add_group(money, "Unit-Value");
	add_i64(uv, "Value-Digits", digits);
	if (exponent != 0)
		add_i32(uv, "Exponent", exponent);
	add_u32(money, "Currency-Code", currency);
}

/* ---- scenario parsing ---------------------------------------------------------------------- */

/* The value of key=value among tokens, or NULL. */
static const char *opt(char **tok, int n, const char *key)
{
	size_t kl = strlen(key);
	int i;
	for (i = 0; i < n; i++)
		if (strncmp(tok[i], key, kl) == 0 && tok[i][kl] == '=')
			return tok[i] + kl + 1;
	return NULL;
}
static long long opt_num(char **tok, int n, const char *key, long long dflt)
{
	const char *v = opt(tok, n, key);
	return v ? strtoll(v, NULL, 10) : dflt;
}

static int split(char *line, char **tok)
{
	int n = 0;
	char *save = NULL, *t;
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	for (t = strtok_r(line, " \t\r\n", &save); t && n < TOKENS_MAX; t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

static struct session_slot *session_for(const char *label)
{
	int i;
	struct session *s = NULL;
	os0_t sid;
	size_t len;
	for (i = 0; i < session_count; i++)
		if (strcmp(sessions[i].label, label) == 0)
			return &sessions[i];
	if (session_count >= SESSIONS_MAX)
		return NULL;
	if (fd_sess_new(&s, fd_g_config->cnf_diamid, fd_g_config->cnf_diamid_len, (uint8_t *)"onepin", 6))
		return NULL;
	fd_sess_getsid(s, &sid, &len);
	struct session_slot *slot = &sessions[session_count++];
	memset(slot, 0, sizeof *slot);
	snprintf(slot->label, sizeof slot->label, "%s", label);
	if (len >= sizeof slot->sid)
		len = sizeof slot->sid - 1;
	memcpy(slot->sid, sid, len);
	slot->sid_len = len;
	return slot;
}

/* ---- answers ------------------------------------------------------------------------------- */

static struct avp *child(msg_or_avp *parent, uint32_t code)
{
	struct avp *a = NULL;
	struct avp_hdr *h;
	fd_msg_browse(parent, MSG_BRW_FIRST_CHILD, &a, NULL);
	while (a) {
		if (fd_msg_avp_hdr(a, &h) == 0 && h->avp_code == code && h->avp_vendor == 0)
			return a;
		fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL);
	}
	return NULL;
}
static int child_u32(msg_or_avp *parent, uint32_t code, long long *value)
{
	struct avp *a = child(parent, code);
	struct avp_hdr *h;
	if (!a || fd_msg_avp_hdr(a, &h) || !h->avp_value)
		return 0;
	*value = h->avp_value->u32;
	return 1;
}
static int child_i32(msg_or_avp *parent, uint32_t code, long long *value)
{
	struct avp *a = child(parent, code);
	struct avp_hdr *h;
	if (!a || fd_msg_avp_hdr(a, &h) || !h->avp_value)
		return 0;
	*value = h->avp_value->i32;
	return 1;
}

/* "granted_time":N / "granted_units":N when the group holds a Granted-Service-Unit with CC-Time /
 * CC-Service-Specific-Units. */
static void cat_granted(char *buf, size_t size, msg_or_avp *parent)
{
	long long t;
	struct avp *gsu = child(parent, 431);
	struct avp *units;
	struct avp_hdr *h;
	if (!gsu) {
		cat(buf, size, ",\"granted\":false");
		return;
	}
	cat(buf, size, ",\"granted\":true");
	if (child_u32(gsu, 420, &t))
		cat(buf, size, ",\"granted_time\":%lld", t);
	units = child(gsu, 417);
	if (units && fd_msg_avp_hdr(units, &h) == 0 && h->avp_value)
		cat(buf, size, ",\"granted_units\":%llu", (unsigned long long)h->avp_value->u64);
}
static void cat_fui(char *buf, size_t size, msg_or_avp *parent)
{
	long long action;
	struct avp *fui = child(parent, 430);
	if (fui && child_i32(fui, 449, &action))
		cat(buf, size, ",\"final_unit_action\":%lld", action);
}

static void ans_cb(void *data, struct msg **m)
{
	struct pending *p = data;
	struct msg_hdr *hdr = NULL;
	struct avp *a = NULL;
	struct avp_hdr *h;
	long long v;
	char buf[4096];
	int mscc_index = 0;

	buf[0] = '\0';
	fd_msg_parse_dict(*m, fd_g_config->cnf_dict, NULL);
	fd_msg_hdr(*m, &hdr);
	cat(buf, sizeof buf, "{\"step\":\"answer\",\"label\":\"%s\",\"session\":\"%s\",\"type\":\"%s\",\"number\":%u",
	    p->label, p->session, p->type, p->number);
	cat(buf, sizeof buf, ",\"error_bit\":%s,\"e2e_match\":%s,\"command\":%u",
	    (hdr->msg_flags & CMD_FLAG_ERROR) ? "true" : "false", hdr->msg_eteid == p->eteid ? "true" : "false",
	    hdr->msg_code);
	if (child_u32(*m, 268, &v))
		cat(buf, sizeof buf, ",\"result\":%lld", v);
	if (child_i32(*m, 416, &v))
		cat(buf, sizeof buf, ",\"cc_request_type\":%lld", v);
	if (child_u32(*m, 415, &v))
		cat(buf, sizeof buf, ",\"cc_request_number\":%lld", v);
	if (child_i32(*m, 427, &v))
		cat(buf, sizeof buf, ",\"ccfh\":%lld", v);
	if (child_i32(*m, 418, &v))
		cat(buf, sizeof buf, ",\"cc_session_failover\":%lld", v);
	if (child_u32(*m, 448, &v))
		cat(buf, sizeof buf, ",\"validity_time\":%lld", v);
	if (child_i32(*m, 422, &v))
		cat(buf, sizeof buf, ",\"check_balance\":%lld", v);
	if (child(*m, 263)) {
		struct avp_hdr *sh;
		if (fd_msg_avp_hdr(child(*m, 263), &sh) == 0 && sh->avp_value)
			cat(buf, sizeof buf, ",\"session_match\":%s",
			    (sh->avp_value->os.len == p->sid_len &&
			     memcmp(sh->avp_value->os.data, p->sid, p->sid_len) == 0) ? "true" : "false");
	}
	{
		struct avp *oh = child(*m, 264);
		if (oh && fd_msg_avp_hdr(oh, &h) == 0 && h->avp_value) {
			cat(buf, sizeof buf, ",\"origin_host\":");
			cat_json_string(buf, sizeof buf, h->avp_value->os.data, h->avp_value->os.len);
		}
	}
	{
		struct avp *em = child(*m, 281);
		if (em && fd_msg_avp_hdr(em, &h) == 0 && h->avp_value) {
			cat(buf, sizeof buf, ",\"error_message\":");
			cat_json_string(buf, sizeof buf, h->avp_value->os.data, h->avp_value->os.len);
		}
	}
	{
		struct avp *ci = child(*m, 423);
		if (ci) {
			struct avp *uv = child(ci, 445);
			long long digits = 0, exponent = 0, currency = 0;
			if (uv) {
				struct avp *vd = child(uv, 447);
				if (vd && fd_msg_avp_hdr(vd, &h) == 0 && h->avp_value)
					digits = h->avp_value->i64;
				child_i32(uv, 429, &exponent);
			}
			child_u32(ci, 425, &currency);
			cat(buf, sizeof buf, ",\"cost\":{\"digits\":%lld,\"exponent\":%lld,\"currency\":%lld}", digits,
			    exponent, currency);
		}
	}
	{
		struct avp *fa = child(*m, 279);
		if (fa) {
			struct avp *inner = NULL;
			fd_msg_browse(fa, MSG_BRW_FIRST_CHILD, &inner, NULL);
			if (inner && fd_msg_avp_hdr(inner, &h) == 0)
				cat(buf, sizeof buf, ",\"failed_avp\":%u", h->avp_code);
		}
	}
	cat_granted(buf, sizeof buf, *m);
	cat_fui(buf, sizeof buf, *m);
	cat(buf, sizeof buf, ",\"mscc\":[");
	fd_msg_browse(*m, MSG_BRW_FIRST_CHILD, &a, NULL);
	while (a) {
		if (fd_msg_avp_hdr(a, &h) == 0 && h->avp_code == 456 && h->avp_vendor == 0) {
			cat(buf, sizeof buf, "%s{\"index\":%d", mscc_index ? "," : "", mscc_index);
			mscc_index++;
			if (child_u32(a, 432, &v))
				cat(buf, sizeof buf, ",\"rating_group\":%lld", v);
			if (child_u32(a, 268, &v))
				cat(buf, sizeof buf, ",\"result\":%lld", v);
			if (child_u32(a, 448, &v))
				cat(buf, sizeof buf, ",\"validity_time\":%lld", v);
			cat_granted(buf, sizeof buf, a);
			cat_fui(buf, sizeof buf, a);
			cat(buf, sizeof buf, "}");
		}
		fd_msg_browse(a, MSG_BRW_NEXT, &a, NULL);
	}
	cat(buf, sizeof buf, "]}");
	emit("%s", buf);

	fd_msg_free(*m);
	*m = NULL;
	free(p);
	pthread_mutex_lock(&mtx);
	outstanding--;
	pthread_cond_broadcast(&cnd);
	pthread_mutex_unlock(&mtx);
}

static void expire_cb(void *data, DiamId_t sentto, size_t senttolen, struct msg **m)
{
	struct pending *p = data;
	(void)sentto;
	(void)senttolen;
	emit("{\"step\":\"answer\",\"label\":\"%s\",\"session\":\"%s\",\"timeout\":true}", p->label, p->session);
	fd_msg_free(*m);
	*m = NULL;
	free(p);
	pthread_mutex_lock(&mtx);
	outstanding--;
	pthread_cond_broadcast(&cnd);
	pthread_mutex_unlock(&mtx);
}

/* ---- requests ------------------------------------------------------------------------------ */

static int request_type_code(const char *type)
{
	if (!strcmp(type, "initial")) return 1;
	if (!strcmp(type, "update")) return 2;
	if (!strcmp(type, "terminate")) return 3;
	if (!strcmp(type, "event")) return 4;
	return 0;
}
static int action_code(const char *action)
{
	if (!strcmp(action, "direct-debiting")) return 0;
	if (!strcmp(action, "refund-account")) return 1;
	if (!strcmp(action, "check-balance")) return 2;
	if (!strcmp(action, "price-enquiry")) return 3;
	return -1;
}

/* Adds RSU/USU built from options with the given prefix ("rsu" or "usu"). */
static void add_units(msg_or_avp *parent, const char *group, const char *prefix, char **tok, int n)
{
	char key_time[32], key_money[32], key_empty[32], key_units[32];
	const char *t, *money, *empty, *units;
	snprintf(key_time, sizeof key_time, "%s-time", prefix);
	snprintf(key_money, sizeof key_money, "%s-money", prefix);
	snprintf(key_empty, sizeof key_empty, "%s-empty", prefix);
	snprintf(key_units, sizeof key_units, "%s-units", prefix);
	t = opt(tok, n, key_time);
	money = opt(tok, n, key_money);
	empty = opt(tok, n, key_empty);
	units = opt(tok, n, key_units);
	if (!t && !money && !empty && !units)
		return;
	struct avp *u = add_group(parent, group);
	if (t)
		add_u32(u, "CC-Time", (uint32_t)strtoul(t, NULL, 10));
	if (units)
		add_u64(u, "CC-Service-Specific-Units", (uint64_t)strtoull(units, NULL, 10));
	if (money)
		add_money(u, strtoll(money, NULL, 10), (int)opt_num(tok, n, "exponent", 0),
			  (unsigned)opt_num(tok, n, "currency", 410));
}

/* ccr|send <label> <session> <type> [key=value ...] */
static void send_ccr(char **tok, int n, int wait)
{
	struct msg *m = NULL;
	struct msg_hdr *hdr;
	struct avp *a;
	union avp_value v;
	struct session_slot *slot;
	struct pending *p;
	const char *label, *session, *type, *sub, *action, *called;
	int type_code;
	unsigned number;
	int retransmit, use_mscc;
	struct timespec deadline;

	if (n < 4) {
		emit("{\"step\":\"error\",\"reason\":\"ccr needs a label, a session and a type\"}");
		return;
	}
	label = tok[1];
	session = tok[2];
	type = tok[3];
	type_code = request_type_code(type);
	slot = session_for(session);
	if (!type_code || !slot) {
		emit("{\"step\":\"error\",\"label\":\"%s\",\"reason\":\"bad type or too many sessions\"}", label);
		return;
	}
	retransmit = (int)opt_num(tok + 4, n - 4, "retransmit", 0);
	use_mscc = (int)opt_num(tok + 4, n - 4, "mscc", 1);
	if (retransmit && slot->has_last && slot->next_number > 0)
		number = (unsigned)opt_num(tok + 4, n - 4, "number", slot->next_number - 1);
	else
		number = (unsigned)opt_num(tok + 4, n - 4, "number", slot->next_number);

	fd_msg_new(d_ccr, MSGFL_ALLOC_ETEID, &m);
	fd_msg_hdr(m, &hdr);
	hdr->msg_appl = 4;
	if (retransmit && slot->has_last) {
		hdr->msg_eteid = slot->last_eteid;
		hdr->msg_flags |= CMD_FLAG_RETRANSMIT;
	}
	memset(&v, 0, sizeof v);
	fd_msg_avp_new(A("Session-Id"), 0, &a);
	v.os.data = (uint8_t *)slot->sid;
	v.os.len = slot->sid_len;
	fd_msg_avp_setvalue(a, &v);
	fd_msg_avp_add(m, MSG_BRW_FIRST_CHILD, a);
	fd_msg_add_origin(m, 0);
	add_str(m, "Destination-Realm", dest_realm);
	add_str(m, "Destination-Host", peer_id);
	add_u32(m, "Auth-Application-Id", 4);
	add_str(m, "Service-Context-Id", opt(tok + 4, n - 4, "context") ? opt(tok + 4, n - 4, "context") : "32276@3gpp.org");
	add_i32(m, "CC-Request-Type", type_code);
	add_u32(m, "CC-Request-Number", number);
	sub = opt(tok + 4, n - 4, "sub");
	if (sub) {
		struct avp *s = add_group(m, "Subscription-Id");
		add_i32(s, "Subscription-Id-Type", (int32_t)opt_num(tok + 4, n - 4, "sub-type", 4));
		add_str(s, "Subscription-Id-Data", sub);
	}
	action = opt(tok + 4, n - 4, "action");
	if (action && action_code(action) >= 0)
		add_i32(m, "Requested-Action", action_code(action));
	if (opt(tok + 4, n - 4, "termination-cause"))
		add_i32(m, "Termination-Cause", (int32_t)opt_num(tok + 4, n - 4, "termination-cause", 1));
	if (use_mscc) {
		if (type_code == 1)
			add_i32(m, "Multiple-Services-Indicator", 1);
		struct avp *ms = add_group(m, "Multiple-Services-Credit-Control");
		add_units(ms, "Requested-Service-Unit", "rsu", tok + 4, n - 4);
		add_units(ms, "Used-Service-Unit", "usu", tok + 4, n - 4);
		if (opt(tok + 4, n - 4, "si"))
			add_u32(ms, "Service-Identifier", (uint32_t)opt_num(tok + 4, n - 4, "si", 0));
		add_u32(ms, "Rating-Group", (uint32_t)opt_num(tok + 4, n - 4, "rg", 1));
	} else {
		add_units(m, "Requested-Service-Unit", "rsu", tok + 4, n - 4);
		add_units(m, "Used-Service-Unit", "usu", tok + 4, n - 4);
	}
	called = opt(tok + 4, n - 4, "called");
	if (called) {
		struct avp *si = add_group(m, "Service-Information");
		struct avp *ims = add_group(si, "IMS-Information");
		add_str(ims, "Called-Party-Address", called);
	}

	slot->last_eteid = hdr->msg_eteid;
	slot->has_last = 1;
	if (!retransmit && !opt(tok + 4, n - 4, "number"))
		slot->next_number = number + 1;

	p = calloc(1, sizeof *p);
	snprintf(p->label, sizeof p->label, "%s", label);
	snprintf(p->session, sizeof p->session, "%s", session);
	snprintf(p->type, sizeof p->type, "%s", type);
	p->number = number;
	p->eteid = hdr->msg_eteid;
	memcpy(p->sid, slot->sid, slot->sid_len);
	p->sid_len = slot->sid_len;

	pthread_mutex_lock(&mtx);
	outstanding++;
	pthread_mutex_unlock(&mtx);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += answer_timeout_ms / 1000;
	deadline.tv_nsec += (answer_timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec += 1;
		deadline.tv_nsec -= 1000000000L;
	}
	if (fd_msg_send_timeout(&m, ans_cb, p, expire_cb, &deadline)) {
		emit("{\"step\":\"error\",\"label\":\"%s\",\"reason\":\"send failed\"}", label);
		free(p);
		pthread_mutex_lock(&mtx);
		outstanding--;
		pthread_mutex_unlock(&mtx);
		return;
	}
	if (wait) {
		pthread_mutex_lock(&mtx);
		while (outstanding > 0)
			pthread_cond_wait(&cnd, &mtx);
		pthread_mutex_unlock(&mtx);
	}
}

/* ---- steps --------------------------------------------------------------------------------- */

static int peer_state(void)
{
	struct peer_hdr *peer = NULL;
	if (fd_peer_getbyid((DiamId_t)peer_id, strlen(peer_id), 0, &peer) || !peer)
		return -1;
	return fd_peer_get_state(peer);
}
static const char *state_name(int state)
{
	return state < 0 ? "NO_PEER" : STATE_STR(state);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void *run(void *arg)
{
	FILE *f;
	char line[LINE_MAX_CHARS];
	char *tok[TOKENS_MAX];
	int n;
	(void)arg;

	f = fopen(scenario_path, "r");
	if (!f) {
		emit("{\"step\":\"error\",\"reason\":\"cannot open the scenario\"}");
		fd_core_shutdown();
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		n = split(line, tok);
		if (n == 0)
			continue;
		if (!strcmp(tok[0], "peer") || !strcmp(tok[0], "output") || !strcmp(tok[0], "app") ||
		    !strcmp(tok[0], "timeout") || !strcmp(tok[0], "realm"))
			continue; /* directives, read at load time */
		if (!strcmp(tok[0], "wait-open")) {
			long limit = n > 1 ? strtol(tok[1], NULL, 10) : 10000;
			long waited = 0;
			while (peer_state() != STATE_OPEN && waited < limit) {
				sleep_ms(50);
				waited += 50;
			}
			emit("{\"step\":\"wait-open\",\"open\":%s,\"state\":\"%s\"}", peer_state() == STATE_OPEN ? "true" : "false",
			     state_name(peer_state()));
		} else if (!strcmp(tok[0], "peer-state")) {
			emit("{\"step\":\"peer-state\",\"label\":\"%s\",\"state\":\"%s\"}", n > 1 ? tok[1] : "",
			     state_name(peer_state()));
		} else if (!strcmp(tok[0], "sleep")) {
			sleep_ms(n > 1 ? strtol(tok[1], NULL, 10) : 0);
		} else if (!strcmp(tok[0], "ccr")) {
			send_ccr(tok, n, 1);
		} else if (!strcmp(tok[0], "send")) {
			send_ccr(tok, n, 0);
		} else if (!strcmp(tok[0], "wait-answers")) {
			pthread_mutex_lock(&mtx);
			while (outstanding > 0)
				pthread_cond_wait(&cnd, &mtx);
			pthread_mutex_unlock(&mtx);
			emit("{\"step\":\"wait-answers\"}");
		} else if (!strcmp(tok[0], "end")) {
			break;
		} else {
			emit("{\"step\":\"error\",\"reason\":\"unknown step\"}");
		}
	}
	fclose(f);
	emit("{\"step\":\"end\"}");
	/* Shutting down sends DPR to the server: the disconnect is part of every run. */
	fd_core_shutdown();
	return NULL;
}

/* Reads the directives (peer, realm, output, app, timeout) before freeDiameter connects. */
static int read_directives(void)
{
	FILE *f = fopen(scenario_path, "r");
	char line[LINE_MAX_CHARS];
	char *tok[TOKENS_MAX];
	int n;
	if (!f) {
		fd_log_error("ONEPIN_CCR: cannot open scenario %s", scenario_path);
		return EINVAL;
	}
	while (fgets(line, sizeof line, f)) {
		n = split(line, tok);
		if (n < 2)
			continue;
		if (!strcmp(tok[0], "peer"))
			snprintf(peer_id, sizeof peer_id, "%s", tok[1]);
		else if (!strcmp(tok[0], "realm"))
			snprintf(dest_realm, sizeof dest_realm, "%s", tok[1]);
		else if (!strcmp(tok[0], "output"))
			snprintf(output_path, sizeof output_path, "%s", tok[1]);
		else if (!strcmp(tok[0], "app"))
			advertised_app = (unsigned)strtoul(tok[1], NULL, 10);
		else if (!strcmp(tok[0], "timeout"))
			answer_timeout_ms = strtol(tok[1], NULL, 10);
	}
	fclose(f);
	return 0;
}

static int entry(char *conf)
{
	struct dict_object *app = NULL;
	application_id_t app_id;
	if (!conf)
		return EINVAL;
	snprintf(scenario_path, sizeof scenario_path, "%s", conf);
	CHECK_FCT(read_directives());
	if (!output_path[0])
		return EINVAL;
	out = fopen(output_path, "w");
	if (!out)
		return errno;
	CHECK_FCT(fd_dict_search(fd_g_config->cnf_dict, DICT_COMMAND, CMD_BY_NAME, "Credit-Control-Request", &d_ccr, ENOENT));
	/* The application our CER advertises: 4 normally; another one to test the refusal. */
	app_id = advertised_app;
	CHECK_FCT(fd_dict_search(fd_g_config->cnf_dict, DICT_APPLICATION, APPLICATION_BY_ID, &app_id, &app, ENOENT));
	CHECK_FCT(fd_disp_app_support(app, NULL, 1, 0));
	CHECK_POSIX(pthread_create(&runner, NULL, run, NULL));
	return 0;
}

void fd_ext_fini(void)
{
	pthread_join(runner, NULL);
	pthread_mutex_lock(&mtx);
	if (out)
		fclose(out);
	out = NULL;
	pthread_mutex_unlock(&mtx);
}

EXTENSION_ENTRY("onepin_ccr_client", entry, "dict_dcca");
