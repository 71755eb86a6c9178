/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ident: marked values in a trie (case folded), so redaction finds every
 * one of them in a text in one pass, and what marks them: addresses, host
 * names with ports and brackets, URLs, paths, auth headers, names. */
#include "ident.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

typedef struct entry {
    id_kind kind;
    char *placeholder;
} entry;

typedef struct node {
    int32_t entry; /* the value that ends here, or -1 */
    int32_t any;   /* a value that passes through here (for cut values) */
} node;

struct id_marks {
    GArray *nodes;   /* node; 0 is the root */
    GArray *entries; /* entry */
    /* the edges: open addressing, key (parent << 8 | byte) + 1, 0 empty */
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, used;
    unsigned counter[ID_N_KINDS];
};

static const char *const kind_names[ID_N_KINDS] = {"ip",     "host",  "user",   "file",
                                                   "realm",  "nonce", "cnonce", "response",
                                                   "opaque", "token", "serial", "site"};

/* Kinds whose placeholders are numbered, so a reader can still tell which
 * address is which; the others are just removed. */
static int numbered(id_kind k)
{
    return k == ID_ADDRESS || k == ID_HOST || k == ID_USER || k == ID_PATH;
}

id_marks *idm_new(void)
{
    id_marks *m = g_new0(id_marks, 1);
    m->nodes = g_array_new(FALSE, FALSE, sizeof(node));
    m->entries = g_array_new(FALSE, FALSE, sizeof(entry));
    node root = {-1, -1};
    g_array_append_val(m->nodes, root);
    m->cap = 1024;
    m->keys = g_new0(uint64_t, m->cap);
    m->vals = g_new0(uint32_t, m->cap);
    return m;
}

void idm_free(id_marks *m)
{
    if (!m)
        return;
    for (guint i = 0; i < m->entries->len; i++)
        g_free(g_array_index(m->entries, entry, i).placeholder);
    g_array_free(m->entries, TRUE);
    g_array_free(m->nodes, TRUE);
    g_free(m->keys);
    g_free(m->vals);
    g_free(m);
}

size_t idm_count(const id_marks *m)
{
    return m ? m->entries->len : 0;
}

/* ---- the trie --------------------------------------------------------- */

static size_t slot(uint64_t key, size_t cap)
{
    key *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(key >> 17) & (cap - 1);
}

static uint32_t child(const id_marks *m, uint32_t parent, uint8_t b)
{
    uint64_t key = ((uint64_t)parent << 8 | b) + 1;
    for (size_t i = slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (m->keys[i] == key)
            return m->vals[i];
    return 0;
}

static void put_edge(id_marks *m, uint64_t key, uint32_t val)
{
    size_t i = slot(key, m->cap);
    while (m->keys[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
}

static uint32_t add_child(id_marks *m, uint32_t parent, uint8_t b)
{
    if ((m->used + 1) * 10 > m->cap * 7) {
        uint64_t *keys = m->keys;
        uint32_t *vals = m->vals;
        size_t cap = m->cap;
        m->cap *= 2;
        m->keys = g_new0(uint64_t, m->cap);
        m->vals = g_new0(uint32_t, m->cap);
        for (size_t i = 0; i < cap; i++)
            if (keys[i])
                put_edge(m, keys[i], vals[i]);
        g_free(keys);
        g_free(vals);
    }
    node n = {-1, -1};
    g_array_append_val(m->nodes, n);
    uint32_t id = m->nodes->len - 1;
    put_edge(m, ((uint64_t)parent << 8 | b) + 1, id);
    m->used++;
    return id;
}

/* Marks value; as_entry >= 0 makes it another spelling of that entry (the
 * same placeholder). Returns the value's entry, or -1 when not marked. */
static int32_t mark(id_marks *m, id_kind k, const char *value, size_t len, int32_t as_entry)
{
    if (!m || !value || len < ID_MIN_LEN || k >= ID_N_KINDS)
        return -1;
    uint32_t n = 0;
    GArray *path = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), len);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)g_ascii_tolower(value[i]);
        uint32_t c = child(m, n, b);
        n = c ? c : add_child(m, n, b);
        g_array_append_val(path, n);
    }
    node *end = &g_array_index(m->nodes, node, n);
    if (end->entry < 0) {
        if (as_entry < 0) {
            entry e = {k, numbered(k) ? g_strdup_printf("%s-%u", kind_names[k], ++m->counter[k])
                                      : g_strdup_printf("[%s]", kind_names[k])};
            g_array_append_val(m->entries, e);
            as_entry = (int32_t)m->entries->len - 1;
        }
        end = &g_array_index(m->nodes, node, n);
        end->entry = as_entry;
        for (guint i = 0; i < path->len; i++) {
            node *p = &g_array_index(m->nodes, node, g_array_index(path, uint32_t, i));
            if (p->any < 0)
                p->any = as_entry;
        }
    }
    int32_t id = end->entry;
    g_array_free(path, TRUE);
    return id;
}

