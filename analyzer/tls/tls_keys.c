/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The key store of a run: secrets from key logs (by kind and client random,
 * or encrypted-PMS prefix), the servers' RSA keys, the TLS <= 1.2 session
 * cache (session id or ticket -> master secret, so a resumed handshake in a
 * later connection decrypts), and the OpenSSL library context all crypto
 * of the layer runs in. It has its own library context so that loading
 * the legacy provider (for RC4) changes nothing for the rest of the
 * program. Every secret is wiped when it is replaced or freed. */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include "tls/tls_int.h"

/* One secret, stored in place: kind, id and (up to 48 bytes) the value in
 * one slot of a slab, so a key log of 150 000 lines costs about 20 MB
 * rather than the 33 MB of separately allocated keys, records and values.
 * Slots never move: a tls_secret found stays valid while the store lives. */
#define SECRET_INLINE 48
#define SLAB_SLOTS 4096
typedef struct secret_slot {
    tls_secret s; /* s.v is inl, or for a longer secret (a PMS) the heap */
    uint8_t kind, idlen;
    uint8_t id[32];
    uint8_t inl[SECRET_INLINE];
} secret_slot;

/* A key log line indexed, not stored: where it is, and enough of its id
 * to find it (the whole id is checked when the line is read again). */
typedef struct keylog_ref {
    uint8_t id[16]; /* the id's first bytes, zero-padded */
    uint64_t off;
    uint16_t len;
    uint8_t kind;
    uint8_t file;
    uint32_t seq; /* the order added: a later line replaces an earlier one */
} keylog_ref;

#define REF_FILES_MAX 250
/* Secrets read back from indexed files live here a while: callers use
 * what tls_keys_find returns at once (a handshake's few lookups). */
#define REF_RING 64

/* Which ring a thread reads secrets back into (tls_keys_set_thread): a
 * worker's lookups must not wipe the slot another worker is using. */
static _Thread_local unsigned ring_thread;

struct tls_keys {
    OSSL_LIB_CTX *lib;
    OSSL_PROVIDER *prov_default;
    OSSL_PROVIDER *prov_legacy;
    GHashTable *secrets;  /* secret_slot (kind, id) -> itself */
    GPtrArray *slabs;     /* secret_slot[SLAB_SLOTS] each */
    size_t n_slots;       /* slots used */
    GHashTable *sessions; /* GBytes('I'|'T' || id) -> tls_cached_session */
    GQueue session_order; /* its keys (GBytes), oldest first */
    int keep_derived;     /* derived master secrets are kept (an export asks) */
    GHashTable *derived;  /* GBytes(client random) -> tls_cached_session: master
                             secrets the layer derived (RSA, PMS, resumption),
                             for --export-keylog */
    GHashTable *sources;  /* interned source names */
    GArray *refs;         /* keylog_ref, sorted by kind and id once a file is done */
    GArray *ref_fds;      /* int: the indexed files, open for the run */
    GPtrArray *ref_src;   /* their interned source names */
    uint32_t ref_seq;
    guint refs_kept;                              /* entries after the last file was done */
    secret_slot ring[TLS_KEYS_THREADS][REF_RING]; /* one per thread */
    unsigned ring_next[TLS_KEYS_THREADS];
    pthread_mutex_t lock; /* the store is shared by the worker threads of -j */
    GPtrArray *rsa;       /* tls_rsa_key */
    GPtrArray *psk;       /* tls_psk */
    unsigned next_conn;
};

/* Sets a slot's value: inline when it fits, else on the heap. */
static void slot_set(secret_slot *sl, const uint8_t *v, size_t len)
{
    uint8_t *dst = len <= SECRET_INLINE ? sl->inl : g_malloc(len);
    memcpy(dst, v, len);
    sl->s.v = dst;
    sl->s.len = len;
}

/* Wipes a slot's value and frees it when it was on the heap. */
static void slot_wipe(secret_slot *sl)
{
    if (!sl->s.v)
        return;
    OPENSSL_cleanse(sl->s.v, sl->s.len);
    if (sl->s.v != sl->inl)
        g_free(sl->s.v);
    sl->s.v = NULL;
    sl->s.len = 0;
}

/* FNV-1a over kind and id: ids are random, but a key log may be hostile,
 * and a hash of every byte gives it nothing to collide on cheaply. */
static guint slot_hash(gconstpointer p)
{
    const secret_slot *sl = p;
    guint h = 2166136261u ^ sl->kind;
    h *= 16777619u;
    for (uint8_t i = 0; i < sl->idlen; i++) {
        h ^= sl->id[i];
        h *= 16777619u;
    }
    return h;
}

