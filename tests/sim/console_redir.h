/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console_redir: the console's side of a redirection session, as the open
 * consoles run it (MeshCommander: query the methods, then Digest; amtterm:
 * user and password at once): start the session, log in, then SOL (type a
 * line, read the answer, end SOL), IDE-R (answer the host's READ CAPACITY)
 * or KVM (RFB 3.8 up to ServerInit), then end the session and close. */
#ifndef AMTSIM_CONSOLE_REDIR_H
#define AMTSIM_CONSOLE_REDIR_H

#include "console.h"

typedef enum {
    REDIR_LOGIN_DIGEST,         /* query, then Digest (RFC 2617, else RFC 2069) */
    REDIR_LOGIN_USERPASS,       /* query, then user and password in clear */
    REDIR_LOGIN_BLIND_USERPASS, /* user and password at once, no query (amtterm) */
    REDIR_LOGIN_KERBEROS,       /* query, then a Kerberos ticket */
} redir_login;

/* Runs one redirection session with AMT on port (16994, or 16995 in TLS)
 * for the session tag ("SOL ", "IDER", "KVMR"). The connection's facts
 * get its outcome: "ok" when the session ran, "rejected" when AMT refused
 * the start, the login or the SOL/IDE-R start. Returns the connection. */
sim_conn *console_redir_run(console *c, amt_device *d, uint16_t port, const char *tag,
                            redir_login login);

#endif