void idm_mark(id_marks *m, id_kind k, const char *value, size_t len)
{
    mark(m, k, value, len, -1);
}

void idm_mark_str(id_marks *m, id_kind k, const char *value)
{
    if (value)
        idm_mark(m, k, value, strlen(value));
}

/* ---- what marks values ------------------------------------------------ */

/* An address in its canonical text; returns its entry (or -1). */
static int32_t mark_addr(id_marks *m, int family, const uint8_t *addr)
{
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, sizeof buf))
        return -1;
    return mark(m, ID_ADDRESS, buf, strlen(buf), -1);
}

void idm_mark_addr(id_marks *m, int family, const uint8_t *addr)
{
    mark_addr(m, family, addr);
}

void idm_mark_host(id_marks *m, const char *name)
{
    if (!m || !name || !*name)
        return;
    char *h = g_strdup(name);
    /* a port after the last colon, unless the colons are an IPv6 address's */
    char *colon = strrchr(h, ':');
    if (colon && (h[0] == '[' || strchr(h, ':') == colon) && g_ascii_isdigit(colon[1]) &&
        (h[0] != '[' || colon[-1] == ']'))
        *colon = '\0';
    if (h[0] == '[') {
        memmove(h, h + 1, strlen(h));
        char *end = strchr(h, ']');
        if (end)
            *end = '\0';
    }
    size_t n = strlen(h);
    if (n && h[n - 1] == '.')
        h[--n] = '\0';
    uint8_t a[16] = {0};
    int32_t id;
    if (inet_pton(AF_INET, h, a) == 1)
        id = mark(m, ID_ADDRESS, h, n, mark_addr(m, 4, a));
    else if (inet_pton(AF_INET6, h, a) == 1)
        id = mark(m, ID_ADDRESS, h, n, mark_addr(m, 6, a));
    else
        id = mark(m, ID_HOST, h, n, -1);
    /* as written too, with its port, brackets or trailing dot: the same
     * placeholder */
    if (strcmp(h, name) != 0)
        mark(m, ID_HOST, name, strlen(name), id);
    g_free(h);
}

void idm_mark_url(id_marks *m, const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return;
    p += 3;
    const char *at = strpbrk(p, "@/?#");
    if (at && *at == '@') { /* user information before the host */
        idm_mark(m, ID_USER, p, (size_t)(at - p));
        p = at + 1;
    }
    size_t n = strcspn(p, "/?#");
    char *host = g_strndup(p, n);
    idm_mark_host(m, host);
    g_free(host);
}

void idm_mark_path(id_marks *m, const char *path)
{
    if (!path || !strcmp(path, "-"))
        return;
    idm_mark_str(m, ID_PATH, path);
    char *base = g_path_get_basename(path);
    idm_mark_str(m, ID_PATH, base);
    g_free(base);
}

static int tchar(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Auth parameters that say how, not who: left in the report. */
static int harmless_param(const char *name, size_t n)
{
    static const char *const names[] = {"algorithm", "qop",      "nc", "stale",
                                        "charset",   "userhash", "uri"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (strlen(names[i]) == n && g_ascii_strncasecmp(name, names[i], n) == 0)
            return 1;
    return 0;
}

static id_kind param_kind(const char *name, size_t n)
{
    static const struct {
        const char *name;
        id_kind kind;
    } kinds[] = {{"username", ID_USER}, {"realm", ID_REALM},       {"nonce", ID_NONCE},
                 {"cnonce", ID_CNONCE}, {"response", ID_RESPONSE}, {"opaque", ID_OPAQUE}};
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        if (strlen(kinds[i].name) == n && g_ascii_strncasecmp(name, kinds[i].name, n) == 0)
            return kinds[i].kind;
    return ID_TOKEN;
}

/* The value at p (a quoted-string or a token, up to end): marks it as
 * written and unescaped; returns where it ends. */
static const char *auth_value(id_marks *m, id_kind k, const char *p, const char *end)
{
    if (p < end && *p == '"') {
        const char *s = ++p;
        GString *v = g_string_new(NULL);
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end)
                p++;
            g_string_append_c(v, *p++);
        }
        /* as written, with its escapes, it gets the placeholder of the value */
        mark(m, k, s, (size_t)(p - s), mark(m, k, v->str, v->len, -1));
        g_string_free(v, TRUE);
        return p < end ? p + 1 : p;
    }
    const char *s = p;
    while (p < end && *p != ',' && *p != ' ' && *p != '\t')
        p++;
    idm_mark(m, k, s, (size_t)(p - s));
    return p;
}

/* Whether p starts a token68's '=' padding: '='s up to the end, a comma
 * or white space. */