static gboolean slot_equal(gconstpointer a, gconstpointer b)
{
    const secret_slot *x = a, *y = b;
    return x->kind == y->kind && x->idlen == y->idlen && memcmp(x->id, y->id, x->idlen) == 0;
}

static void slab_free(gpointer p)
{
    secret_slot *slab = p;
    for (size_t i = 0; i < SLAB_SLOTS; i++)
        slot_wipe(&slab[i]);
    g_free(slab);
}

/* A new slot, zeroed, from the last slab or a new one. */
static secret_slot *slot_new(tls_keys *k)
{
    if (k->n_slots == k->slabs->len * (size_t)SLAB_SLOTS)
        g_ptr_array_add(k->slabs, g_new0(secret_slot, SLAB_SLOTS));
    secret_slot *slab = g_ptr_array_index(k->slabs, k->slabs->len - 1);
    return &slab[k->n_slots++ % SLAB_SLOTS];
}

static void session_free(gpointer p)
{
    OPENSSL_cleanse(p, sizeof(tls_cached_session));
    g_free(p);
}

static void rsa_free(gpointer p)
{
    tls_rsa_key *rk = p;
    EVP_PKEY_free(rk->pkey); /* OpenSSL clears private key material on free */
    g_free(rk->name);
    if (rk->matches)
        g_hash_table_destroy(rk->matches);
    g_free(rk);
}

static void psk_free(gpointer p)
{
    tls_psk *k = p;
    OPENSSL_clear_free(k->key, k->len);
    g_free(k->identity);
    g_free(k->source);
    g_free(k);
}

tls_keys *tls_keys_new(void)
{
    tls_keys *k = g_new0(tls_keys, 1);
    k->lib = OSSL_LIB_CTX_new();
    if (k->lib) {
        k->prov_default = OSSL_PROVIDER_load(k->lib, "default");
        /* Optional: without it RC4 suites are reported unsupported. */
        k->prov_legacy = OSSL_PROVIDER_load(k->lib, "legacy");
    }
    k->secrets = g_hash_table_new(slot_hash, slot_equal);
    k->slabs = g_ptr_array_new_with_free_func(slab_free);
    k->refs = g_array_new(FALSE, FALSE, sizeof(keylog_ref));
    k->ref_fds = g_array_new(FALSE, FALSE, sizeof(int));
    k->ref_src = g_ptr_array_new();
    k->sessions = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                        session_free);
    k->derived = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                       session_free);
    k->sources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    k->rsa = g_ptr_array_new_with_free_func(rsa_free);
    k->psk = g_ptr_array_new_with_free_func(psk_free);
    pthread_mutex_init(&k->lock, NULL);
    return k;
}

void tls_keys_set_thread(unsigned i)
{
    ring_thread = i < TLS_KEYS_THREADS ? i : TLS_KEYS_THREADS - 1;
}

void tls_keys_free(tls_keys *k)
{
    if (!k)
        return;
    g_hash_table_destroy(k->secrets);
    g_ptr_array_free(k->slabs, TRUE);
    g_array_free(k->refs, TRUE);
    for (guint i = 0; i < k->ref_fds->len; i++)
        close(g_array_index(k->ref_fds, int, i));
    g_array_free(k->ref_fds, TRUE);
    g_ptr_array_free(k->ref_src, TRUE);
    for (size_t t = 0; t < TLS_KEYS_THREADS; t++)
        for (size_t i = 0; i < REF_RING; i++)
            slot_wipe(&k->ring[t][i]);
    pthread_mutex_destroy(&k->lock);
    g_hash_table_destroy(k->sessions);
    g_queue_clear_full(&k->session_order, (GDestroyNotify)g_bytes_unref);
    g_hash_table_destroy(k->derived);
    g_hash_table_destroy(k->sources);
    g_ptr_array_free(k->rsa, TRUE);
    g_ptr_array_free(k->psk, TRUE);
    tls_fetch_forget(k->lib);
    if (k->prov_legacy)
        OSSL_PROVIDER_unload(k->prov_legacy);
    if (k->prov_default)
        OSSL_PROVIDER_unload(k->prov_default);
    OSSL_LIB_CTX_free(k->lib);
    g_free(k);
}

OSSL_LIB_CTX *tls_keys_libctx(const tls_keys *k)
{
    return k->lib;
}

