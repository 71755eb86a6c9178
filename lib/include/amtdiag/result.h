/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The analyzer's error convention: a function that can fail returns a
 * result code and leaves a message in an amt_err its caller owns — one per
 * run, like curl's error buffer — naming the file (and the frame or byte
 * offset) and what to do. Only the command line prints it. */
#ifndef AMTDIAG_RESULT_H
#define AMTDIAG_RESULT_H

typedef enum {
    AMT_OK = 0,
    AMT_E_USAGE,  /* the command line asks for something impossible */
    AMT_E_INPUT,  /* an input cannot be opened or read */
    AMT_E_FORMAT, /* an input is not what it should be, or is corrupt */
    AMT_E_OUTPUT, /* a report or an export cannot be written */
    AMT_E_MEMORY  /* out of memory */
} amt_rc;

#define AMT_ERR_MAX 1024

typedef struct amt_err {
    amt_rc rc;
    char msg[AMT_ERR_MAX];
} amt_err;

/* Records a failure in e (when not NULL): rc and the formatted message,
 * cut to fit. Returns rc, so a function can end with
 * return amt_fail(e, AMT_E_INPUT, "%s: …", path). */
amt_rc amt_fail(amt_err *e, amt_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Resets e to AMT_OK and an empty message. NULL is allowed. */
void amt_err_clear(amt_err *e);

#endif