static int padding(const char *p, const char *end)
{
    while (p < end && *p == '=')
        p++;
    return p == end || *p == ',' || *p == ' ' || *p == '\t';
}

void idm_mark_auth(id_marks *m, const char *header, size_t len)
{
    if (!m || !header)
        return;
    const char *p = header, *end = header + len;
    int after_scheme = 0; /* the word before was a scheme name: a token68 may follow */
    while (p < end) {
        for (; p < end && (*p == ' ' || *p == '\t' || *p == ','); p++)
            if (*p == ',')
                after_scheme = 0;
        const char *name = p;
        while (p < end && tchar(*p))
            p++;
        size_t n = (size_t)(p - name);
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (n == 0) {
            if (p < end)
                p++; /* a stray character: nothing to read here */
            continue;
        }
        if (q < end && *q == '=' && !(after_scheme && q == p && padding(q, end))) {
            /* name=value, with white space allowed around the '=' */
            q++;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            p = auth_value(harmless_param(name, n) ? NULL : m, param_kind(name, n), q, end);
            after_scheme = 0;
            continue;
        }
        if (after_scheme) {
            /* a token68 (Basic, Negotiate): base64, '=' padding and all */
            while (q < end && *q != ',' && *q != ' ' && *q != '\t')
                q++;
            idm_mark(m, ID_TOKEN, name, (size_t)(q - name));
            idm_mark(m, ID_TOKEN, name, n);
            after_scheme = 0;
            p = q;
            continue;
        }
        after_scheme = 1; /* a scheme name ("Digest", "Negotiate") */
        p = q;
    }
}

void idm_mark_dn(id_marks *m, const char *dn)
{
    if (!m || !dn || !*dn)
        return;
    idm_mark_str(m, ID_SITE, dn);
    /* each attribute value, up to a comma that is not escaped */
    const char *p = dn;
    while (*p) {
        const char *eq = strchr(p, '=');
        if (!eq)
            break;
        const char *v = eq + 1, *e = v;
        while (*e && *e != ',') {
            if (*e == '\\' && e[1])
                e++;
            e++;
        }
        size_t n = (size_t)(e - v);
        char *val = g_strndup(v, n);
        if (strchr(val, '.') && !strchr(val, ' '))
            idm_mark_host(m, val);
        else
            idm_mark(m, ID_SITE, v, n);
        g_free(val);
        p = *e ? e + 1 : e;
    }
}

/* ---- redaction -------------------------------------------------------- */

static int word_char(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '-';
}

/* Whether a value starting at t[i] stands alone on its left. */
static int start_ok(const char *t, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    if (!word_char(c) || i == 0)
        return 1;
    unsigned char p = (unsigned char)t[i - 1];
    return !word_char(p) && !(p == '.' && g_ascii_isalnum(c));
}

/* Whether a value ending before t[j] stands alone on its right. */
static int end_ok(const char *t, size_t len, size_t j)
{
    if (!word_char((unsigned char)t[j - 1]) || j == len)
        return 1;
    unsigned char c = (unsigned char)t[j];
    if (word_char(c))
        return 0;
    return !(c == '.' && j + 1 < len && g_ascii_isalnum((unsigned char)t[j + 1]));
}

/* Work allowed per byte of text: a hostile capture can make marked values
 * and text that match each other at every position for long stretches;
 * past the budget the rest of the text is left out rather than searched. */
#define REDACT_STEPS_PER_BYTE 256
#define REDACT_STEPS_MIN 65536

void idm_redact(const id_marks *m, const char *t, size_t len, GString *out)
{
    if (!m || m->entries->len == 0) {
        g_string_append_len(out, t, (gssize)len);
        return;
    }
    uint64_t budget = (uint64_t)len * REDACT_STEPS_PER_BYTE + REDACT_STEPS_MIN;
    size_t i = 0;
    while (i < len) {
        size_t best = 0;
        int32_t best_entry = -1;
        if (start_ok(t, i)) {
            uint32_t n = 0;
            for (size_t d = 0; i + d < len; d++) {
                if (budget-- == 0) {
                    g_string_append(out, "[left out: too many marked values match here]");
                    return;
                }
                n = child(m, n, (uint8_t)g_ascii_tolower(t[i + d]));
                if (!n)
                    break;
                const node *nd = &g_array_index(m->nodes, node, n);
                size_t l = d + 1;
                if (!end_ok(t, len, i + l))
                    continue;
                if (nd->entry >= 0) {
                    best = l;
                    best_entry = nd->entry;
                } else if (l >= ID_PREFIX_MIN) {
                    best = l; /* a value cut short */
                    best_entry = nd->any;
                }
            }
        }
        if (best) {
            g_string_append(out, g_array_index(m->entries, entry, best_entry).placeholder);
            i += best;
        } else {
            g_string_append_c(out, t[i++]);
        }
    }
}