static GBytes *make_key(uint8_t tag, const uint8_t *id, size_t idlen)
{
    uint8_t *b = g_malloc(idlen + 1);
    b[0] = tag;
    memcpy(b + 1, id, idlen);
    return g_bytes_new_take(b, idlen + 1);
}

/* A slot on the stack to look up (kind, id) with; NULL when the id is too
 * long to be one. */
static secret_slot *probe_of(secret_slot *pr, tls_secret_kind kind, const uint8_t *id, size_t idlen)
{
    if (idlen > sizeof pr->id)
        return NULL;
    pr->kind = (uint8_t)kind;
    pr->idlen = (uint8_t)idlen;
    memcpy(pr->id, id, idlen);
    return pr;
}

/* The store's copy of a source name. */
static const char *intern(tls_keys *k, const char *source)
{
    const char *src = source ? source : "key log";
    char *interned = g_hash_table_lookup(k->sources, src);
    if (!interned) {
        interned = g_strdup(src);
        g_hash_table_add(k->sources, interned);
    }
    return interned;
}

int tls_keys_put(tls_keys *k, tls_secret_kind kind, const uint8_t *id, size_t idlen,
                 const uint8_t *v, size_t len, const char *source)
{
    secret_slot probe;
    if (!k || !id || !v || !len || (unsigned)kind >= TLS_SECRET_KINDS ||
        !probe_of(&probe, kind, id, idlen))
        return -1;
    pthread_mutex_lock(&k->lock);
    const char *interned = intern(k, source);
    /* A repeated line replaces the earlier secret: not a new one. */
    secret_slot *sl = g_hash_table_lookup(k->secrets, &probe);
    int fresh = sl == NULL;
    if (sl) {
        slot_wipe(sl);
    } else {
        sl = slot_new(k);
        sl->kind = probe.kind;
        sl->idlen = probe.idlen;
        memcpy(sl->id, id, idlen);
        g_hash_table_add(k->secrets, sl);
    }
    slot_set(sl, v, len);
    sl->s.source = interned;
    pthread_mutex_unlock(&k->lock);
    return fresh;
}

static int ref_cmp(const keylog_ref *a, uint8_t kind, const uint8_t id[16])
{
    if (a->kind != kind)
        return a->kind < kind ? -1 : 1;
    return memcmp(a->id, id, 16);
}

static gint by_ref(gconstpointer a, gconstpointer b)
{
    const keylog_ref *x = a, *y = b;
    int c = ref_cmp(x, y->kind, y->id);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int tls_keys_ref_file(tls_keys *k, int fd, const char *source)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || k->ref_fds->len >= REF_FILES_MAX)
        return -1;
    int own = dup(fd);
    if (own < 0)
        return -1;
    g_array_append_val(k->ref_fds, own);
    g_ptr_array_add(k->ref_src, (gpointer)intern(k, source));
    return (int)k->ref_fds->len - 1;
}

int tls_keys_ref_add(tls_keys *k, int file, tls_secret_kind kind, const uint8_t *id, size_t idlen,
                     uint64_t off, size_t len)
{
    if (file < 0 || (guint)file >= k->ref_fds->len || len > UINT16_MAX || idlen > 32)
        return -1;
    keylog_ref r = {.off = off,
                    .len = (uint16_t)len,
                    .kind = (uint8_t)kind,
                    .file = (uint8_t)file,
                    .seq = k->ref_seq++};
    memcpy(r.id, id, MIN(idlen, sizeof r.id));
    g_array_append_val(k->refs, r);
    return 1;
}

int tls_keys_ref_done(tls_keys *k)
{
    g_array_sort(k->refs, by_ref);
    /* of equal (kind, id), the last added stays */
    guint out = 0;
    for (guint i = 0; i < k->refs->len; i++) {
        const keylog_ref *r = &g_array_index(k->refs, keylog_ref, i);
        if (i + 1 < k->refs->len &&
            ref_cmp(&g_array_index(k->refs, keylog_ref, i + 1), r->kind, r->id) == 0)
            continue;
        g_array_index(k->refs, keylog_ref, out++) = *r;
    }
    g_array_set_size(k->refs, out);
    int added = (int)(out - k->refs_kept);
    k->refs_kept = out;
    return added;
}

/* The indexed line for (kind, id) read again into a slot of the ring;
 * NULL when there is none, or the file no longer holds it. */
static const tls_secret *ref_find(tls_keys *k, tls_secret_kind kind, const uint8_t *id,
                                  size_t idlen)
{
    uint8_t key[16] = {0};
    memcpy(key, id, MIN(idlen, sizeof key));
    guint lo = 0, hi = k->refs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (ref_cmp(&g_array_index(k->refs, keylog_ref, mid), (uint8_t)kind, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == k->refs->len)
        return NULL;
    const keylog_ref *r = &g_array_index(k->refs, keylog_ref, lo);
    if (ref_cmp(r, (uint8_t)kind, key) != 0)
        return NULL;
    char *line = g_malloc(r->len ? r->len : 1);
    ssize_t got = pread(g_array_index(k->ref_fds, int, r->file), line, r->len, (off_t)r->off);
    tls_secret_kind lk;
    uint8_t lid[32], secret[512];
    size_t lil, sl;
    const tls_secret *found = NULL;
    if (got == (ssize_t)r->len && tls_keylog_parse(line, r->len, &lk, lid, &lil, secret, &sl) > 0 &&
        lk == kind && lil == idlen && memcmp(lid, id, idlen) == 0) {
        secret_slot *sl_ = &k->ring[ring_thread][k->ring_next[ring_thread]++ % REF_RING];
        slot_wipe(sl_);
        sl_->kind = (uint8_t)kind;
        sl_->idlen = (uint8_t)idlen;
        memcpy(sl_->id, id, idlen);
        slot_set(sl_, secret, sl);
        sl_->s.source = g_ptr_array_index(k->ref_src, r->file);
        found = &sl_->s;
    }
    OPENSSL_cleanse(line, r->len);
    g_free(line);
    OPENSSL_cleanse(secret, sizeof secret);
    return found;
}

const tls_secret *tls_keys_find(const tls_keys *k, tls_secret_kind kind, const uint8_t *id,
                                size_t idlen)
{
    secret_slot probe;
    if (!probe_of(&probe, kind, id, idlen))
        return NULL;
    pthread_mutex_t *lock = &((tls_keys *)k)->lock;
    pthread_mutex_lock(lock);
    const secret_slot *sl = g_hash_table_lookup(k->secrets, &probe);
    const tls_secret *found = sl ? &sl->s : NULL;
    /* the store is not changed in what it holds, only in which secrets it
     * has read back: the ring is a cache */
    if (!found && k->refs->len)
        found = ref_find((tls_keys *)k, kind, id, idlen);
    pthread_mutex_unlock(lock);
    return found;
}

int tls_keys_empty(const tls_keys *k)
{
    return g_hash_table_size(k->secrets) == 0 && k->refs->len == 0 && k->rsa->len == 0 &&
           k->psk->len == 0;
}

int tls_keys_add_psk(tls_keys *k, const char *identity, const uint8_t *key, size_t len)
{
    if (!k || !key || !len || len > 512)
        return -1;
    tls_psk *p = g_new0(tls_psk, 1);
    p->identity = identity && *identity ? g_strdup(identity) : NULL;
    p->key = OPENSSL_malloc(len);
    memcpy(p->key, key, len);
    p->len = len;
    p->source = p->identity ? g_strdup_printf("--psk %s", p->identity) : g_strdup("--psk");
    g_ptr_array_add(k->psk, p);
    return 0;
}

size_t tls_keys_psk_count(const tls_keys *k)
{
    return k ? k->psk->len : 0;
}

size_t tls_keys_psk_n(const tls_keys *k)
{
    return k->psk->len;
}

const tls_psk *tls_keys_psk_at(const tls_keys *k, size_t i)
{
    return i < k->psk->len ? g_ptr_array_index(k->psk, i) : NULL;
}

size_t tls_keys_keylog_count(const tls_keys *k)
{
    return k ? g_hash_table_size(k->secrets) + k->refs->len : 0;
}

size_t tls_keys_rsa_count(const tls_keys *k)
{
    return k ? k->rsa->len : 0;
}

size_t tls_keys_rsa_n(const tls_keys *k)
{
    return k->rsa->len;
}

const tls_rsa_key *tls_keys_rsa_at(const tls_keys *k, size_t i)
{
    return i < k->rsa->len ? g_ptr_array_index(k->rsa, i) : NULL;
}

int tls_keys_add_rsa_pkey(tls_keys *k, EVP_PKEY *pkey, const char *name)
{
    tls_rsa_key *rk = g_new0(tls_rsa_key, 1);
    rk->pkey = pkey;
    rk->name = g_strdup(name);
    rk->matches =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    g_ptr_array_add(k->rsa, rk);
    return 0;
}

void tls_keys_cache_put(tls_keys *k, int ticket, const uint8_t *id, size_t idlen,
                        const uint8_t ms[48], unsigned conn_id)
{
    if (!idlen)
        return;
    tls_cached_session *cs = g_new0(tls_cached_session, 1);
    memcpy(cs->ms, ms, 48);
    cs->conn_id = conn_id;
    GBytes *key = make_key(ticket ? 'T' : 'I', id, idlen);
    pthread_mutex_lock(&k->lock);
    if (!g_hash_table_contains(k->sessions, key))
        g_queue_push_tail(&k->session_order, g_bytes_ref(key));
    g_hash_table_replace(k->sessions, key, cs);
    /* The oldest go, as in a server's own cache: a day of fleet traffic
     * must not grow the store without bound. */
    while (g_hash_table_size(k->sessions) > TLS_SESSION_CACHE_MAX) {
        GBytes *old = g_queue_pop_head(&k->session_order);
        g_hash_table_remove(k->sessions, old);
        g_bytes_unref(old);
    }
    pthread_mutex_unlock(&k->lock);
}

int tls_keys_cache_get(const tls_keys *k, int ticket, const uint8_t *id, size_t idlen,
                       tls_cached_session *out)
{
    if (!idlen)
        return 0;
    GBytes *key = make_key(ticket ? 'T' : 'I', id, idlen);
    pthread_mutex_t *lock = &((tls_keys *)k)->lock;
    pthread_mutex_lock(lock);
    const tls_cached_session *cs = g_hash_table_lookup(k->sessions, key);
    if (cs)
        *out = *cs; /* copied: another thread may push it out of the cache */
    pthread_mutex_unlock(lock);
    g_bytes_unref(key);
    return cs != NULL;
}

unsigned tls_keys_next_conn_id(tls_keys *k)
{
    pthread_mutex_lock(&k->lock);
    unsigned id = k->next_conn++;
    pthread_mutex_unlock(&k->lock);
    return id;
}

void tls_keys_keep_derived(tls_keys *k, int keep)
{
    k->keep_derived = keep;
}

void tls_keys_put_derived(tls_keys *k, const uint8_t cr[32], const uint8_t ms[48])
{
    if (!k->keep_derived)
        return;
    tls_cached_session *s = g_new0(tls_cached_session, 1);
    memcpy(s->ms, ms, 48);
    pthread_mutex_lock(&k->lock);
    g_hash_table_replace(k->derived, g_bytes_new(cr, 32), s);
    pthread_mutex_unlock(&k->lock);
}

/* NSS key log labels of the secrets a session can have, in the order a
 * TLS stack writes them. */
static const struct {
    tls_secret_kind kind;
    const char *label;
} export_labels[] = {
    {TLS_SECRET_CLIENT_EARLY, "CLIENT_EARLY_TRAFFIC_SECRET"},
    {TLS_SECRET_CLIENT_HS, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"},
    {TLS_SECRET_SERVER_HS, "SERVER_HANDSHAKE_TRAFFIC_SECRET"},
    {TLS_SECRET_CLIENT_AP0, "CLIENT_TRAFFIC_SECRET_0"},
    {TLS_SECRET_SERVER_AP0, "SERVER_TRAFFIC_SECRET_0"},
    {TLS_SECRET_EXPORTER, "EXPORTER_SECRET"},
};

static void hex_append(GString *out, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        g_string_append_c(out, hex[p[i] >> 4]);
        g_string_append_c(out, hex[p[i] & 15]);
    }
}

static void line(GString *out, const char *label, const uint8_t cr[32], const uint8_t *v,
                 size_t len)
{
    g_string_append_printf(out, "%s ", label);
    hex_append(out, cr, 32);
    g_string_append_c(out, ' ');
    hex_append(out, v, len);
    g_string_append_c(out, '\n');
}

int tls_keys_export_session(const tls_keys *k, const uint8_t cr[32], GString *out)
{
    int n = 0;
    GBytes *key = g_bytes_new(cr, 32);
    const tls_cached_session *d = g_hash_table_lookup(k->derived, key);
    g_bytes_unref(key);
    const tls_secret *ms = tls_keys_find(k, TLS_SECRET_MASTER, cr, 32);
    if (d) {
        line(out, "CLIENT_RANDOM", cr, d->ms, 48);
        n++;
    } else if (ms) {
        line(out, "CLIENT_RANDOM", cr, ms->v, ms->len);
        n++;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(export_labels); i++) {
        const tls_secret *s = tls_keys_find(k, export_labels[i].kind, cr, 32);
        if (s) {
            line(out, export_labels[i].label, cr, s->v, s->len);
            n++;
        }
    }
    return n;
}
